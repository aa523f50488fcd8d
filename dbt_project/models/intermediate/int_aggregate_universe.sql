-- The universe of the aggregates (methodology §7): every country and territory of UN M49 with a
-- population, per series × year × sex, with its proxy weight (seed aggregate_weight_proxies: the
-- population standing for the series denominator) and the covariates of the imputation model
-- (log GDP per capita of the year or the latest year before it; SDG region). MATNL exists for
-- women only, so its proxy (women 15-49) is null for men.
with populations as (
    select * from {{ ref('stg_reference__aggregate_populations') }}
),

gdp as (
    select * from {{ ref('stg_reference__gdp_per_capita') }}
),

proxies as (
    select * from {{ ref('aggregate_weight_proxies') }}
),

memberships as (
    select * from {{ ref('stg_reference__region_memberships') }}
),

latest_gdp as (
    -- a year without a GDP figure yet takes the latest one before it
    select
        p.iso3,
        p."year",
        arg_max(g.gdp_per_capita_usd, g."year") as gdp_per_capita_usd
    from populations as p
    inner join gdp as g on p.iso3 = g.iso3 and p."year" >= g."year"
    where p.sex = '_T'
    group by all
),

sdg_regions as (
    select
        iso3,
        region as sdg_region
    from memberships
    where region_type = 'sdg_region'
),

final as (
    select
        x.series_code,
        p.iso3,
        p."year",
        p.sex,
        case x.weight_proxy
            when 'population' then p.population
            when 'children_0_14' then p.children_0_14
            when 'working_age_15_64' then p.working_age_15_64
            when 'older_65_plus' then p.older_65_plus
            when 'women_15_49' then p.women_15_49
            when 'employed' then p.employed
            when 'unemployed' then p.unemployed
        end as proxy_weight,
        ln(g.gdp_per_capita_usd) as log_gdp_per_capita,
        r.sdg_region
    from populations as p
    cross join proxies as x
    left join latest_gdp as g on p.iso3 = g.iso3 and p."year" = g."year"
    left join sdg_regions as r on p.iso3 = r.iso3
)

select * from final
where proxy_weight > 0
