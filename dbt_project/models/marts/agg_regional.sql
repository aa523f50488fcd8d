-- Regional and global aggregates (methodology §7) of the SDG 1.3.1 coverage series and the UHC
-- index, per region × year × series × sex, in the two variants of the macro regional_estimates
-- (the one definition, shared with `floorboard aggregate`; docs/decisions.md "Regional
-- estimates"):
-- * reported (`value`, `value_unsuppressed`): over the reporting countries, Σ covered /
--   Σ reference population (UHC: population-weighted mean of the indices);
-- * estimated (`value_estimated`): every country of the region, the non-reporting ones imputed
--   (nearest value within the window, else the regression of the macro), with n_imputed and
--   imputed_weight_share;
-- * the universe of a region is every country and territory of UN M49 in it (real reference
--   populations, raw/reference), so population_coverage measures real coverage; the 50 % rule
--   withholds the reported value below it (is_suppressed); n_countries, n_reporting published;
-- * region types: world, sdg_region, sdg_subregion, ilo_region, ilo_subregion, income_group
--   (World Bank, by fiscal year), ldc, lldc, sids, with the M49 code where the group has one;
-- * NATURE `N` (§8.1: the UN database gives every ILO aggregate `N`); TIME_DETAIL the year, or
--   the range of the reporting countries' years if they ever differ (today they never do: a
--   country is reporting only with a value of the aggregate's year).
-- Imputed country values are never published as country data.
with series as (
    select
        risk,
        sdg_series_code as series_code
    from {{ ref('risks') }}
    where sdg_series_code is not null
),

coverage as (
    select * from {{ ref('fct_effective_coverage') }}
),

uhc as (
    select * from {{ ref('fct_uhc_service_coverage') }}
),

populations as (
    select * from {{ ref('int_reference_populations') }}
),

country_values as (
    -- a country's value with its own denominator (the weight of the reported variant)
    select
        s.series_code,
        c.iso3,
        c."year",
        c.sex,
        c.coverage_rate as "value",
        cast(c.reference_population as double) as weight
    from coverage as c
    inner join series as s on c.risk = s.risk
    where c.coverage_rate is not null
    union all
    select
        'SH_ACS_UNHC',
        u.iso3,
        u."year",
        '_T',
        u.uhc_index,
        cast(p.total_population as double)
    from uhc as u
    left join populations as p
        on u.iso3 = p.iso3 and u."year" = p.reference_year and p.sex = '_T'
    where u.uhc_index is not null
),

{{ regional_estimates('country_values') }},

final as (
    select
        region_type,
        m49,
        region,
        "year" as time_period,
        series_code,
        sex,
        case when not is_suppressed then value_reported end as "value",
        value_reported as value_unsuppressed,
        is_suppressed,
        population_coverage,
        n_countries,
        n_reporting,
        case
            when series_code = 'SH_ACS_UNHC' then reported_weighted_sum
            else reported_weighted_sum / 100
        end as covered,
        reporting_weight as reference_population,
        universe_weight as region_reference_population,
        min_country_value,
        max_country_value,
        case when series_code = 'SH_ACS_UNHC' then 'IX' else 'PT' end as unit_measure,
        value_estimated,
        n_carried + n_modelled as n_imputed,
        imputed_weight_share,
        {{ sdmx_nature('aggregate') }} as nature,
        {{ sdmx_time_detail('first_input_year', 'last_input_year') }} as time_detail
    from re_regions
    where n_reporting > 0
)

select * from final
