-- Flagship programme scorecard (methodology §9): per phase, measure, risk and sex, what was
-- achieved against the programme's ambitions. The first phase (2016-2020) is the reference:
-- its headline figures (all risks, both sexes) are the published ones (achieved_source =
-- 'published'); every other value is computed from fct_flagship_results ('computed').
-- People are added up within one impact type only; a record concerning several risks counts once
-- in the all-risks total; people_reached_deduplicated is the only all-types total and drops
-- records whose people are already counted in a linked record (same_people_as) of the phase.
-- Only results of a focus country of their phase count (focus countries differ by phase, §9).
-- Countries measures count COUNTRIES with at least one change (the ambitions 10/30/40 of
-- 2021-2025 are numbers of countries); n_changes gives the number of changes beside them.
-- countries_ratifying_social_security_standards counts ratifications of C102 and the other
-- up-to-date social security standards (seed social_security_standards); C102 alone stays as
-- countries_ratifying_c102.
with phases as (
    select * from {{ ref('flagship_phases') }}
),

results as (
    select * from {{ ref('fct_flagship_results') }}
    where is_focus_country_in_phase
),

focus as (
    select
        phase,
        iso3
    from {{ ref('int_flagship_focus_countries') }}
),

standards as (
    select convention from {{ ref('social_security_standards') }}
    where counts_for_flagship_indicator
),

ambitions as (
    select * from {{ ref('flagship_phase_ambitions') }}
),

risks as (
    select risk from {{ ref('dim_risk') }}
    where is_branch
    union all
    select '_T'
),

sexes as (
    select unnest(['_T', 'F', 'M']) as sex
),

measures as (
    select
        m.measure,
        m.unit,
        m.by_risk,
        m.by_sex
    from (
        values
        ('step_1_countries', 'countries', true, false),
        ('step_2_countries', 'countries', true, false),
        ('step_3_countries', 'countries', true, false),
        ('legal_coverage_persons', 'persons', true, true),
        ('effective_coverage_persons', 'persons', true, true),
        ('adequacy_persons', 'persons', true, true),
        ('people_reached_deduplicated', 'persons', true, true),
        ('share_results_joint', 'percent', false, false),
        ('persons_trained', 'persons', false, false),
        ('knowledge_products_endorsed', 'products', false, false),
        ('countries_ratifying_c102', 'countries', false, false),
        ('countries_ratifying_social_security_standards', 'countries', false, false)
    ) as m (measure, unit, by_risk, by_sex)
),

spine as (
    select
        p.phase,
        p.is_reference_phase,
        m.measure,
        m.unit,
        r.risk,
        s.sex
    from phases as p
    cross join measures as m
    cross join risks as r
    cross join sexes as s
    where (m.by_risk or r.risk = '_T') and (m.by_sex or s.sex = '_T')
),

changes as (
    select * from results
    where result_type = 'institutional_change'
),

-- countries with at least one change at the step (per risk: a change concerning that risk),
-- and the number of those changes
steps as (
    select
        phase,
        'step_' || step || '_countries' as measure,
        risk,
        '_T' as sex,
        count(distinct iso3) as achieved,
        count(distinct result_id) as n_changes
    from changes
    group by phase, step, risk
    union all
    select
        phase,
        'step_' || step || '_countries',
        '_T',
        '_T',
        count(distinct iso3),
        count(distinct result_id)
    from changes
    group by phase, step
),

impact as (
    select * from results
    where result_type = 'impact_on_people'
),

