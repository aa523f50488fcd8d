-- Reference population of SI_COV_PENSN (methodology §2.1): persons at or above the statutory
-- pensionable age (SPA), built per sex with that sex's SPA; `_T` = F + M.
with population as (
    select * from {{ ref('stg_national__population') }}
),

spa as (
    select * from {{ ref('stg_national__pensionable_age') }}
),

by_sex as (
    select
        population.iso3,
        population.reference_year,
        population.sex,
        spa.statutory_pensionable_age,
        sum(population.population) as total_population,
        sum(
            population.population
            * {{ share_at_or_above('population.age_lower', 'population.age_upper',
                                   'spa.statutory_pensionable_age') }}
        ) as population_above_spa,
        bool_or(spa.statutory_pensionable_age % 5 <> 0) as spa_interpolated
    from population
    inner join spa
        on
            population.iso3 = spa.iso3
            and population.reference_year = spa.reference_year
            and population.sex = spa.sex
    group by 1, 2, 3, 4
)

select
    iso3,
    reference_year,
    sex,
    statutory_pensionable_age,
    total_population,
    population_above_spa,
    spa_interpolated
from by_sex
union all
select
    iso3,
    reference_year,
    '_T' as sex,
    null as statutory_pensionable_age,
    sum(total_population) as total_population,
    sum(population_above_spa) as population_above_spa,
    bool_or(spa_interpolated) as spa_interpolated
from by_sex
group by 1, 2
