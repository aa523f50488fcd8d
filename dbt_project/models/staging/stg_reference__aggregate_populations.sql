with source as (
    select * from {{ source('reference', 'aggregate_populations') }}
)

select
    cast(iso3 as varchar) as iso3,
    cast("year" as integer) as "year",
    cast(sex as varchar) as sex,
    cast(population as double) as population,
    cast(children_0_14 as double) as children_0_14,
    cast(working_age_15_64 as double) as working_age_15_64,
    cast(older_65_plus as double) as older_65_plus,
    cast(women_15_49 as double) as women_15_49,
    cast(employed as double) as employed,
    cast(unemployed as double) as unemployed
from source