-- one row per record and sex (the record's people, counted once whatever its risks)
impact_records as (
    select distinct
        result_id,
        phase,
        iso3,
        impact_type,
        sex,
        persons,
        same_people_as
    from impact
),

people as (
    select
        phase,
        impact_type || '_persons' as measure,
        risk,
        sex,
        sum(persons) as achieved
    from impact
    group by phase, impact_type, risk, sex
    union all
    select
        phase,
        impact_type || '_persons',
        '_T',
        sex,
        sum(persons)
    from impact_records
    group by phase, impact_type, sex
),

-- deduplication across impact types: a record whose people are a subset of a linked record of
-- the same phase (same_people_as, validated at ingestion) adds no one
dedup_risk as (
    select
        i.phase,
        'people_reached_deduplicated' as measure,
        i.risk,
        i.sex,
        sum(i.persons) as achieved
    from impact as i
    where
        not exists (
            select 1 from impact as t
            where
                t.result_id = i.same_people_as and t.phase = i.phase
                and t.risk = i.risk and t.sex = i.sex
        )
    group by i.phase, i.risk, i.sex
),

dedup_total as (
    select
        i.phase,
        'people_reached_deduplicated' as measure,
        '_T' as risk,
        i.sex,
        sum(i.persons) as achieved
    from impact_records as i
    where
        not exists (
            select 1 from impact_records as t
            where t.result_id = i.same_people_as and t.phase = i.phase and t.sex = i.sex
        )
    group by i.phase, i.sex
),

record_joint as (
    select distinct
        phase,
        result_id,
        is_joint
    from results
    where sex = '_T'
),

joint as (
    select
        phase,
        'share_results_joint' as measure,
        '_T' as risk,
        '_T' as sex,
        100.0 * count(distinct result_id) filter (where is_joint)
        / count(distinct result_id) as achieved
    from record_joint
    group by phase
),

-- outputs of an intervention count in the phase of its end year (a focus country of it)
outputs as (
    select
        p.phase,
        i.persons_trained,
        i.knowledge_products_endorsed
    from {{ ref('stg_flagship__interventions') }} as i
    inner join phases as p
        on i.end_year between extract(year from p.start_date) and extract(year from p.end_date)
    inner join focus as f on p.phase = f.phase and i.iso3 = f.iso3
),

output_measures as (
    select
        phase,
        'persons_trained' as measure,
        '_T' as risk,
        '_T' as sex,
        sum(persons_trained) as achieved
    from outputs
    group by phase
    union all
    select
        phase,
        'knowledge_products_endorsed',
        '_T',
        '_T',
        sum(knowledge_products_endorsed)
    from outputs
    group by phase
),

ratifications as (
    select
        phase,
        'countries_ratifying_c102' as measure,
        '_T' as risk,
        '_T' as sex,
        count(distinct iso3) as achieved,
        count(distinct result_id) as n_changes
    from changes
    where ratification = 'C102'
    group by phase
    union all
    select
        c.phase,
        'countries_ratifying_social_security_standards',
        '_T',
        '_T',
        count(distinct c.iso3),
        count(distinct c.result_id)
    from changes as c
    inner join standards as s on c.ratification = s.convention
    group by c.phase
),

change_counts as (
    select
        phase,
        measure,
        risk,
        sex,
        n_changes
    from steps
    union all
    select
        phase,
        measure,
        risk,
        sex,
        n_changes
    from ratifications
),

computed as (
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double) as achieved
    from steps
    union all
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double)
    from people
    union all
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double)
    from dedup_risk
    union all
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double)
    from dedup_total
    union all
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double)
    from joint
    union all
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double)
    from output_measures
    union all
    select
        phase,
        measure,
        risk,
        sex,
        cast(achieved as double)
    from ratifications
),

scored as (
    select
        s.phase,
        s.measure,
        s.unit,
        s.risk,
        s.sex,
        s.is_reference_phase,
        case
            when s.measure = 'share_results_joint' then c.achieved
            else coalesce(c.achieved, 0)
        end as achieved_computed,
        case when s.risk = '_T' and s.sex = '_T' then a.ambition end as ambition,
        case
            when s.is_reference_phase and s.risk = '_T' and s.sex = '_T'
                then a.published_achieved
        end as published_achieved,
        case when s.risk = '_T' and s.sex = '_T' then a.source end as ambition_source,
        case when s.unit = 'countries' then coalesce(n.n_changes, 0) end as n_changes
    from spine as s
    left join computed as c
        on s.phase = c.phase and s.measure = c.measure and s.risk = c.risk and s.sex = c.sex
    left join change_counts as n
        on s.phase = n.phase and s.measure = n.measure and s.risk = n.risk and s.sex = n.sex
    left join ambitions as a on s.phase = a.phase and s.measure = a.measure
)

select
    phase,
    measure,
    unit,
    risk,
    sex,
    cast(coalesce(published_achieved, achieved_computed) as double) as achieved,
    case when published_achieved is not null then 'published' else 'computed' end
        as achieved_source,
    cast(achieved_computed as double) as achieved_computed,
    cast(n_changes as bigint) as n_changes,
    cast(ambition as double) as ambition,
    cast(
        100.0 * coalesce(published_achieved, achieved_computed) / nullif(ambition, 0) as double
    ) as share_of_ambition,
    is_reference_phase,
    ambition_source
from scored
