-- Denominators of the coverage indicators (methodology §2.1, §3), per country × year × sex.
-- `_T` is F + M for population counts. Births and poverty are not by sex: mothers are women
-- (F and _T), the poor are the poverty rate applied to each sex's population.
with pop as (
    select
        iso3,
        reference_year,
        sex,
        sum(population) as total_population,
        sum(case when age_upper is not null and age_upper <= 14 then population else 0 end)
            as children_0_14,
        sum(case when age_lower >= 15 then population else 0 end) as population_15_plus
    from {{ ref('stg_national__population') }}
    group by all
),

pop_all as (
    select * from pop
    union all
    select
        iso3,
        reference_year,
        '_T',
        sum(total_population),
        sum(children_0_14),
        sum(population_15_plus)
    from pop
    group by all
),

labour as (
    select
        iso3,
        reference_year,
        sex,
        sum(case when status = 'employed' then persons end) as employed,
        sum(case when status = 'unemployed' then persons end) as unemployed
    from {{ ref('stg_national__labour_force') }}
    group by all
),

labour_all as (
    select * from labour
    union all
    select
        iso3,
        reference_year,
        '_T',
        sum(employed),
        sum(unemployed)
    from labour
    group by all
)

select
    p.iso3,
    p.reference_year,
    p.sex,
    p.total_population,
    p.children_0_14,
    p.population_15_plus,
    spa.population_above_spa,
    p.population_15_plus - spa.population_above_spa as working_age_below_spa,
    case
        when p.sex in ('F', '_T')
            then b.live_births / (1 + b.multiple_birth_share)
    end as women_giving_birth,
    p.total_population * d.severe_disability_prevalence_pct / 100.0 as severely_disabled,
    d.prevalence_source,
    l.employed,
    l.unemployed,
    l.employed + l.unemployed as labour_force,
    p.total_population * pov.poverty_headcount_pct / 100.0 as poor
from pop_all as p
left join {{ ref('int_population_above_spa') }} as spa
    on p.iso3 = spa.iso3 and p.reference_year = spa.reference_year and p.sex = spa.sex
left join {{ ref('stg_national__births') }} as b
    on p.iso3 = b.iso3 and p.reference_year = b.reference_year
left join {{ ref('stg_national__disability_prevalence') }} as d
    on p.iso3 = d.iso3 and p.reference_year = d.reference_year
left join labour_all as l
    on p.iso3 = l.iso3 and p.reference_year = l.reference_year and p.sex = l.sex
left join {{ ref('stg_national__poverty') }} as pov
    on p.iso3 = pov.iso3 and p.reference_year = pov.reference_year
