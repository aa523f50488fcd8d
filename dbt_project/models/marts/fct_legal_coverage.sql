-- Legal coverage (methodology §3): persons the law covers for a risk, over the risk's reference
-- population, per country × year × risk × sex × scope.
--   scope `mandatory` (headline): persons of the mandatory schemes (contributory or employer
--     liability; a mandatory universal scheme covers the whole reference population);
--   scope `voluntary_only`: persons of the voluntary schemes, minus the persons of mandatory
--     schemes in the same overlap group (they are already covered), floored at 0 per group;
--     none when a mandatory universal scheme covers everyone;
--   scope `means_tested`: persons means-tested schemes cover, shown apart (§3).
-- Groups under several schemes count once by the overlap rule (§2.5, macro
-- persons_across_schemes): schemes sharing an `overlap_group` may cover the same people (the
-- largest of their counts), schemes in different or no groups cover different people (added).
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
        l.scheme_id,
        s.overlap_group,
        {{ overlap_key('s.overlap_group', 'l.scheme_id') }} as scheme_overlap_key,
        s.scheme_type,
        s.affiliation,
        l.legally_covered
    from {{ ref('stg_ssi__legal_coverage') }} as l
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on l.submission_id = s.submission_id and l.scheme_id = s.scheme_id
),

-- one row per scheme, its persons under the scope it belongs to
per_scheme as (
    select
        iso3,
        reference_year,
        submission_id,
        risk,
        sex,
        scheme_id,
        overlap_group,
        scheme_overlap_key,
        case
            when
                affiliation = 'mandatory'
                and scheme_type in ('contributory', 'employer_liability')
                then legally_covered
        end as mandatory,
        case
            when affiliation = 'voluntary' and scheme_type <> 'means_tested'
                then legally_covered
        end as voluntary,
        case when scheme_type = 'means_tested' then legally_covered end as means_tested
    from legal
),

-- persons across schemes (§2.5): max within an overlap group, sum across groups
across_schemes as (
    {{ persons_across_schemes(
        'per_scheme',
        ['iso3', 'reference_year', 'submission_id', 'risk', 'sex'],
        ['mandatory', 'means_tested']
    ) }}
),

-- the same rule within each overlap group: voluntary and mandatory persons of the group
by_overlap_group as (
    {{ persons_across_schemes(
        'per_scheme',
        ['iso3', 'reference_year', 'submission_id', 'risk', 'sex', 'scheme_overlap_key'],
        ['voluntary', 'mandatory']
    ) }}
),

voluntary_only as (
    select
        iso3,
        reference_year,
        submission_id,
        risk,
        sex,
        sum(greatest(voluntary - coalesce(mandatory, 0), 0)) as voluntary_only
    from by_overlap_group
    where voluntary is not null
    group by iso3, reference_year, submission_id, risk, sex
),

universal as (
    select
        iso3,
        reference_year,
        submission_id,
        risk,
        sex,
        bool_or(scheme_type = 'universal' and affiliation = 'mandatory') as has_universal
    from legal
    group by iso3, reference_year, submission_id, risk, sex
),

by_scope as (
    select
        u.iso3,
        u.reference_year,
        u.risk,
        u.sex,
        u.submission_id,
        u.has_universal,
        a.mandatory,
        v.voluntary_only,
        a.means_tested
    from universal as u
    left join across_schemes as a
        on
            u.submission_id = a.submission_id
            and u.risk = a.risk
            and u.sex = a.sex
    left join voluntary_only as v
        on
            u.submission_id = v.submission_id
            and u.risk = v.risk
            and u.sex = v.sex
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
        case when has_universal then 0 else voluntary_only end
    from with_reference
    where voluntary_only is not null
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
