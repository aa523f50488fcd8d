-- SDG 1.3.1 and 3.8.1 series in the shape of the SDG global DSD (methodology §8.1): one row per
-- series × country × year × sex × age. Values are read from fct_effective_coverage (§2) and
-- fct_uhc_service_coverage (§6.1), never recomputed. NATURE: `C` national data, `E` when a
-- component was estimated or a tracer imputed (§8.1). SH_ACS_UNHC has all breakdowns `_T`.
with coverage as (
    select
        f.series_code,
        f.iso3,
        f."year" as time_period,
        f.sex,
        '_T' as age,
        f.coverage_rate as "value",
        'PT' as unit_measure,
        case when f.is_estimated then 'E' else 'C' end as nature,
        'ILO Social Security Inquiry submission ' || f.submission_id
        || ' and national statistics; ' || f.method as source_detail,
        case
            when f.is_above_100
                then 'Administrative count exceeds the population estimate; kept as computed.'
        end as comment_obs
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
        case when u.n_imputed > 0 then 'E' else 'C' end as nature,
        'UHC service coverage index, WHO method, parameters ' || u.parameter_version
        || ', from national tracer statistics; ' || u.n_imputed || ' of ' || u.n_tracers
        || ' tracers imputed' as source_detail,
        null as comment_obs
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
    'A' as obs_status,
    u.source_detail,
    u.comment_obs
from unioned as u
inner join {{ ref('dim_country') }} as c on u.iso3 = c.iso3
