{#-
  Regional and global estimates (methodology §7; docs/decisions.md "Regional estimates"), the one
  definition behind agg_regional and `floorboard aggregate` (agg_input_file). Renders CTEs to
  place inside a model's `with`, ending with the CTE `<prefix>_regions`.

  Inputs (names of CTEs of the calling model):
  * country_values: series_code, iso3, "year", sex, "value" (a rate in %, or an index), weight
    (the country's own denominator for that value, or null: then its proxy weight).

  The universe of a series × year × sex is every country and territory of UN M49 with a
  population (int_aggregate_universe), for the series, years and sexes the values have. Each
  country of it is, in this order:
  1. reported: a value of the year;
  2. carried: else its latest value of the `window` years before;
  3. modelled: else the prediction of a regression fitted, per series × year × sex, on the
     countries of 1 and 2: logit(value / 100) on log GDP per capita with SDG-region fixed effects
     (one common slope, fitted on the deviations from the regional means; a region without any
     value takes the pooled intercept and slope; a country without GDP its region's mean, or
     the overall mean). Index series (not %) are fitted the same way on value / 100.
  Weights: value_reported, the §7 formula Σ covered / Σ reference population over the reporting
  countries, weighs each by its own denominator (its proxy when it has none); the universe
  (population_coverage) and value_estimated weigh every country by its proxy (seed
  aggregate_weight_proxies), the one weight known for every country, so that reporting and
  imputed countries are on the same scale.

  `<prefix>_countries`: the country grid with the value used and how it was obtained (method);
  `<prefix>_regions` per series × region × year × sex:
  * value_reported = Σ w·v / Σ w over reported countries (variant `reported`);
  * value_estimated = Σ w·v / Σ w over every country with a value (variant `estimated`);
  * population_coverage = 100 × Σ w reported / Σ w universe, is_suppressed below 50 % (var
    aggregate_min_population_coverage: the reported variant is then withheld); imputed_weight_share = 100 × Σ w
    carried or modelled / Σ w universe; n_countries, n_reporting, n_carried, n_modelled.
-#}
{% macro regional_estimates(country_values, window=none, prefix='re') -%}
    {%- set window = window if window is not none else var('aggregate_window_years', 5) -%}
    {{ prefix }}_universe as (
        select
            u.series_code,
            u.iso3,
            u."year",
            u.sex,
            u.log_gdp_per_capita,
            u.sdg_region,
            u.proxy_weight as weight
        from {{ ref('int_aggregate_universe') }} as u
        where exists (
            select 1 from {{ country_values }} as c
            where c.series_code = u.series_code and c."year" = u."year" and c.sex = u.sex
        )
    ),

    {{ prefix }}_observed as (
        select
            c.series_code,
            c.iso3,
            c."year",
            c.sex,
            c."value",
            c.weight
        from {{ country_values }} as c
        where c."value" is not null
    ),

    {{ prefix }}_filled as (
        -- the value of the year, or the nearest one within the window around it (the earlier
        -- on a tie): published values refer to the year of their data, often a year or two
        -- off the reference year of the aggregate (the ILO's "latest available value")
        select
            u.*,
            o."value" as observed_value,
            o."year" as value_year,
            case when o."year" = u."year" then coalesce(o.weight, u.weight) end as own_weight
        from {{ prefix }}_universe as u
        left join {{ prefix }}_observed as o
            on
                u.series_code = o.series_code and u.iso3 = o.iso3 and u.sex = o.sex
                and o."year" between u."year" - {{ window }} and u."year" + {{ window }}
        qualify row_number() over (
            partition by u.series_code, u.iso3, u."year", u.sex
            order by abs(o."year" - u."year") nulls last, o."year"
        ) = 1
    ),

    {{ prefix }}_fit as (
        -- logit of the value, bounded away from 0 and 100 so that a 0 % or 100 % country does
        -- not get an infinite weight in the fit
        select
            *,
            ln(
                greatest(least(observed_value, 99.5), 0.5)
                / (100 - greatest(least(observed_value, 99.5), 0.5))
            ) as y
        from {{ prefix }}_filled
        where observed_value is not null
    ),

    {{ prefix }}_region_means as (
        select
            series_code,
            "year",
            sex,
            sdg_region,
            avg(y) as y_mean,
            avg(log_gdp_per_capita) as x_mean
        from {{ prefix }}_fit
        group by all
    ),

    {{ prefix }}_slopes as (
        -- the common slope with SDG-region fixed effects (Frisch-Waugh: the slope of the
        -- deviations from the regional means), and the pooled line for regions without data
        select
            f.series_code,
            f."year",
            f.sex,
            -- DuckDB's regr_slope is NaN, not NULL, when x does not vary (one country with a
            -- value per region, or the same GDP): the slope is undetermined, i.e. NULL (a NaN
            -- made every estimate of the region NaN)
            nullif(
                regr_slope(f.y - m.y_mean, f.log_gdp_per_capita - m.x_mean), 'NaN'::double
            ) as slope_within,
            nullif(regr_slope(f.y, f.log_gdp_per_capita), 'NaN'::double) as slope_pooled,
            regr_intercept(f.y, f.log_gdp_per_capita) as intercept_pooled,
            avg(f.y) as y_overall
        from {{ prefix }}_fit as f
        inner join {{ prefix }}_region_means as m
            on
                f.series_code = m.series_code and f."year" = m."year" and f.sex = m.sex
                and f.sdg_region is not distinct from m.sdg_region
        group by all
    ),

    {{ prefix }}_countries as (
        select
            f.series_code,
            f.iso3,
            f."year",
            f.sex,
            f.weight,
            f.own_weight,
            case
                when f.value_year = f."year" then 'reported'
                when f.observed_value is not null then 'carried'
                when s.series_code is not null then 'modelled'
            end as method,
            f.value_year,
            coalesce(
                f.observed_value,
                100 / (1 + exp(-(
                    case
                        when f.log_gdp_per_capita is null then coalesce(m.y_mean, s.y_overall)
                        when m.y_mean is not null
                            then m.y_mean
                            + coalesce(s.slope_within, 0) * (f.log_gdp_per_capita - m.x_mean)
                        when s.slope_pooled is not null
                            then s.intercept_pooled + s.slope_pooled * f.log_gdp_per_capita
                        else s.y_overall
                    end
                )))
            ) as "value"
        from {{ prefix }}_filled as f
        left join {{ prefix }}_slopes as s
            on f.series_code = s.series_code and f."year" = s."year" and f.sex = s.sex
        left join {{ prefix }}_region_means as m
            on
                f.series_code = m.series_code and f."year" = m."year" and f.sex = m.sex
                and f.sdg_region = m.sdg_region
    ),

    {{ prefix }}_regions as (
        select
            c.series_code,
            g.region_type,
            g.m49,
            g.region,
            c."year",
            c.sex,
            sum(c.own_weight * c."value") filter (where c.method = 'reported')
                as reported_weighted_sum,
            sum(c.own_weight) filter (where c.method = 'reported') as reporting_weight,
            sum(c.weight) as universe_weight,
            sum(c.own_weight * c."value") filter (where c.method = 'reported')
            / sum(c.own_weight) filter (where c.method = 'reported') as value_reported,
            sum(c.weight * c."value") filter (where c."value" is not null)
            / sum(c.weight) filter (where c."value" is not null) as value_estimated,
            100.0 * coalesce(sum(c.weight) filter (where c.method = 'reported'), 0)
            / sum(c.weight) as population_coverage,
            -- the 50 % rule of §7: the reported variant is withheld below it
            100.0 * coalesce(sum(c.weight) filter (where c.method = 'reported'), 0)
            / sum(c.weight) < {{ var('aggregate_min_population_coverage', 50) }} as is_suppressed,
            100.0 * coalesce(sum(c.weight) filter (where c.method in ('carried', 'modelled')), 0)
            / sum(c.weight) as imputed_weight_share,
            count(*) as n_countries,
            count(*) filter (where c.method = 'reported') as n_reporting,
            count(*) filter (where c.method = 'carried') as n_carried,
            count(*) filter (where c.method = 'modelled') as n_modelled,
            min(c."value") filter (where c.method = 'reported') as min_country_value,
            max(c."value") filter (where c.method = 'reported') as max_country_value,
            min(c.value_year) filter (where c.method = 'reported') as first_input_year,
            max(c.value_year) filter (where c.method = 'reported') as last_input_year
        from {{ prefix }}_countries as c
        inner join {{ ref('int_region_memberships') }} as g
            on c.iso3 = g.iso3 and c."year" = g."year"
        group by all
    )
{%- endmacro %}
