with source as (
    select * from {{ source('landing', 'national_labour_force') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    sex,
    status,
    cast(persons as bigint) as persons
from source
