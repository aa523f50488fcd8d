-- Benefit adequacy (methodology §9, adequacy benchmarks; §1.3): average benefit per beneficiary
-- of each scheme and risk (current SSI submission), annualised, relative to GDP per capita, next
-- to the ILO C102 minimum replacement rate for the risk. Where inputs allow: no wage or poverty
-- line is collected, so replacement rates themselves are not computed.
with amounts as (
    select
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
)

select
    amounts.iso3,
    amounts.reference_year as "year",
    amounts.scheme_id,
    amounts.scheme_type,
    amounts.risk,
    amounts.sex,
    amounts.average_benefit_lcu_month,
    12 * amounts.average_benefit_lcu_month as average_benefit_lcu_year,
    e.gdp_lcu / nullif(p.total_population, 0) as gdp_per_capita_lcu,
    {{ rate_pct('12 * amounts.average_benefit_lcu_month',
        'e.gdp_lcu / nullif(p.total_population, 0)') }} as benefit_pct_gdp_per_capita,
    case amounts.risk
        when 'sickness' then 45
        when 'unemployment' then 45
        when 'old_age' then 40
        when 'employment_injury' then 50
        when 'maternity' then 45
        when 'disability' then 40
        when 'survivors' then 40
    end as c102_min_replacement_rate_pct
from amounts
left join {{ ref('stg_national__economy') }} as e
    on amounts.iso3 = e.iso3 and amounts.reference_year = e.reference_year
left join {{ ref('int_reference_populations') }} as p
    on amounts.iso3 = p.iso3 and amounts.reference_year = p.reference_year and p.sex = '_T'
