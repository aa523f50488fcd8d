with source as (
    select * from {{ source('landing', 'ssi_submission') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    "round" as ssi_round,
    submitted_on,
    focal_point,
    currency,
    source_file,
    source_sha256,
    loaded_at
from source
