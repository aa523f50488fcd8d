-- Effective coverage (methodology §2): covered persons, reference population and
-- coverage_rate = 100 × covered / reference_population per country × year × risk × sex.
-- Risks and population groups, numerator / denominator (§2.1, §2.2, §2.3, §6.3):
--   children           child/family cash beneficiaries / children 0–14
--   maternity          maternity cash beneficiaries (women) / women giving birth (F only)
--   disability         disability cash beneficiaries / persons with severe disabilities
--   unemployment       unemployment cash beneficiaries / unemployed
--   employment_injury  active contributors to injury schemes + employer liability / employed
--   sickness           active contributors to sickness schemes / employed (§2.3, not SDG)
--   old_age            pensioners at or above the SPA / population at or above the SPA
--   health             persons protected by a health scheme / total population (§6.3, capped)
--   vulnerable         non-contributory cash beneficiaries / vulnerable persons
--   poor               means-tested cash beneficiaries / persons below the poverty line
--   any_benefit        life-cycle partition (§2.2) / total population
-- Rates above 100 are kept as computed and flagged (§0); health is capped at 100 (§6.3).
-- No row without both numerator and denominator (no country-level imputation).
with ben as (
    select * from {{ ref('int_beneficiaries_by_risk') }}
),

ref as (
    select * from {{ ref('int_reference_populations') }}
),

social_assistance_by_sex as (
    -- non-contributory and means-tested recipients summed over risks (health excluded)
    select
        iso3,
        reference_year,
        sex,
        any_value(submission_id) as submission_id,
        sum(non_contributory) as non_contributory,
        sum(means_tested) as means_tested,
        count(*) filter (where non_contributory > 0) as n_non_contributory_risks,
        count(*) filter (where means_tested > 0) as n_means_tested_risks
    from ben
    where risk <> 'health'
    group by all
),

social_assistance as (
    -- a sex is complete only when every risk with such recipients reports that sex
    select
        s.*,
        s.sex = '_T' or s.n_non_contributory_risks = t.n_non_contributory_risks
            as complete_non_contributory,
        s.sex = '_T' or s.n_means_tested_risks = t.n_means_tested_risks
            as complete_means_tested
    from social_assistance_by_sex as s
    inner join social_assistance_by_sex as t
        on s.iso3 = t.iso3 and s.reference_year = t.reference_year and t.sex = '_T'
),

injury_sickness_contributors as (
    select * from {{ ref('int_active_contributors') }}
    where risk in ('employment_injury', 'sickness')
),

injury_sickness_liability as (
    select * from {{ ref('int_employer_liability_covered') }}
    where risk in ('employment_injury', 'sickness')
),

numerators as (
    select
        iso3,
        reference_year,
        risk,
        sex,
        covered,
        submission_id,
        'cash beneficiaries of all schemes for the risk / the risk''s reference population'
            as method,
        false as is_estimated
    from ben
    where risk in ('children', 'disability', 'unemployment')

    union all
    -- maternity cash benefits go to women: the all-sex count is the women's count
    select
        iso3,
        reference_year,
        risk,
        'F' as sex,
        covered,
        submission_id,
        'women receiving maternity cash benefits / live births adjusted for multiple births',
        false
    from ben
    where risk = 'maternity' and sex = '_T'

    union all
    select
        coalesce(c.iso3, e.iso3),
        coalesce(c.reference_year, e.reference_year),
        coalesce(c.risk, e.risk),
        coalesce(c.sex, e.sex),
        coalesce(c.contributors, 0) + coalesce(e.legally_covered, 0),
        coalesce(c.submission_id, e.submission_id),
        case coalesce(c.risk, e.risk)
            when 'employment_injury'
                then
                    'active contributors to employment-injury insurance plus workers covered '
                    || 'by employer liability / employed'
            else
                'active contributors to sickness cash schemes plus workers covered by '
                || 'employer liability / employed (methodology §2.3)'
        end,
        false
    from injury_sickness_contributors as c
    full outer join injury_sickness_liability as e
        on
            c.iso3 = e.iso3 and c.reference_year = e.reference_year and c.sex = e.sex
            and c.risk = e.risk

    union all
    select
        n.iso3,
        n.reference_year,
        'old_age',
        n.sex,
        n.covered,
        n.submission_id,
        'old-age pensioners at or above the statutory pensionable age (by sex) / population '
        || 'at or above it (periodic pensions; schemes add up)'
        || case
            when not n.age_detail then '; some schemes without age breakdown counted in full'
            else ''
        end
        || case
            when d.spa_interpolated then '; SPA inside a 5-year age group split linearly'
            else ''
        end,
        not n.age_detail or d.spa_interpolated
    from {{ ref('int_old_age_pensioners_above_spa') }} as n
    inner join {{ ref('int_population_above_spa') }} as d
        on n.iso3 = d.iso3 and n.reference_year = d.reference_year and n.sex = d.sex

    union all
    select
        iso3,
        reference_year,
        'health',
        sex,
        covered,
        submission_id,
        'persons protected by social health protection schemes / total population (capped at 100)',
        false
    from ben
    where risk = 'health'

    union all
    select
        iso3,
        reference_year,
        'vulnerable',
        sex,
        non_contributory,
        submission_id,
        'non-contributory cash beneficiaries, all risks / total population less contributors, '
        || 'contributory beneficiaries and contributory pensioners',
        false
    from social_assistance
    where complete_non_contributory

    union all
    select
        iso3,
        reference_year,
        'poor',
        sex,
        means_tested,
        submission_id,
        'means-tested (social assistance) cash beneficiaries, all risks / population below the '
        || 'national poverty line',
        false
    from social_assistance
    where complete_means_tested

    union all
    select
        iso3,
        reference_year,
        'any_benefit',
        sex,
        covered,
        submission_id,
        'life-cycle partition without double counting (methodology §2.2): children + working age '
        || '+ older persons, each capped at its population / total population',
        true
    from {{ ref('int_any_benefit_life_cycle') }}
),

with_denominator as (
    select
        n.*,
        {{ coverage_reference_population('n.risk') }} as reference_population
    from numerators as n
    inner join ref as r
        on n.iso3 = r.iso3 and n.reference_year = r.reference_year and n.sex = r.sex
    left join {{ ref('int_vulnerable_population') }} as v
        on n.iso3 = v.iso3 and n.reference_year = v.reference_year and n.sex = v.sex
),

rated as (
    select
        *,
        {{ rate_pct('covered', 'reference_population') }} as raw_rate
    from with_denominator
    where reference_population is not null and covered is not null
)

select
    rated.iso3,
    rated.reference_year as "year",
    rated.risk,
    rated.sex,
    risks.sdg_series_code as series_code,
    rated.covered,
    rated.reference_population,
    case when rated.risk = 'health' then least(rated.raw_rate, 100.0) else rated.raw_rate end
        as coverage_rate,
    coalesce(rated.raw_rate > 100 and rated.risk <> 'health', false) as is_above_100,
    rated.is_estimated,
    rated.method,
    rated.submission_id
from rated
inner join {{ ref('risks') }} as risks on rated.risk = risks.risk
