{{ config(meta={"dagster": {"ref": {"name": "fct_flagship_scorecard"}}}) }}
-- Methodology §9: people are never added across impact types without deduplication. The only
-- all-types total of the scorecard (people_reached_deduplicated) must equal the sum over impact
-- types less the people of records linked (same_people_as) to a record of the same phase, lie
-- between the largest single impact type and the naive sum, and fall strictly below the naive
-- sum wherever such linked records exist. Only results of a focus country of their phase count.
with r as (
    select * from {{ ref('fct_flagship_results') }}
    where result_type = 'impact_on_people' and is_focus_country_in_phase
),

records as (
    select distinct
        result_id,
        phase,
        impact_type,
        sex,
        persons,
        same_people_as
    from r
),

linked as (
    select
        i.phase,
        i.sex,
        sum(i.persons) as persons,
        count(*) as n
    from records as i
    inner join records as t
        on i.same_people_as = t.result_id and i.phase = t.phase and i.sex = t.sex
    group by i.phase, i.sex
),

by_type as (
    select
        phase,
        sex,
        impact_type,
        sum(persons) as persons
    from records
    group by phase, sex, impact_type
),

expected as (
    select
        b.phase,
        b.sex,
        sum(b.persons) as naive,
        max(b.persons) as largest,
        sum(b.persons) - coalesce(any_value(l.persons), 0) as dedup,
        coalesce(any_value(l.n), 0) as n_linked
    from by_type as b
    left join linked as l on b.phase = l.phase and b.sex = l.sex
    group by b.phase, b.sex
),

scorecard as (
    select
        phase,
        sex,
        achieved_computed
    from {{ ref('fct_flagship_scorecard') }}
    where measure = 'people_reached_deduplicated' and risk = '_T'
)

select
    e.*,
    s.achieved_computed
from expected as e
left join scorecard as s on e.phase = s.phase and e.sex = s.sex
where
    s.achieved_computed is null
    or s.achieved_computed <> e.dedup
    or s.achieved_computed > e.naive
    or s.achieved_computed < e.largest
    or (e.n_linked > 0 and s.achieved_computed >= e.naive)
