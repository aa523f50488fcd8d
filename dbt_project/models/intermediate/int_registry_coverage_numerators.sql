-- Effective-coverage numerators from registry microdata (methodology §2.5: where person IDs
-- exist, exact unduplicated counts replace the overlap rule; §2.2 step 5 for SI_COV_BENFTS).
-- int_effective_coverage_candidates uses them instead of the SSI scheme totals for the same
-- country, year, risk and sex, and keeps the SSI value to compare
-- (fct_registry_coverage_comparison).
-- Risks whose numerator is "cash beneficiaries of all schemes for the risk" (§2.1): children,
-- disability, unemployment, maternity (women); any_benefit = contributing or receiving.
-- Old age (above the SPA), injury and sickness (contributors per risk), health, vulnerable and
-- poor keep the SSI numerator (decision, docs/decisions.md).
-- NATURE (§8.1, issue 15): `C` when the registry has both parts (beneficiaries and
-- contributors), national data throughout; `E` otherwise.
with unduplicated as (
    select * from {{ ref('int_registry_unduplicated') }}
    where age_group = '_T'
),

contributors as (
    select * from {{ ref('stg_registry__contributors') }}
),

beneficiaries as (
    select * from {{ ref('stg_registry__beneficiaries') }}
),

beneficiary_registries as (
    select distinct
        iso3,
        reference_year,
        registry_id
    from beneficiaries
),

contributor_registries as (
    select distinct
        iso3,
        reference_year,
        registry_id
    from contributors
),

registries as (
    select
        b.iso3,
        b.reference_year,
        b.registry_id,
        c.registry_id is not null as has_both_parts
    from beneficiary_registries as b
    left join contributor_registries as c
        on b.iso3 = c.iso3 and b.reference_year = c.reference_year
),

by_risk as (
    select
        iso3,
        {{ adapter.quote('year') }} as reference_year,
        case measure
            when 'contributing_or_receiving' then 'any_benefit'
            else measure
        end as risk,
        sex,
        persons
    from unduplicated
    where measure in ('children', 'disability', 'unemployment', 'contributing_or_receiving')
    union all
    -- maternity cash benefits go to women: the all-sex count is the women's count
    select
        iso3,
        {{ adapter.quote('year') }} as reference_year,
        'maternity' as risk,
        'F' as sex,
        persons
    from unduplicated
    where measure = 'maternity' and sex = '_T'
),

final as (
    select
        n.iso3,
        n.reference_year,
        n.risk,
        n.sex,
        cast(n.persons as double) as covered,
        r.registry_id,
        r.has_both_parts,
        case
            when r.has_both_parts then {{ sdmx_nature('national_figure') }}
            else {{ sdmx_nature('computed_ratio') }}
        end as nature,
        'registry microdata ' || r.registry_id || ': exact count of persons, each counted once '
        || 'across schemes (methodology §2.5)'
        || case
            when n.risk = 'any_benefit'
                then ', receiving at least one cash benefit or actively contributing (§2.2)'
            else ''
        end
        || case
            when r.has_both_parts then ''
            else '; the registry has no contributors part'
        end as method
    from by_risk as n
    inner join registries as r
        on n.iso3 = r.iso3 and n.reference_year = r.reference_year
)

select * from final
