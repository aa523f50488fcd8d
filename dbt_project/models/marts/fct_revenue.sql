-- Social protection revenue by source (methodology §4): receipts of the schemes of the current
-- SSI submission, as national currency, % of total receipts and % of GDP.
with receipts as (
    select
        r.iso3,
        r.reference_year,
        r.revenue_source,
        sum(r.amount_lcu) as amount_lcu
    from {{ ref('stg_ssi__receipts') }} as r
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on r.submission_id = s.submission_id and r.scheme_id = s.scheme_id
    group by all
)

select
    receipts.iso3,
    receipts.reference_year as "year",
    receipts.revenue_source,
    receipts.amount_lcu,
    {{ rate_pct('receipts.amount_lcu',
        'sum(receipts.amount_lcu) over (partition by receipts.iso3, receipts.reference_year)') }}
        as pct_total_receipts,
    {{ rate_pct('receipts.amount_lcu', 'e.gdp_lcu') }} as pct_gdp
from receipts
left join {{ ref('stg_national__economy') }} as e
    on receipts.iso3 = e.iso3 and receipts.reference_year = e.reference_year
