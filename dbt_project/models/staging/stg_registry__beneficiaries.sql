-- Ephemeral: person-level records never become a table of the published warehouse (privacy,
-- size); each registry model reads the landed Parquet through this CTE.
{{ config(materialized='ephemeral') }}
-- Registry records of benefits in receipt during the reference year (one row per person ×
-- scheme × risk × benefit type), as landed and validated by pipelines/registry/land.py (codes,
-- known schemes, one sex and birth year per person, no duplicates), with the person's 5-year
-- age group at the end of the reference year (methodology §0).
with source as (
    select * from {{ registry_landing('registry_beneficiaries') }}
),

final as (
    select
        iso3,
        cast(reference_year as integer) as reference_year,
        submission_id as registry_id,
        person_id,
        scheme_id,
        risk,
        benefit_type,
        benefit_type in ('cash_periodic', 'cash_lump_sum') as is_cash,
        sex,
        cast(birth_year as integer) as birth_year,
        {{ registry_age_group('reference_year', 'birth_year') }} as age_group
    from source
)

select * from final
