with source as (
    select * from {{ source('landing', 'ssi_legal_coverage') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    risk,
    sex,
    cast(legally_covered as bigint) as legally_covered
from source
