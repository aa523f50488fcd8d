-- Indicator values already published (UN SDG Global Database layouts), one row per series ×
-- area × year × sex; the 3.8.1 layout has no sex (`_T`). Codes mapped to SDMX (§8.1).
with by_sex as (
    select
        series_code,
        cast(geo_area_code as integer) as m49,
        iso3,
        area_type,
        cast("year" as integer) as time_period,
        sex_sdmx as sex,
        nature,
        units,
        cast("value" as double) as published_value,
        quality_flags,
        source_file
    from {{ source('landing', 'published_sdg_series_by_sex') }}
),

no_sex as (
    select
        series_code,
        cast(geo_area_code as integer) as m49,
        iso3,
        area_type,
        cast("year" as integer) as time_period,
        '_T' as sex,
        nature,
        units,
        cast("value" as double) as published_value,
        quality_flags,
        source_file
    from {{ source('landing', 'published_sdg_series') }}
)

select * from by_sex
union all
select * from no_sex
