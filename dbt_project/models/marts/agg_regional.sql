-- Regional and global aggregates (methodology §7) of the SDG 1.3.1 coverage series and the UHC
-- index, per region × year × series × sex, over the reporting countries (variant (a), no
-- imputation):
-- * coverage rates: Σ covered / Σ reference population (weights = the series denominator);
-- * UHC index: population-weighted mean of the country indices;
-- * population_coverage = Σ denominators of reporting countries / Σ denominators of all the
--   region's countries with national statistics (F/M poor and severely disabled of a country
--   without a rate for that sex: the total rate × that sex's population, for this share only);
--   n_countries and n_reporting always published;
-- * suppression: below 50 % population coverage the value is withheld (is_suppressed);
-- * by sex from sex-specific counts. Region types: world, ilo_region, ilo_subregion,
--   sdg_region, income_group;
-- * NATURE `N` (§8.1: the UN database gives every ILO aggregate `N`); TIME_DETAIL the year, or
--   the range of the reporting countries' years if they ever differ (today they never do: a
--   country enters an aggregate only with a value of the aggregate's year).
with countries as (
    select
        iso3,
        unnest([
            { 'region_type': 'world', 'region': 'World' },
            { 'region_type': 'ilo_region', 'region': ilo_region },
            { 'region_type': 'ilo_subregion', 'region': ilo_subregion },
            { 'region_type': 'sdg_region', 'region': sdg_region },
            { 'region_type': 'income_group', 'region': income_group }
        ]) as r
    from {{ ref('dim_country') }}
),

regions as (
    select
        countries.iso3,
        r.region_type,
        r.region
    from countries
),

series as (
    select
        risk,
        sdg_series_code as series_code
    from {{ ref('risks') }}
    where sdg_series_code is not null
),

denominators as (
    -- the reference population of every country, reporting or not, per series. The poor and
    -- the severely disabled of a sex are known only where national statistics give a rate for
    -- that sex (int_reference_populations); for the region's universe only (population
    -- coverage, never a weight), a country without one counts with the total rate applied to
    -- that sex's population, so F/M coverage is not measured over the few countries with sex
    -- rates alone
    select
        r.iso3,
        r.reference_year,
        r.sex,
        s.series_code,
        s.risk,
        coalesce(
            {{ coverage_reference_population('s.risk') }},
            case
                when s.risk in ('poor', 'disability') and r.sex in ('F', 'M')
                    then
                        r.total_population * {{ coverage_reference_population('s.risk', r='t') }}
                        / nullif(t.total_population, 0)
            end
        ) as reference_population
    from {{ ref('int_reference_populations') }} as r
    cross join series as s
    left join {{ ref('int_reference_populations') }} as t
        on r.iso3 = t.iso3 and r.reference_year = t.reference_year and t.sex = '_T'
    left join {{ ref('int_vulnerable_population') }} as v
        on r.iso3 = v.iso3 and r.reference_year = v.reference_year and r.sex = v.sex
),

coverage as (
    select
        g.region_type,
        g.region,
        d.reference_year as time_period,
        d.series_code,
        d.sex,
        sum(f.covered) as covered,
        sum(case when f.covered is not null then f.reference_population end)
            as reporting_reference_population,
        sum(d.reference_population) as region_reference_population,
        count(distinct d.iso3) as n_countries,
        count(distinct f.iso3) as n_reporting,
        min(f.coverage_rate) as min_country_value,
        max(f.coverage_rate) as max_country_value,
        min(f."year") as first_input_year,
        max(f."year") as last_input_year
    from denominators as d
    inner join regions as g on d.iso3 = g.iso3
    left join {{ ref('fct_effective_coverage') }} as f
        on
            d.iso3 = f.iso3 and d.reference_year = f."year" and d.sex = f.sex
            and d.risk = f.risk
    where d.reference_population is not null
    group by all
),

uhc as (
    select
        g.region_type,
        g.region,
        p.reference_year as time_period,
        'SH_ACS_UNHC' as series_code,
        '_T' as sex,
        sum(u.uhc_index * p.total_population) as covered,
        sum(case when u.uhc_index is not null then p.total_population end)
            as reporting_reference_population,
        sum(p.total_population) as region_reference_population,
        count(distinct p.iso3) as n_countries,
        count(distinct u.iso3) as n_reporting,
        min(u.uhc_index) as min_country_value,
        max(u.uhc_index) as max_country_value,
        min(u."year") as first_input_year,
        max(u."year") as last_input_year
    from {{ ref('int_reference_populations') }} as p
    inner join regions as g on p.iso3 = g.iso3
    left join {{ ref('fct_uhc_service_coverage') }} as u
        on p.iso3 = u.iso3 and p.reference_year = u."year"
    where p.sex = '_T'
    group by all
),

unioned as (
    select
        *,
        'PT' as unit_measure
    from coverage
    union all
    select
        *,
        'IX'
    from uhc
),

rated as (
    select
        *,
        case
            when unit_measure = 'IX'
                then covered / nullif(reporting_reference_population, 0)
            else {{ rate_pct('covered', 'reporting_reference_population') }}
        end as computed_value,
        100.0 * reporting_reference_population / nullif(region_reference_population, 0)
            as population_coverage
    from unioned
    where n_reporting > 0
)

select
    region_type,
    region,
    time_period,
    series_code,
    sex,
    case when population_coverage >= 50 then computed_value end as "value",
    computed_value as value_unsuppressed,
    population_coverage < 50 as is_suppressed,
    population_coverage,
    n_countries,
    n_reporting,
    covered,
    reporting_reference_population as reference_population,
    region_reference_population,
    min_country_value,
    max_country_value,
    unit_measure,
    {{ sdmx_nature('aggregate') }} as nature,
    {{ sdmx_time_detail('first_input_year', 'last_input_year') }} as time_detail
from rated
