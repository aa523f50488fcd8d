-- Country × year × group of the aggregates (methodology §7). Groups are fixed except the World
-- Bank income group, which is reclassified every fiscal year: an aggregate of year Y uses the
-- classification of fiscal year Y + 1 (published in July of Y), or the nearest fiscal year in
-- the reference table when that one is not there (only FY2025 is in the public extract).
with memberships as (
    select * from {{ ref('stg_reference__region_memberships') }}
),

years as (
    select distinct "year" from {{ ref('stg_reference__aggregate_populations') }}
),

fixed as (
    select
        m.iso3,
        y."year",
        m.region_type,
        m.m49,
        m.region
    from memberships as m
    cross join years as y
    where m.fiscal_year is null
),

by_fiscal_year as (
    select
        m.iso3,
        y."year",
        m.region_type,
        m.m49,
        m.region
    from memberships as m
    cross join years as y
    where m.fiscal_year is not null
    qualify
        rank()
            over (
                partition by m.iso3, y."year"
                order by abs(m.fiscal_year - (y."year" + 1)), m.fiscal_year
            )
        = 1
),

final as (
    select * from fixed
    union all
    select * from by_fiscal_year
)

select * from final
