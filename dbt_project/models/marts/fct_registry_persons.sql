{{ config(contract={'enforced': contract_enforced()}) }}
-- Exact person counts from registry microdata per scheme (methodology §2.5: where person IDs
-- exist they replace the overlap rule): persons per country × year × scheme × risk × sex × 5-year
-- age group at the end of the reference year. Beneficiaries are counted once per scheme and risk
-- whatever the number of benefit types they hold; contributors have the risk `contributing`.
-- Sex and age group are the person's (validation keeps one sex and birth year per person).
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
        scheme_id,
        risk,
        sex,
        age_group,
        person_id
    from beneficiaries
    union all
    select
        iso3,
        reference_year,
        scheme_id,
        'contributing' as risk,
        sex,
        age_group,
        person_id
    from contributors
),

final as (
    select
        iso3,
        reference_year as {{ adapter.quote('year') }},
        scheme_id,
        risk,
        sex,
        age_group,
        count(distinct person_id) as persons
    from records
    group by iso3, reference_year, scheme_id, risk, sex, age_group
)

select * from final
