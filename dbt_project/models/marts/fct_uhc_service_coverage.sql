-- SDG 3.8.1 UHC service coverage index (SH_ACS_UNHC, WHO method, methodology §6.1), per
-- country × year, with the parameter version of the seed uhc_tracer_parameters:
-- 1. rescale each tracer (percent / decreasing / non_use / threshold); a rescaled value of 0 or
--    below becomes 1, one above 100 becomes 100 (decision: negatives from rescaling also 1);
-- 2. the health-workforce tracer is the geometric mean of physicians, psychiatrists, surgeons;
-- 3. category score = geometric mean of its tracers, exp(avg(ln x));
-- 4. index = geometric mean of the four category scores (only when all four exist).
-- Share of imputed tracers published beside the index.
with params as (
    select * from {{ ref('uhc_tracer_parameters') }}
    where parameter_version = '{{ var("uhc_parameter_version") }}'
),

rescaled as (
    select
        t.iso3,
        t.reference_year,
        t.tracer,
        p.category,
        coalesce(p.composite, t.tracer) as component,
        t.imputation,
        case p.scaling
            when 'percent' then t.tracer_value
            when 'decreasing'
                then (p.upper_bound - t.tracer_value) / (p.upper_bound - p.lower_bound) * 100
            when 'non_use'
                then
                    ((100 - t.tracer_value) - p.lower_bound) / (p.upper_bound - p.lower_bound)
                    * 100
            when 'threshold' then least(100, t.tracer_value / p.threshold * 100)
        end as raw_score
    from {{ ref('int_uhc_tracers_filled') }} as t
    inner join params as p on t.tracer = p.tracer
),

bounded as (
    select
        *,
        case when raw_score <= 0 then 1.0 when raw_score > 100 then 100.0 else raw_score end
            as tracer_score
    from rescaled
),

components as (
    select
        iso3,
        reference_year,
        category,
        component,
        exp(avg(ln(tracer_score))) as component_score
    from bounded
    group by all
),

categories as (
    select
        iso3,
        reference_year,
        category,
        exp(avg(ln(component_score))) as category_score
    from components
    group by all
),

counts as (
    select
        iso3,
        reference_year,
        count(*) as n_tracers,
        count(*) filter (where imputation <> 'observed') as n_imputed
    from bounded
    group by all
),

pivoted as (
    select
        iso3,
        reference_year,
        max(case when category = 'rmnch' then category_score end) as rmnch_score,
        max(case when category = 'infectious' then category_score end) as infectious_score,
        max(case when category = 'ncd' then category_score end) as ncd_score,
        max(case when category = 'capacity' then category_score end) as capacity_score,
        count(*) as n_categories
    from categories
    group by all
)

select
    p.iso3,
    p.reference_year as "year",
    '{{ var("uhc_parameter_version") }}' as parameter_version,
    p.rmnch_score,
    p.infectious_score,
    p.ncd_score,
    p.capacity_score,
    case when p.n_categories = 4 then exp(
        (ln(p.rmnch_score) + ln(p.infectious_score) + ln(p.ncd_score) + ln(p.capacity_score)) / 4
    ) end as uhc_index,
    c.n_tracers,
    c.n_imputed,
    100.0 * c.n_imputed / c.n_tracers as pct_tracers_imputed
from pivoted as p
inner join counts as c on p.iso3 = c.iso3 and p.reference_year = c.reference_year
