{{ config(contract={'enforced': contract_enforced()}) }}
-- Persons counted once across all schemes from registry microdata, per measure (each risk,
-- any_benefit, contributing_or_receiving = the SI_COV_BENFTS numerator), sex and age group
-- (methodology §2.2 step 5, §2.5); the counting is in int_registry_unduplicated.
with unduplicated as (
    select * from {{ ref('int_registry_unduplicated') }}
),

final as (
    select
        iso3,
        {{ adapter.quote('year') }},
        measure,
        sex,
        age_group,
        persons
    from unduplicated
)

select * from final
