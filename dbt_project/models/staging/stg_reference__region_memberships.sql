with source as (
    select * from {{ source('reference', 'region_memberships') }}
)

select
    cast(iso3 as varchar) as iso3,
    cast(region_type as varchar) as region_type,
    cast(m49 as integer) as m49,
    cast(region as varchar) as region,
    cast(fiscal_year as integer) as fiscal_year
from source
