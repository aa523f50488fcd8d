-- SDG 1.3.1 series (methodology §2.1, §8.1) in the shape of the SDG global DSD: one row per
-- series × country × year × sex × age. Values are read from fct_effective_coverage, never
-- recomputed; NATURE is `C` for national data, `E` when a component was estimated (§8.1).
select
    f.series_code,
    f.iso3,
    c.m49,
    f."year" as time_period,
    f.sex,
    '_T' as age,
    f.coverage_rate as "value",
    'PT' as unit_measure,
    0 as unit_mult,
    case when f.is_estimated then 'E' else 'C' end as nature,
    'A' as obs_status,
    'ILO Social Security Inquiry submission ' || f.submission_id
    || ' and national population statistics; ' || f.method as source_detail,
    case
        when f.is_above_100
            then 'Administrative count exceeds the population estimate; kept as computed.'
    end as comment_obs
from {{ ref('fct_effective_coverage') }} as f
inner join {{ ref('dim_country') }} as c on f.iso3 = c.iso3
where f.series_code is not null and f.coverage_rate is not null
