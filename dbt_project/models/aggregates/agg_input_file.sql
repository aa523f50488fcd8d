-- `floorboard aggregate INPUT.csv`: the regional and global estimates (macro regional_estimates,
-- methodology §7, the same definition as agg_regional) of the country values of one file. Built
-- only by the command, into a temporary DuckDB file: enabled when FLOORBOARD_AGGREGATE_INPUT
-- names the cleaned input.
{{ config(enabled=env_var('FLOORBOARD_AGGREGATE_INPUT', '') != '') }}

with source as (
    select * from {{ source('aggregate_input', 'country_values') }}
),

country_values as (
    -- a file gives no denominators: every country is weighted by its proxy
    select
        cast(series_code as varchar) as series_code,
        cast(iso3 as varchar) as iso3,
        cast("year" as integer) as "year",
        cast(sex as varchar) as sex,
        cast("value" as double) as "value",
        cast(null as double) as weight
    from source
),

{{ regional_estimates('country_values') }},

final as (
    select
        series_code,
        region_type,
        m49,
        region,
        "year",
        sex,
        value_reported,
        value_estimated,
        population_coverage,
        is_suppressed,
        imputed_weight_share,
        n_countries,
        n_reporting,
        n_carried + n_modelled as n_imputed,
        {{ sdmx_nature('aggregate') }} as nature
    from re_regions
)

select * from final
