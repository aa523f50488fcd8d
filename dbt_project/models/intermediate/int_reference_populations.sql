-- Denominators of the coverage indicators (methodology §2.1, §3), per country × year × sex.
-- `_T` is F + M for population counts. Births are not by sex: mothers are women (F and _T).
-- Poor (POOR) and severely disabled (DISAB) = a rate × the population (§2.1). A sex rate needs a
-- sex-specific numerator and denominator (§0), so F and M use the rate national statistics give
-- for that sex and are NULL without one (no F/M rate is then published); `_T` uses the total
-- rate, or F + M when only the two sex rates are given.
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

poor_by_sex as (
    -- the poor of each sex for which a poverty rate is given
    select
        p.iso3,
        p.reference_year,
        p.sex,
        p.total_population * r.poverty_headcount_pct / 100.0 as poor,
        p.sex as poverty_rate_sex
    from pop_all as p
    inner join {{ ref('stg_national__poverty') }} as r
        on p.iso3 = r.iso3 and p.reference_year = r.reference_year and p.sex = r.sex
),

poor_all as (
    select * from poor_by_sex
    union all
    -- no total rate, both sex rates: the poor of both sexes add up (sums F + M: no _T row)
    select
        iso3,
        reference_year,
        '_T',
        sum(poor),
        'F+M'
    from poor_by_sex
    group by iso3, reference_year
    having count(*) filter (where sex in ('F', 'M')) = 2 and count(*) filter (where sex = '_T') = 0
),

disabled_by_sex as (
    -- the severely disabled of each sex for which a prevalence is given
    select
        p.iso3,
        p.reference_year,
        p.sex,
        p.total_population * d.severe_disability_prevalence_pct / 100.0 as severely_disabled,
        d.prevalence_source,
        p.sex as disability_rate_sex
    from pop_all as p
    inner join {{ ref('stg_national__disability_prevalence') }} as d
        on p.iso3 = d.iso3 and p.reference_year = d.reference_year and p.sex = d.sex
),

disabled_all as (
    select * from disabled_by_sex
    union all
    -- no total prevalence, both sex prevalences: F + M
    select
        iso3,
        reference_year,
        '_T',
        sum(severely_disabled),
        string_agg(distinct prevalence_source, '; ' order by prevalence_source),
        'F+M'
    from disabled_by_sex
    group by iso3, reference_year
    having count(*) filter (where sex in ('F', 'M')) = 2 and count(*) filter (where sex = '_T') = 0
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
    d.severely_disabled,
    d.prevalence_source,
    d.disability_rate_sex,
    l.employed,
    l.unemployed,
    l.employed + l.unemployed as labour_force,
    pov.poor,
    pov.poverty_rate_sex
from pop_all as p
left join {{ ref('int_population_above_spa') }} as spa
    on p.iso3 = spa.iso3 and p.reference_year = spa.reference_year and p.sex = spa.sex
left join {{ ref('stg_national__births') }} as b
    on p.iso3 = b.iso3 and p.reference_year = b.reference_year
left join disabled_all as d
    on p.iso3 = d.iso3 and p.reference_year = d.reference_year and p.sex = d.sex
left join labour_all as l
    on p.iso3 = l.iso3 and p.reference_year = l.reference_year and p.sex = l.sex
left join poor_all as pov
    on p.iso3 = pov.iso3 and p.reference_year = pov.reference_year and p.sex = pov.sex
