-- UHC tracers per country × year with the WHO missing-value rules (methodology §6.1):
-- 1. observed value; 2. linear interpolation between observed years; 3. last value carried
-- forward; 4. no value at all for the year → median of the country's SDG region for the tracer
-- and year (decision: regional median also for child care-seeking and surgeons, where WHO uses a
-- regression). ITN is used only by countries that report it (high malaria burden countries)
-- and never imputed. `imputation` records which rule gave the value.
with obs as (
    select
        iso3,
        reference_year,
        tracer,
        avg(tracer_value) as tracer_value
    from {{ ref('stg_national__uhc_tracers') }}
    group by all
),

years as (
    select distinct
        iso3,
        reference_year
    from {{ ref('stg_national__population') }}
),

params as (
    select tracer from {{ ref('uhc_tracer_parameters') }}
    where parameter_version = '{{ var("uhc_parameter_version") }}'
),

spine as (
    select
        y.iso3,
        y.reference_year,
        p.tracer
    from years as y
    cross join params as p
    where p.tracer <> 'ITN' or exists (
        select 1 from obs as o
        where o.iso3 = y.iso3 and o.tracer = 'ITN'
    )
),

joined as (
    select
        s.iso3,
        s.reference_year,
        s.tracer,
        o.tracer_value,
        max(case when o.tracer_value is not null then s.reference_year end) over w_prev
            as prev_year,
        last_value(o.tracer_value ignore nulls) over w_prev as prev_value,
        min(case when o.tracer_value is not null then s.reference_year end) over w_next
            as next_year,
        first_value(o.tracer_value ignore nulls) over w_next as next_value
    from spine as s
    left join obs as o
        on s.iso3 = o.iso3 and s.reference_year = o.reference_year and s.tracer = o.tracer
    window
        w_prev as (
            partition by s.iso3, s.tracer order by s.reference_year
            rows between unbounded preceding and current row
        ),
        w_next as (
            partition by s.iso3, s.tracer order by s.reference_year
            rows between current row and unbounded following
        )
),

country_filled as (
    select
        iso3,
        reference_year,
        tracer,
        case
            when tracer_value is not null then tracer_value
            when prev_year is not null and next_year is not null
                then
                    prev_value + (next_value - prev_value)
                    * (reference_year - prev_year) / (next_year - prev_year)
            when prev_year is not null then prev_value
        end as tracer_value,
        case
            when tracer_value is not null then 'observed'
            when prev_year is not null and next_year is not null then 'interpolated'
            when prev_year is not null then 'carried_forward'
        end as imputation
    from joined
),

regional as (
    select
        f.reference_year,
        f.tracer,
        c.sdg_region_code,
        median(f.tracer_value) as regional_median
    from country_filled as f
    inner join {{ ref('stg_reference__countries') }} as c on f.iso3 = c.iso3
    where f.tracer_value is not null
    group by all
)

select
    f.iso3,
    f.reference_year,
    f.tracer,
    coalesce(f.tracer_value, r.regional_median) as tracer_value,
    case
        when f.tracer_value is not null then f.imputation
        when r.regional_median is not null then 'regional_median'
    end as imputation
from country_filled as f
inner join {{ ref('stg_reference__countries') }} as c on f.iso3 = c.iso3
left join regional as r
    on
        f.reference_year = r.reference_year and f.tracer = r.tracer
        and c.sdg_region_code = r.sdg_region_code and f.tracer <> 'ITN'
where coalesce(f.tracer_value, r.regional_median) is not null
