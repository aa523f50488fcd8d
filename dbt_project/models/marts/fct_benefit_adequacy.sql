-- Benefit adequacy (methodology §9 adequacy, §1.3, §0 counting basis): the average benefit per
-- beneficiary of each scheme, risk and sex (current SSI submission), annualised where that has
-- a meaning, relative to GDP per capita; the ILO C102 minimum replacement rate of the risk is
-- given apart as a benchmark and never compared (decision, docs/decisions.md "Benefit adequacy").
--
-- Annualisation (the `benefit_amounts` sheet gives a monthly average only; its benefit type is
-- read from the scheme's `beneficiaries` rows for the risk):
--   periodic — a long-term periodic cash benefit (old age, disability, survivors, employment
--     injury pensions, child and social assistance allowances): annual = 12 × monthly;
--   short_term — maternity, sickness, unemployment: paid for weeks (C102/C183 durations), the
--     sheet has no duration, so no annual value;
--   lump_sum — paid once, or a scheme paying lump sums beside periodic benefits for the risk
--     (the average cannot be attributed to one of them): no annual value, no monthly ratio;
--   unknown — no cash beneficiaries reported for the scheme and risk: no annual value.
-- A replacement rate relates a benefit to the beneficiary's previous earnings; no earnings are
-- collected, so none is computed, and the ratio to GDP per capita is a different quantity.
with amounts as (
    select
        a.submission_id,
        a.iso3,
        a.reference_year,
        a.scheme_id,
        s.scheme_type,
        a.risk,
        a.sex,
        a.average_benefit_lcu_month
    from {{ ref('stg_ssi__benefit_amounts') }} as a
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on a.submission_id = s.submission_id and a.scheme_id = s.scheme_id
),

-- cash benefit types the scheme reports beneficiaries of, for the risk
benefit_types as (
    select
        submission_id,
        scheme_id,
        risk,
        bool_or(benefit_type = 'cash_periodic') as has_periodic,
        bool_or(benefit_type = 'cash_lump_sum') as has_lump_sum
    from {{ ref('stg_ssi__beneficiaries') }}
    where benefit_type in ('cash_periodic', 'cash_lump_sum')
    group by submission_id, scheme_id, risk
),

submissions as (
    select
        submission_id,
        currency
    from {{ ref('int_ssi_submissions_ranked') }}
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

classified as (
    select
        a.*,
        u.currency,
        case
            when t.has_lump_sum then 'lump_sum'
            when a.risk in ('maternity', 'sickness', 'unemployment') then 'short_term'
            when t.has_periodic then 'periodic'
            else 'unknown'
        end as benefit_kind,
        case
            when e.gdp_lcu is null or p.total_population is null then 'no_gdp_for_year'
            when u.currency is null or u.currency <> e.currency then 'currency_mismatch'
        end as gdp_null_reason,
        e.gdp_lcu / nullif(p.total_population, 0) as gdp_per_capita
    from amounts as a
    left join benefit_types as t
        on a.submission_id = t.submission_id and a.scheme_id = t.scheme_id and a.risk = t.risk
    left join submissions as u on a.submission_id = u.submission_id
    left join economy as e on a.iso3 = e.iso3 and a.reference_year = e.reference_year
    left join population as p on a.iso3 = p.iso3 and a.reference_year = p.reference_year
),

annualised as (
    select
        *,
        case when benefit_kind = 'periodic' then 12 * average_benefit_lcu_month end
            as average_benefit_lcu_year,
        case benefit_kind
            when 'short_term' then 'short_term_benefit_duration_unknown'
            when 'lump_sum' then 'lump_sum_not_annualised'
            when 'unknown' then 'benefit_type_not_reported'
        end as annual_null_reason,
        case when gdp_null_reason is null then gdp_per_capita end as gdp_per_capita_lcu
    from classified
)

select
    iso3,
    reference_year as "year",
    scheme_id,
    scheme_type,
    risk,
    sex,
    currency,
    benefit_kind,
    average_benefit_lcu_month,
    average_benefit_lcu_year,
    annual_null_reason,
    gdp_per_capita_lcu,
    gdp_null_reason,
    {{ rate_pct('average_benefit_lcu_year', 'gdp_per_capita_lcu') }}
        as benefit_pct_gdp_per_capita,
    case
        when benefit_kind <> 'lump_sum'
            then {{ rate_pct('average_benefit_lcu_month', 'gdp_per_capita_lcu / 12.0') }}
    end as monthly_benefit_pct_monthly_gdp_per_capita,
    case risk
        when 'sickness' then 45
        when 'unemployment' then 45
        when 'old_age' then 40
        when 'employment_injury' then 50
        when 'maternity' then 45
        when 'disability' then 40
        when 'survivors' then 40
    end as c102_benchmark_replacement_rate_pct
from annualised
