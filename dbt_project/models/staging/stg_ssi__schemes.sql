with source as (
    select * from {{ source('landing', 'ssi_schemes') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    scheme_name,
    institution,
    scheme_type,
    affiliation,
    risks,
    scheme_type in ('contributory') as is_contributory,
    groups_covered,
    legal_basis,
    legal_year,
    nullif(trim(overlap_group), '') as overlap_group
from source
