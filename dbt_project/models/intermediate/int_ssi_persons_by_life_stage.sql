-- Persons of each reported series (int_ssi_age_partition) in the life-cycle groups of §2.2:
-- children 0–14, working age 15 to SPA−1, at or above the statutory pensionable age (SPA).
-- An age group that straddles a boundary is split pro rata to the population of the country,
-- year and sex (methodology §2.1): within a 5-year population group persons are spread evenly
-- over its years; a `_T`-sex series is split with each sex's population and SPA. The open top
-- group (80+) is taken as 80–99 for that arithmetic. Where the population is missing the split
-- is linear over the years of the group at the mean SPA. Splits across the SPA are estimates
-- (`is_split_at_spa`, NATURE E with a comment downstream). A series without age detail has
-- null life-cycle columns: its users decide (e.g. PENSN counts such pensioners in full).
with partition_rows as (
    select * from {{ ref('int_ssi_age_partition') }}
),

population as (
    select
        p.iso3,
        p.reference_year,
        p.sex,
        p.age_lower as pop_lower,
        coalesce(p.age_upper + 1, 100) as pop_upper_excl,
        p.population,
        a.statutory_pensionable_age as spa
    from {{ ref('stg_national__population') }} as p
    inner join {{ ref('stg_national__pensionable_age') }} as a
        on p.iso3 = a.iso3 and p.reference_year = a.reference_year and p.sex = a.sex
),

mean_spa as (
    select
        iso3,
        reference_year,
        avg(statutory_pensionable_age) as spa
    from {{ ref('stg_national__pensionable_age') }}
    group by all
),

rows_with_bounds as (
    select
        *,
        coalesce(age_upper + 1, 100) as upper_excl
    from partition_rows
),

population_shares as (
    -- population of each partition row's ages, and of its parts in each life-cycle group
    select
        r.measure,
        r.submission_id,
        r.scheme_id,
        r.risk,
        r.benefit_type,
        r.sex,
        r.age_group,
        {% set overlap %}
            greatest(0, least(p.pop_upper_excl, {hi}) - greatest(p.pop_lower, {lo}))
            / (p.pop_upper_excl - p.pop_lower) * p.population
        {% endset %}
        sum({{ overlap | replace('{lo}', 'r.age_lower') | replace('{hi}', 'r.upper_excl') }})
            as pop_in_group,
        sum({{ overlap | replace('{lo}', 'r.age_lower')
            | replace('{hi}', 'least(r.upper_excl, 15)') }})
            as pop_children,
        sum({{ overlap | replace('{lo}', 'greatest(r.age_lower, 15)')
            | replace('{hi}', 'least(r.upper_excl, p.spa)') }})
            as pop_working_age,
        sum({{ overlap | replace('{lo}', 'greatest(r.age_lower, p.spa)')
            | replace('{hi}', 'r.upper_excl') }})
            as pop_above_spa
    from rows_with_bounds as r
    inner join population as p
        on
            r.iso3 = p.iso3 and r.reference_year = p.reference_year
            and (r.sex = p.sex or (r.sex not in ('F', 'M') and p.sex in ('F', 'M')))
    group by all
),

shares as (
    select
        r.*,
        case
            when ps.pop_in_group > 0 then ps.pop_children / ps.pop_in_group
            else greatest(0, least(r.upper_excl, 15) - r.age_lower) / (r.upper_excl - r.age_lower)
        end as share_children,
        case
            when ps.pop_in_group > 0 then ps.pop_working_age / ps.pop_in_group
            else
                greatest(0, least(r.upper_excl, m.spa) - greatest(r.age_lower, 15))
                / (r.upper_excl - r.age_lower)
        end as share_working_age,
        case
            when ps.pop_in_group > 0 then ps.pop_above_spa / ps.pop_in_group
            else
                greatest(0, r.upper_excl - greatest(r.age_lower, m.spa))
                / (r.upper_excl - r.age_lower)
        end as share_above_spa
    from rows_with_bounds as r
    left join population_shares as ps
        on
            r.measure = ps.measure and r.submission_id = ps.submission_id
            and r.scheme_id = ps.scheme_id
            and r.risk is not distinct from ps.risk
            and r.benefit_type is not distinct from ps.benefit_type
            and r.sex = ps.sex and r.age_group = ps.age_group
    left join mean_spa as m
        on r.iso3 = m.iso3 and r.reference_year = m.reference_year
),

final as (
    select
        measure,
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        risk,
        benefit_type,
        sex,
        sum(persons) as persons,
        case when bool_and(has_age_detail) then sum(persons * share_children) end
            as persons_0_14,
        case when bool_and(has_age_detail) then sum(persons * share_working_age) end
            as persons_working_age,
        case when bool_and(has_age_detail) then sum(persons * share_above_spa) end
            as persons_above_spa,
        bool_and(has_age_detail) as has_age_detail,
        coalesce(
            bool_or(has_age_detail and share_above_spa > 0.000001 and share_above_spa < 0.999999),
            false
        ) as is_split_at_spa
    from shares
    group by all
)

select * from final
