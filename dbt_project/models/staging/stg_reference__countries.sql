with source as (
    select * from {{ source('landing', 'reference_countries') }}
)

select
    iso3,
    iso2,
    cast(m49 as integer) as m49,
    "name" as country_name,
    ilo_region,
    ilo_subregion,
    cast(sdg_region_code as integer) as sdg_region_code,
    sdg_region,
    income_group,
    is_flagship_focus
from source
