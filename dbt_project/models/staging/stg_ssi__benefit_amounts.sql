with source as (
    select * from {{ source('landing', 'ssi_benefit_amounts') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    risk,
    sex,
    cast(average_benefit_lcu_month as double) as average_benefit_lcu_month
from source
