with source as (
    select * from {{ source('landing', 'national_population') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    sex,
    age_group,
    {{ age_lower('age_group') }} as age_lower,
    {{ age_upper('age_group') }} as age_upper,
    cast(population as bigint) as population,
    source_file
from source
