with source as (
    select * from {{ source('landing', 'ssi_expenditure') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    "function",
    item,
    cast(amount_lcu as double) as amount_lcu
from source
