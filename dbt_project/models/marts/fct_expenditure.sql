-- Social protection expenditure (methodology §4) per country × year × function × scheme type,
-- from the current SSI submission, consolidated: transfers to other schemes are dropped when
-- schemes are summed. `scheme_type` = '_T' rows sum all scheme types; `function` =
-- 'total_excluding_health' (WSPR headline) and 'total_including_health' sum the functions.
-- Every ratio to the national accounts (GDP, government expenditure, exchange rate, PPP factor)
-- needs the submission's money and the national accounts' money in one currency: when the
-- submission's currency differs from GDP's, or there is no GDP for the year, they are null and
-- `pct_gdp_null_reason` says why (decision, docs/decisions.md "Expenditure and currencies").
--   pct_gdp = 100 × expenditure / GDP (current prices, same year);
--   per_capita_usd = expenditure / (GDP LCU / GDP USD) / population (current USD);
--   per_capita_ppp_current = expenditure / PPP factor of the year / population (current PPP$);
--   per_capita_ppp_constant = expenditure / (GDP deflator / 100) / PPP factor of the deflator's
--     base year / population: constant PPP$ of `ppp_base_year` (§4: LCU / PPP / deflator).
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
),

economy as (
    select * from {{ ref('stg_national__economy') }}
),

population as (
    select
        iso3,
        reference_year,
        total_population
    from {{ ref('int_reference_populations') }}
    where sex = '_T'
),

-- national accounts of the year, with the PPP factor of the deflator's base year (same currency)
national as (
    select
        e.iso3,
        e.reference_year,
        e.currency as gdp_currency,
        e.gdp_lcu,
        e.gdp_usd,
        e.gov_expenditure_lcu,
        e.ppp_factor,
        e.ppp_source,
        e.gdp_deflator,
        e.deflator_base_year,
        b.ppp_factor as base_year_ppp_factor
    from economy as e
    left join economy as b
        on
            e.iso3 = b.iso3
            and e.deflator_base_year = b.reference_year
            and e.currency = b.currency
),

joined as (
    select
        a.*,
        c.currency,
        n.gdp_currency,
        n.gdp_lcu,
        n.gdp_usd,
        n.gov_expenditure_lcu,
        n.ppp_factor,
        n.ppp_source,
        n.gdp_deflator,
        n.deflator_base_year,
        n.base_year_ppp_factor,
        p.total_population,
        case
            when n.gdp_lcu is null then 'no_gdp_for_year'
            when c.currency is null then 'no_submission_currency'
            when c.currency <> n.gdp_currency then 'currency_mismatch'
        end as pct_gdp_null_reason
    from all_rows as a
    left join currency as c on a.iso3 = c.iso3 and a.reference_year = c.reference_year
    left join national as n on a.iso3 = n.iso3 and a.reference_year = n.reference_year
    left join population as p on a.iso3 = p.iso3 and a.reference_year = p.reference_year
),

-- money comparable with the national accounts (null when the currencies differ)
comparable as (
    select
        *,
        case when pct_gdp_null_reason is null then expenditure_lcu end as comparable_lcu,
        case
            when pct_gdp_null_reason is not null then pct_gdp_null_reason
            when gdp_deflator is null then 'no_gdp_deflator'
            when base_year_ppp_factor is null then 'no_ppp_factor_for_base_year'
            when total_population is null then 'no_population'
        end as per_capita_ppp_constant_null_reason
    from joined
)

select
    iso3,
    reference_year as "year",
    "function",
    scheme_type,
    expenditure_lcu,
    gross_expenditure_lcu,
    benefits_cash_lcu,
    benefits_in_kind_lcu,
    administration_lcu,
    currency,
    gdp_currency,
    {{ rate_pct('comparable_lcu', 'gdp_lcu') }} as pct_gdp,
    pct_gdp_null_reason,
    comparable_lcu / nullif(gdp_lcu / nullif(gdp_usd, 0), 0)
    / nullif(total_population, 0) as per_capita_usd,
    comparable_lcu / nullif(ppp_factor, 0) / nullif(total_population, 0)
        as per_capita_ppp_current,
    case
        when per_capita_ppp_constant_null_reason is null
            then
                comparable_lcu / (gdp_deflator / 100.0) / nullif(base_year_ppp_factor, 0)
                / nullif(total_population, 0)
    end as per_capita_ppp_constant,
    case when per_capita_ppp_constant_null_reason is null then deflator_base_year end
        as ppp_base_year,
    ppp_source,
    per_capita_ppp_constant_null_reason,
    {{ rate_pct('comparable_lcu', 'gov_expenditure_lcu') }} as pct_gov_expenditure,
    coalesce(currency <> gdp_currency, false) as is_currency_mismatch
from comparable
