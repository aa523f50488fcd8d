-- Effective coverage (methodology §2.1): covered persons, reference population and the rate
-- 100 × covered / reference population, per country × year × risk × sex. Rates above 100 are
-- kept as computed and flagged (§0). No row without both numerator and denominator (§2.1: no
-- country-level imputation).
with pension as (
    select
        n.iso3,
        n.reference_year as "year",
        'old_age' as risk,
        n.sex,
        n.covered,
        d.population_above_spa as reference_population,
        n.submission_id,
        not n.age_detail or d.spa_interpolated as is_estimated,
        'old-age pensioners at or above the statutory pensionable age (by sex) / population '
        || 'at or above it; universal and other schemes combined as greatest of the two'
        || case when not n.age_detail then '; some schemes without age breakdown counted in full'
            else '' end
        || case when d.spa_interpolated then '; SPA inside a 5-year age group split linearly'
            else '' end as method
    from {{ ref('int_old_age_pensioners_above_spa') }} as n
    inner join {{ ref('int_population_above_spa') }} as d
        on n.iso3 = d.iso3 and n.reference_year = d.reference_year and n.sex = d.sex
)

select
    pension.iso3,
    pension."year",
    pension.risk,
    pension.sex,
    risks.sdg_series_code as series_code,
    pension.covered,
    pension.reference_population,
    {{ rate_pct('pension.covered', 'pension.reference_population') }} as coverage_rate,
    coalesce({{ rate_pct('pension.covered', 'pension.reference_population') }} > 100, false)
        as is_above_100,
    pension.is_estimated,
    pension.method,
    pension.submission_id
from pension
inner join {{ ref('risks') }} as risks on pension.risk = risks.risk
