-- Persons counted once across all schemes, from registry microdata (methodology §2.2 step 5:
-- person IDs replace the life-cycle partition; §2.5: and the overlap rule), per country × year
-- × measure × sex × age group (5-year group at the end of the reference year, and `_T`):
--   <risk>                      persons receiving a cash benefit for the risk from any scheme
--                               (health: any benefit, it is in kind by nature);
--   any_benefit                 persons receiving at least one cash benefit (§2.1: cash only);
--   contributing_or_receiving   persons receiving at least one cash benefit or actively
--                               contributing to at least one scheme: the SI_COV_BENFTS
--                               numerator (§2.1, §2.2).
-- One row per person first (flags: does the person count for each measure), then persons are
-- counted per sex and age group. Each person has one sex and age group (landing quarantines
-- persons whose sex or birth year differs between records), so the `_T` rows, sums of the
-- persons of each group, count every person once. Published as fct_registry_unduplicated.
{%- set risks = ['children', 'maternity', 'sickness', 'unemployment', 'employment_injury',
                 'disability', 'old_age', 'survivors', 'health', 'social_assistance'] %}
{%- set measures = risks + ['any_benefit', 'contributing_or_receiving'] %}
with beneficiaries as (
    select * from {{ ref('stg_registry__beneficiaries') }}
),

contributors as (
    select * from {{ ref('stg_registry__contributors') }}
),

records as (
    select
        iso3,
        reference_year,
        person_id,
        sex,
        age_group,
        {% for r in risks -%}
            case
                when risk = '{{ r }}' and (is_cash or risk = 'health') then 1 else 0
            end as m_{{ r }},
        {% endfor -%}
        case when is_cash then 1 else 0 end as m_any_benefit,
        case when is_cash then 1 else 0 end as m_contributing_or_receiving
    from beneficiaries
    union all
    select
        iso3,
        reference_year,
        person_id,
        sex,
        age_group,
        {% for r in risks -%}
            0 as m_{{ r }},
        {% endfor -%}
        0 as m_any_benefit,
        1 as m_contributing_or_receiving
    from contributors
),

persons as (
    -- one row per person: 1 when any of the person's records counts for the measure
    select
        iso3,
        reference_year,
        person_id,
        min(sex) as sex,
        min(age_group) as age_group,
        {% for m in measures -%}
            max(m_{{ m }}) as m_{{ m }},
        {% endfor -%}
        count(*) as n_records
    from records
    group by iso3, reference_year, person_id
),

by_group as (
    select
        iso3,
        reference_year,
        sex,
        age_group,
        {% for m in measures -%}
            sum(m_{{ m }}) as m_{{ m }},
        {% endfor -%}
        count(*) as n_persons
    from persons
    group by iso3, reference_year, sex, age_group
),

measures as (
    {% for m in measures -%}
        select '{{ m }}' as measure{{ ' union all' if not loop.last }}
    {% endfor %}
),

grains as (
    -- the four breakdowns: sex × age group, sex, age group, total
    select
        true as by_sex,
        true as by_age
    union all
    select
        true as by_sex,
        false as by_age
    union all
    select
        false as by_sex,
        true as by_age
    union all
    select
        false as by_sex,
        false as by_age
),

counted as (
    -- one pass over the (small) per-group counts: each measure and breakdown is a row of the
    -- cross join, so neither engine recomputes the persons once per measure
    select
        g.iso3,
        g.reference_year,
        m.measure,
        case when k.by_sex then g.sex else '_T' end as sex,
        case when k.by_age then g.age_group else '_T' end as age_group,
        sum(
            case m.measure
                {% for m in measures -%}
                    when '{{ m }}' then g.m_{{ m }}
                {% endfor -%}
            end
        ) as persons
    from by_group as g
    cross join measures as m
    cross join grains as k
    group by
        g.iso3,
        g.reference_year,
        m.measure,
        case when k.by_sex then g.sex else '_T' end,
        case when k.by_age then g.age_group else '_T' end
),

final as (
    select
        iso3,
        reference_year as {{ adapter.quote('year') }},
        measure,
        sex,
        age_group,
        cast(persons as bigint) as persons
    from counted
    -- a measure nobody counts for is not a row (as the distinct count had none)
    where persons > 0
)

select * from final
