-- Every effective-coverage value the inputs allow (methodology §2), published or not, per
-- country × year × risk × sex, with what decides whether it is published: fct_effective_coverage
-- keeps the publishable rows, fct_coverage_withheld says why the others are not.
-- Risks and population groups, numerator / denominator (§2.1, §2.2, §2.3, §6.3):
--   children           child/family cash beneficiaries / children 0–14
--   maternity          maternity cash beneficiaries (women) / women giving birth (F only)
--   disability         disability cash beneficiaries / persons with severe disabilities
--   unemployment       unemployment cash beneficiaries / unemployed
--   employment_injury  active contributors to injury schemes + employer liability / employed
--   sickness           active contributors to sickness schemes + employer liability / employed
--                      (§2.3, not SDG)
--   old_age            pensioners at or above the SPA / population at or above the SPA
--   health             persons protected by a health scheme / total population (§6.3, capped)
--   vulnerable         non-contributory cash beneficiaries / vulnerable persons (§2.1 VULN)
--   poor               means-tested cash beneficiaries / persons below the poverty line
--   any_benefit        life-cycle partition (§2.2) / total population
-- Persons in several schemes count once by the overlap rule of §2.5 (persons_across_schemes),
-- also across risks for VULN and POOR (a person with two social assistance benefits is one
-- recipient). A sex row needs every scheme of its numerator to report that sex (§0).
-- No country-level imputation: no numerator or no denominator, no value.
-- Where registry microdata exist (int_registry_coverage_numerators), their exact unduplicated
-- count replaces the SSI numerator (§2.5); the SSI value is kept as overlap_rule_covered.
with ben as (
    select * from {{ ref('int_beneficiaries_by_risk') }}
),

ref as (
    select * from {{ ref('int_reference_populations') }}
),

social_assistance_per_scheme as (
    -- non-contributory (universal or means-tested) cash recipients of every risk but health;
    -- one person with two benefits of one scheme or overlap group counts once (§2.5)
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        scheme_type,
        sex,
        persons
    from {{ ref('int_ssi_beneficiaries_per_scheme') }}
    where risk <> 'health' and scheme_type in ('universal', 'means_tested')
),

cash_beneficiary_keys as (
    select distinct
        iso3,
        reference_year,
        submission_id,
        sex
    from ben
    where risk <> 'health'
),

means_tested_per_scheme as (
    select * from social_assistance_per_scheme
    where scheme_type = 'means_tested'
),

{% for part, relation in [('vulnerable', 'social_assistance_per_scheme'),
                          ('poor', 'means_tested_per_scheme')] %}
    {{ part }}_across_schemes as (
        {{ persons_across_schemes(
            relation,
            ['iso3', 'reference_year', 'submission_id', 'sex'],
            ['persons']
        ) }}
    ),

    {{ part }}_numerator as (
        -- every country-year-sex with cash beneficiaries has a value (0 without such schemes);
        -- a sex is complete only when every scheme with such recipients reports that sex
        select
            k.iso3,
            k.reference_year,
            k.submission_id,
            k.sex,
            coalesce(s.persons, 0) as persons,
            k.sex = '_T'
            or t.persons is null
            or coalesce(s.n_schemes = t.n_schemes and s.persons_complete, false)
                as is_sex_complete
        from cash_beneficiary_keys as k
        left join {{ part }}_across_schemes as s
            on k.submission_id = s.submission_id and k.sex = s.sex
        left join {{ part }}_across_schemes as t
            on k.submission_id = t.submission_id and t.sex = '_T'
    ),

{% endfor %}

contributors_injury_sickness as (
    select * from {{ ref('int_active_contributors') }}
    where risk in ('employment_injury', 'sickness')
),

liability_injury_sickness as (
    select * from {{ ref('int_employer_liability_covered') }}
    where risk in ('employment_injury', 'sickness')
),

injury_sickness_keys as (
    select
        iso3,
        reference_year,
        risk,
        sex,
        submission_id
    from contributors_injury_sickness
    union
    select
        iso3,
        reference_year,
        risk,
        sex,
        submission_id
    from liability_injury_sickness
),

injury_sickness as (
    -- contributors + employer liability; a sex row needs each part that exists for the total
    -- to exist, complete, for the sex
    select
        k.iso3,
        k.reference_year,
        k.risk,
        k.sex,
        k.submission_id,
        coalesce(c.contributors, 0) + coalesce(e.legally_covered, 0) as covered,
        (ct.contributors is null or coalesce(c.is_sex_complete, false))
        and (et.legally_covered is null or coalesce(e.is_sex_complete, false))
            as is_sex_complete
    from injury_sickness_keys as k
    left join contributors_injury_sickness as c
        on k.submission_id = c.submission_id and k.risk = c.risk and k.sex = c.sex
    left join contributors_injury_sickness as ct
        on k.submission_id = ct.submission_id and k.risk = ct.risk and ct.sex = '_T'
    left join liability_injury_sickness as e
        on k.submission_id = e.submission_id and k.risk = e.risk and k.sex = e.sex
    left join liability_injury_sickness as et
        on k.submission_id = et.submission_id and k.risk = et.risk and et.sex = '_T'
),

