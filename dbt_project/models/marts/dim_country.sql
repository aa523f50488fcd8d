select
    iso3,
    m49,
    country_name as "name",
    iso2,
    ilo_region,
    ilo_subregion,
    sdg_region_code,
    sdg_region,
    income_group,
    is_flagship_focus
from {{ ref('stg_reference__countries') }}
