with source as (
    select * from {{ source('landing', 'national_uhc_tracers') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    tracer,
    cast("value" as double) as tracer_value
from source
