with source as (
    select * from {{ source('reference', 'gdp_per_capita') }}
)

select
    cast(iso3 as varchar) as iso3,
    cast("year" as integer) as "year",
    cast(gdp_per_capita_usd as double) as gdp_per_capita_usd
from source
where gdp_per_capita_usd > 0
