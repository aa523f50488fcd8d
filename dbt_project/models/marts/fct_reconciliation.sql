-- Reconciliation (issue: reproduce published figures): each published country value next to
-- the value this warehouse computes for the same series × country × year × sex (sdg_indicators,
-- never recomputed here), with the absolute difference and a status:
--   match          |computed − published| ≤ var reconciliation_tolerance (0.1 point)
--   differs        both present, difference above the tolerance
--   not_computed   published, but the warehouse has no value (no inputs for it)
with published as (
    select * from {{ ref('stg_published__sdg_values') }}
    where area_type = 'country' and iso3 is not null
),

computed as (
    select
        series_code,
        iso3,
        time_period,
        sex,
        "value"
    from {{ ref('sdg_indicators') }}
)

select
    p.series_code,
    p.iso3,
    p.m49,
    p.time_period,
    p.sex,
    c."value" as computed_value,
    p.published_value,
    abs(c."value" - p.published_value) as abs_difference,
    case
        when c."value" is null then 'not_computed'
        when abs(c."value" - p.published_value) <= {{ var('reconciliation_tolerance') }}
            then 'match'
        else 'differs'
    end as status,
    {{ var('reconciliation_tolerance') }} as tolerance,
    p.nature as published_nature,
    p.quality_flags as published_quality_flags,
    p.source_file as published_source_file
from published as p
left join computed as c
    on
        p.series_code = c.series_code and p.iso3 = c.iso3 and p.time_period = c.time_period
        and p.sex = c.sex