numerators as (
    select
        iso3,
        reference_year,
        risk,
        sex,
        covered,
        submission_id,
        'cash beneficiaries of all schemes for the risk, persons in several schemes counted once '
        || '(§2.5) / the risk''s reference population' as method,
        false as is_estimated,
        is_sex_complete
    from ben
    where risk in ('children', 'disability', 'unemployment')

    union all
    -- maternity cash benefits go to women: the all-sex count is the women's count
    select
        iso3,
        reference_year,
        risk,
        'F' as sex,
        covered,
        submission_id,
        'women receiving maternity cash benefits / live births adjusted for multiple births',
        false,
        true
    from ben
    where risk = 'maternity' and sex = '_T'

    union all
    select
        iso3,
        reference_year,
        risk,
        sex,
        covered,
        submission_id,
        case risk
            when 'employment_injury'
                then
                    'active contributors to employment-injury insurance plus workers covered '
                    || 'by employer liability / employed'
            else
                'active contributors to sickness cash schemes plus workers covered by '
                || 'employer liability / employed (methodology §2.3)'
        end,
        false,
        is_sex_complete
    from injury_sickness

    union all
    select
        n.iso3,
        n.reference_year,
        'old_age',
        n.sex,
        n.covered,
        n.submission_id,
        'old-age pensioners at or above the statutory pensionable age (by sex) / population '
        || 'at or above it (periodic pensions; one age partition; persons in several schemes '
        || 'counted once, §2.5)'
        || case
            when not n.age_detail then '; some schemes without age breakdown counted in full'
            else ''
        end
        || case
            when n.is_split_at_spa or d.spa_interpolated
                then '; age group straddling the SPA split pro rata to population'
            else ''
        end,
        not n.age_detail or n.is_split_at_spa or d.spa_interpolated,
        n.is_sex_complete
    from {{ ref('int_old_age_pensioners_above_spa') }} as n
    inner join {{ ref('int_population_above_spa') }} as d
        on n.iso3 = d.iso3 and n.reference_year = d.reference_year and n.sex = d.sex

    union all
    select
        iso3,
        reference_year,
        'health',
        sex,
        covered,
        submission_id,
        'persons protected by social health protection schemes / total population (capped at 100)',
        false,
        is_sex_complete
    from ben
    where risk = 'health'

    union all
    select
        iso3,
        reference_year,
        'vulnerable',
        sex,
        persons,
        submission_id,
        'non-contributory cash beneficiaries, all risks, counted once / total population less '
        || 'working-age contributors and contributory beneficiaries and contributory pensioners '
        || 'above the SPA (§2.1 VULN)',
        false,
        is_sex_complete
    from vulnerable_numerator

    union all
    select
        iso3,
        reference_year,
        'poor',
        sex,
        persons,
        submission_id,
        'means-tested (social assistance) cash beneficiaries, all risks, counted once / '
        || 'population below the national poverty line',
        false,
        is_sex_complete
    from poor_numerator

    union all
    select
        iso3,
        reference_year,
        'any_benefit',
        sex,
        covered,
        submission_id,
        'life-cycle partition without double counting (methodology §2.2): children + working age '
        || '(15 to SPA-1) + older persons, each capped at its population, persons in several '
        || 'schemes counted once (§2.5) / total population',
        true,
        is_sex_complete
    from {{ ref('int_any_benefit_life_cycle') }}
),

registry as (
    select * from {{ ref('int_registry_coverage_numerators') }}
),

numerators_exact as (
    select
        n.iso3,
        n.reference_year,
        n.risk,
        n.sex,
        coalesce(g.covered, n.covered) as covered,
        n.covered as overlap_rule_covered,
        n.submission_id,
        coalesce(g.method, n.method) as method,
        (g.covered is null and n.is_estimated) as is_estimated,
        -- a registry counts every person with their sex: each sex is complete
        (g.covered is not null or n.is_sex_complete) as is_sex_complete,
        g.registry_id,
        g.nature as registry_nature
    from numerators as n
    left join registry as g
        on
            n.iso3 = g.iso3
            and n.reference_year = g.reference_year
            and n.risk = g.risk
            and n.sex = g.sex
),

with_denominator as (
    select
        n.*,
        {{ coverage_reference_population('n.risk') }} as reference_population,
        coalesce(n.risk = 'vulnerable' and (v.is_floored or not v.is_sex_complete), false)
            as is_denominator_invalid
    from numerators_exact as n
    left join ref as r
        on n.iso3 = r.iso3 and n.reference_year = r.reference_year and n.sex = r.sex
    left join {{ ref('int_vulnerable_population') }} as v
        on n.iso3 = v.iso3 and n.reference_year = v.reference_year and n.sex = v.sex
),

final as (
    select
        w.iso3,
        w.reference_year as "year",
        w.risk,
        w.sex,
        risks.sdg_series_code as series_code,
        w.covered,
        w.reference_population,
        {{ rate_pct('w.covered', 'w.reference_population') }} as raw_rate,
        w.is_estimated,
        w.method,
        w.submission_id,
        w.is_sex_complete,
        w.is_denominator_invalid,
        w.overlap_rule_covered,
        w.registry_id,
        w.registry_nature,
        case
            when w.covered is null then 'no numerator'
            when not w.is_sex_complete
                then 'not every scheme in the numerator reports this sex (methodology §0)'
            when w.reference_population is null
                then 'no denominator in the national statistics for this sex'
            when w.is_denominator_invalid
                then
                    'no valid denominator: the vulnerable population is zero or below once '
                    || 'contributors and contributory beneficiaries are taken out, or not every '
                    || 'scheme reports this sex'
            when w.reference_population <= 0 then 'denominator is zero'
        end as withheld_reason
    from with_denominator as w
    inner join {{ ref('risks') }} as risks on w.risk = risks.risk
)

select * from final
