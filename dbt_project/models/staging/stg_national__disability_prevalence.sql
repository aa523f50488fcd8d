with source as (
    select * from {{ source('landing', 'national_disability_prevalence') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    coalesce(sex, '_T') as sex,
    cast(severe_disability_prevalence_pct as double) as severe_disability_prevalence_pct,
    "source" as prevalence_source
from source
