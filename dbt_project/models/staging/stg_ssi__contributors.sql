with source as (
    select * from {{ source('landing', 'ssi_contributors') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    sex,
    age_group,
    cast(affiliated as bigint) as affiliated,
    cast(active_contributors as bigint) as active_contributors
from source
