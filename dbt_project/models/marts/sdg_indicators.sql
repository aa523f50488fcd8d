-- SDG 1.3.1 and 3.8.1 series in the shape of the SDG global DSD (methodology §8.1): one row per
-- series × country × year × sex × age. Values are read from fct_effective_coverage (§2) and
-- fct_uhc_service_coverage (§6.1), never recomputed. SH_ACS_UNHC has all breakdowns `_T`.
-- NATURE and SOURCE_DETAIL of coverage values come from fct_effective_coverage (`C` for exact
-- registry counts with both parts, issue 15). NATURE (§8.1, as the UN database labels the
-- ILO's values): every other value here is a ratio computed from national inputs (SSI
-- numerator over a national-statistics denominator; the UHC index from national tracers), so
-- `E`; a component estimated here (an age group straddling
-- the SPA, pensioners without an age breakdown, the life-cycle partition, imputed tracers) is
-- said in COMMENT_OBS. TIME_DETAIL: the reference year (every input refers to that year).
with coverage as (
    select
        f.series_code,
        f.iso3,
        f."year" as time_period,
        f.sex,
        '_T' as age,
        f.coverage_rate as "value",
        'PT' as unit_measure,
        f.nature,
        {{ sdmx_time_detail('f."year"', 'f."year"') }} as time_detail,
        f.source_detail,
        case
            when f.is_above_100
                then 'Administrative count exceeds the population estimate; kept as computed.'
        end as above_100_comment,
        case
            when not f.is_estimated then null
            when f.series_code = 'SI_COV_BENFTS'
                then
                    'Partly estimated: persons with at least one benefit unduplicated from '
                    || 'scheme totals by the life-cycle partition (methodology §2.2).'
            when f.method like '%straddling the SPA%' and f.method like '%without age breakdown%'
                then
                    'Partly estimated: an age group straddling the SPA split pro rata to '
                    || 'population; pensioners of schemes without an age breakdown counted in full.'
            when f.method like '%straddling the SPA%'
                then
                    'Partly estimated: an age group straddling the SPA split pro rata to '
                    || 'population.'
            when f.method like '%without age breakdown%'
                then
                    'Partly estimated: pensioners of schemes without an age breakdown counted '
                    || 'in full.'
            else 'Partly estimated: a component was estimated (see SOURCE_DETAIL).'
        end as estimation_comment
    from {{ ref('fct_effective_coverage') }} as f
    where f.series_code is not null and f.coverage_rate is not null
),

uhc as (
    select
        'SH_ACS_UNHC' as series_code,
        u.iso3,
        u."year" as time_period,
        '_T' as sex,
        '_T' as age,
        u.uhc_index as "value",
        'IX' as unit_measure,
        {{ sdmx_nature('computed_ratio') }} as nature,
        {{ sdmx_time_detail('u."year"', 'u."year"') }} as time_detail,
        'UHC service coverage index, WHO method, parameters ' || u.parameter_version
        || ', from national tracer statistics; ' || u.n_imputed || ' of ' || u.n_tracers
        || ' tracers imputed' as source_detail,
        null as above_100_comment,
        case
            when u.n_imputed > 0
                then
                    'Partly estimated: ' || u.n_imputed || ' of ' || u.n_tracers
                    || ' tracers imputed (interpolation, carried forward or regional median, '
                    || 'methodology §6.1).'
        end as estimation_comment
    from {{ ref('fct_uhc_service_coverage') }} as u
    where u.uhc_index is not null
),

unioned as (
    select * from coverage
    union all
    select * from uhc
)

select
    u.series_code,
    u.iso3,
    c.m49,
    u.time_period,
    u.sex,
    u.age,
    u."value",
    u.unit_measure,
    0 as unit_mult,
    u.nature,
    u.time_detail,
    'A' as obs_status,
    u.source_detail,
    nullif(concat_ws(' ', u.above_100_comment, u.estimation_comment), '') as comment_obs
from unioned as u
inner join {{ ref('dim_country') }} as c on u.iso3 = c.iso3
