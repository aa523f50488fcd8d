-- Legal coverage (methodology §3): persons the law covers for a risk, over the risk's reference
-- population, per country × year × risk × sex × scope.
--   scope `mandatory` (headline): groups with at least one mandatory scheme (contributory or
--     employer liability; a mandatory universal scheme covers the whole reference population);
--   scope `voluntary_only`: persons only voluntary schemes cover (voluntary − mandatory, ≥ 0);
--   scope `means_tested`: persons means-tested schemes cover, shown apart (§3).
-- Groups under several schemes count once (decision, as for contributors: schemes of a
-- country cover nested groups, so the union is the largest scheme's group).
-- Reference populations (§3 table; survivors and social assistance are decisions):
-- old age, disability, survivors: population 15+; unemployment: labour force; maternity: women
-- in employment; sickness and employment injury: employed; children: 0–14; health and social
-- assistance: total population.
with legal as (
    select
        l.iso3,
        l.reference_year,
        l.submission_id,
        l.risk,
        l.sex,
        s.scheme_type,
        s.affiliation,
        l.legally_covered
    from {{ ref('stg_ssi__legal_coverage') }} as l
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on l.submission_id = s.submission_id and l.scheme_id = s.scheme_id
),

by_scope as (
    select
        iso3,
        reference_year,
        risk,
        sex,
        any_value(submission_id) as submission_id,
        bool_or(scheme_type = 'universal' and affiliation = 'mandatory') as has_universal,
        max(case
            when
                affiliation = 'mandatory' and scheme_type in
                ('contributory', 'employer_liability') then legally_covered
        end) as mandatory,
        max(case when affiliation = 'voluntary' then legally_covered end) as voluntary,
        max(case when scheme_type = 'means_tested' then legally_covered end) as means_tested
    from legal
    group by all
),

with_reference as (
    select
        b.*,
        case b.risk
            when 'old_age' then r.population_15_plus
            when 'disability' then r.population_15_plus
            when 'survivors' then r.population_15_plus
            when 'unemployment' then r.labour_force
            when 'maternity' then (case when b.sex in ('F', '_T') then f.employed end)
            when 'sickness' then r.employed
            when 'employment_injury' then r.employed
            when 'children' then r.children_0_14
            when 'health' then r.total_population
            when 'social_assistance' then r.total_population
        end as reference_population
    from by_scope as b
    inner join {{ ref('int_reference_populations') }} as r
        on b.iso3 = r.iso3 and b.reference_year = r.reference_year and b.sex = r.sex
    left join {{ ref('int_reference_populations') }} as f
        on b.iso3 = f.iso3 and b.reference_year = f.reference_year and f.sex = 'F'
    where b.risk <> 'maternity' or b.sex in ('F', '_T')
),

scoped as (
    select
        iso3,
        reference_year,
        risk,
        sex,
        submission_id,
        reference_population,
        'mandatory' as scope,
        case when has_universal then reference_population else mandatory end as legally_covered
    from with_reference
    where has_universal or mandatory is not null
    union all
    select
        iso3,
        reference_year,
        risk,
        sex,
        submission_id,
        reference_population,
        'voluntary_only',
        greatest(voluntary - coalesce(
            case when has_universal then reference_population else mandatory end, 0
        ), 0)
    from with_reference
    where voluntary is not null
    union all
    select
        iso3,
        reference_year,
        risk,
        sex,
        submission_id,
        reference_population,
        'means_tested',
        means_tested
    from with_reference
    where means_tested is not null
)

select
    iso3,
    reference_year as "year",
    risk,
    -- maternity cash protects women: the all-sex row is the women's row
    case when risk = 'maternity' then 'F' else sex end as sex,
    scope,
    legally_covered,
    reference_population,
    {{ rate_pct('legally_covered', 'reference_population') }} as legal_coverage_rate,
    coalesce({{ rate_pct('legally_covered', 'reference_population') }} > 100, false)
        as is_above_100,
    submission_id
from scoped
where reference_population is not null and (risk <> 'maternity' or sex = '_T')
