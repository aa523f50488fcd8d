-- Social protection expenditure (methodology §4) per country × year × function × scheme type,
-- from the current SSI submission, consolidated: transfers to other schemes are dropped when
-- schemes are summed. `scheme_type` = '_T' rows sum all scheme types; `function` =
-- 'total_excluding_health' (WSPR headline) and 'total_including_health' sum the functions.
-- pct_gdp = 100 × expenditure / GDP (current prices, same year); per capita in USD
-- (expenditure / (GDP LCU / GDP USD) / population) and in PPP$ (expenditure / PPP factor /
-- population); share of general government expenditure.
with spend as (
    select
        e.iso3,
        e.reference_year,
        e."function",
        s.scheme_type,
        sum(case when e.item <> 'transfers_to_other_schemes' then e.amount_lcu else 0 end)
            as expenditure_lcu,
        sum(e.amount_lcu) as gross_expenditure_lcu,
        sum(case when e.item = 'benefits_cash' then e.amount_lcu else 0 end) as benefits_cash_lcu,
        sum(case when e.item = 'benefits_in_kind' then e.amount_lcu else 0 end)
            as benefits_in_kind_lcu,
        sum(case when e.item = 'administration' then e.amount_lcu else 0 end)
            as administration_lcu
    from {{ ref('stg_ssi__expenditure') }} as e
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on e.submission_id = s.submission_id and e.scheme_id = s.scheme_id
    group by all
),

functions_total as (
    select
        iso3,
        reference_year,
        "function",
        '_T' as scheme_type,
        sum(expenditure_lcu) as expenditure_lcu,
        sum(gross_expenditure_lcu) as gross_expenditure_lcu,
        sum(benefits_cash_lcu) as benefits_cash_lcu,
        sum(benefits_in_kind_lcu) as benefits_in_kind_lcu,
        sum(administration_lcu) as administration_lcu
    from spend
    group by all
),

grand_totals as (
    select
        iso3,
        reference_year,
        total_name as "function",
        scheme_type,
        sum(expenditure_lcu) as expenditure_lcu,
        sum(gross_expenditure_lcu) as gross_expenditure_lcu,
        sum(benefits_cash_lcu) as benefits_cash_lcu,
        sum(benefits_in_kind_lcu) as benefits_in_kind_lcu,
        sum(administration_lcu) as administration_lcu
    from (
        select
            *,
            'total_including_health' as total_name
        from spend
        union all
        select
            *,
            'total_excluding_health'
        from spend
        where "function" <> 'health'
        union all
        select
            *,
            'total_including_health'
        from functions_total
        union all
        select
            *,
            'total_excluding_health'
        from functions_total
        where "function" <> 'health'
    ) as totals
    group by all
),

all_rows as (
    select * from spend
    union all
    select * from functions_total
    union all
    select * from grand_totals
),

currency as (
    select
        iso3,
        reference_year,
        currency
    from {{ ref('int_ssi_submissions_ranked') }}
    where is_current
)

select
    a.iso3,
    a.reference_year as "year",
    a."function",
    a.scheme_type,
    a.expenditure_lcu,
    a.gross_expenditure_lcu,
    a.benefits_cash_lcu,
    a.benefits_in_kind_lcu,
    a.administration_lcu,
    c.currency,
    {{ rate_pct('a.expenditure_lcu', 'e.gdp_lcu') }} as pct_gdp,
    a.expenditure_lcu / nullif(e.gdp_lcu / nullif(e.gdp_usd, 0), 0)
    / nullif(p.total_population, 0) as per_capita_usd,
    a.expenditure_lcu / nullif(e.ppp_factor, 0) / nullif(p.total_population, 0)
        as per_capita_ppp,
    {{ rate_pct('a.expenditure_lcu', 'e.gov_expenditure_lcu') }} as pct_gov_expenditure,
    (c.currency is distinct from e.currency) as is_currency_mismatch
from all_rows as a
left join currency as c on a.iso3 = c.iso3 and a.reference_year = c.reference_year
left join {{ ref('stg_national__economy') }} as e
    on a.iso3 = e.iso3 and a.reference_year = e.reference_year
left join {{ ref('int_reference_populations') }} as p
    on a.iso3 = p.iso3 and a.reference_year = p.reference_year and p.sex = '_T'
