-- Flagship results (methodology §9): one row per result record x risk x sex. Institutional
-- changes (steps 1-3, sex _T, no persons) and impact on people (persons by impact type and sex).
-- A record concerning several risks gives one row per risk: count records with
-- count(distinct result_id), and never add persons across risks or impact types (§9).
-- Focus countries differ by phase: is_focus_country_in_phase tells whether the country is a
-- focus country of the result's phase (int_flagship_focus_countries); the scorecard counts only
-- those results.
with phases as (
    select * from {{ ref('flagship_phases') }}
),

focus as (
    select
        phase,
        iso3
    from {{ ref('int_flagship_focus_countries') }}
),

interventions as (
    select
        intervention_id,
        thematic_area
    from {{ ref('stg_flagship__interventions') }}
),

changes as (
    select
        change_id as result_id,
        iso3,
        change_date as result_date,
        'institutional_change' as result_type,
        step,
        cast(null as varchar) as impact_type,
        unnest(list_distinct(list_transform(string_split(risks, ';'), lambda x: trim(x)))) as risk,
        '_T' as sex,
        cast(null as bigint) as persons,
        description,
        evidence as source,
        intervention_id,
        is_joint,
        ratification,
        cast(null as varchar) as change_id,
        cast(null as varchar) as same_people_as
    from {{ ref('stg_flagship__institutional_changes') }}
),

impacts as (
    select
        impact_id as result_id,
        iso3,
        impact_date as result_date,
        'impact_on_people' as result_type,
        cast(null as integer) as step,
        impact_type,
        unnest(list_distinct(list_transform(string_split(risks, ';'), lambda x: trim(x)))) as risk,
        sex,
        persons,
        description,
        source,
        intervention_id,
        is_joint,
        cast(null as varchar) as ratification,
        change_id,
        same_people_as
    from {{ ref('stg_flagship__impact_on_people') }}
),

results as (
    select * from changes
    union all by name
    select * from impacts
)

select
    r.result_id,
    r.iso3,
    cast(extract(year from r.result_date) as integer) as "year",
    r.result_date,
    p.phase,
    r.result_type,
    r.step,
    r.impact_type,
    r.risk,
    r.sex,
    r.persons,
    r.description,
    r.source,
    i.thematic_area,
    r.is_joint,
    r.intervention_id,
    r.change_id,
    r.ratification,
    r.same_people_as,
    f.iso3 is not null as is_focus_country_in_phase
from results as r
inner join phases as p on r.result_date between p.start_date and p.end_date
left join interventions as i on r.intervention_id = i.intervention_id
left join focus as f on p.phase = f.phase and r.iso3 = f.iso3
