with source as (
    select * from {{ source('landing', 'national_poverty') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    coalesce(sex, '_T') as sex,
    cast(poverty_headcount_pct as double) as poverty_headcount_pct
from source
