-- Social protection revenue by source (methodology §4): receipts of the schemes of the current
-- SSI submission, as national currency, % of total receipts and % of GDP. % of GDP needs the
-- submission's currency to be GDP's (as in fct_expenditure): otherwise null, and
-- `pct_gdp_null_reason` says why.
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
),

currency as (
    select
        iso3,
        reference_year,
        currency
    from {{ ref('int_ssi_submissions_ranked') }}
    where is_current
),

economy as (
    select * from {{ ref('stg_national__economy') }}
),

joined as (
    select
        receipts.*,
        c.currency,
        e.currency as gdp_currency,
        e.gdp_lcu,
        case
            when e.gdp_lcu is null then 'no_gdp_for_year'
            when c.currency is null then 'no_submission_currency'
            when c.currency <> e.currency then 'currency_mismatch'
        end as pct_gdp_null_reason
    from receipts
    left join currency as c
        on receipts.iso3 = c.iso3 and receipts.reference_year = c.reference_year
    left join economy as e
        on receipts.iso3 = e.iso3 and receipts.reference_year = e.reference_year
)

select
    iso3,
    reference_year as "year",
    revenue_source,
    amount_lcu,
    {{ rate_pct('amount_lcu',
        'sum(amount_lcu) over (partition by iso3, reference_year)') }}
        as pct_total_receipts,
    case
        when pct_gdp_null_reason is null then {{ rate_pct('amount_lcu', 'gdp_lcu') }}
    end as pct_gdp,
    currency,
    gdp_currency,
    pct_gdp_null_reason
from joined
