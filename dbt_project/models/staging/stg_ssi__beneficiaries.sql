with source as (
    select * from {{ source('landing', 'ssi_beneficiaries') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    risk,
    benefit_type,
    sex,
    age_group,
    {{ age_lower('age_group') }} as age_lower,
    {{ age_upper('age_group') }} as age_upper,
    cast(beneficiaries as bigint) as beneficiaries
from source
