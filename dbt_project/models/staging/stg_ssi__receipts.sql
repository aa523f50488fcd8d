with source as (
    select * from {{ source('landing', 'ssi_receipts') }}
)

select
    submission_id,
    iso3,
    cast(reference_year as integer) as reference_year,
    scheme_id,
    "source" as revenue_source,
    cast(amount_lcu as double) as amount_lcu
from source
