with source as (
    select * from {{ source('landing', 'national_births') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    cast(live_births as bigint) as live_births,
    cast(coalesce(multiple_birth_share, 0) as double) as multiple_birth_share
from source
