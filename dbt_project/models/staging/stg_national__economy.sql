with source as (
    select * from {{ source('landing', 'national_economy') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    currency,
    cast(gdp_lcu as double) as gdp_lcu,
    cast(gdp_usd as double) as gdp_usd,
    cast(gov_expenditure_lcu as double) as gov_expenditure_lcu,
    cast(ppp_factor as double) as ppp_factor,
    ppp_source,
    cast(gdp_deflator as double) as gdp_deflator,
    cast(deflator_base_year as integer) as deflator_base_year
from source
