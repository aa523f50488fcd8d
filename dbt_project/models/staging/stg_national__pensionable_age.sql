with source as (
    select * from {{ source('landing', 'national_pensionable_age') }}
)

select
    iso3,
    cast("year" as integer) as reference_year,
    sex,
    cast(statutory_pensionable_age as double) as statutory_pensionable_age
from source
