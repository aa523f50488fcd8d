-- Ephemeral: person-level records never become a table of the published warehouse (privacy,
-- size); each registry model reads the landed Parquet through this CTE.
{{ config(materialized='ephemeral') }}
-- Registry records of persons who actively contributed to a scheme during the reference year
-- (methodology §0: at least one contribution paid by or for the person), as landed and
-- validated by pipelines/registry/land.py, with the age group at the end of the year.
with source as (
    select * from {{ registry_landing('registry_contributors') }}
),

final as (
    select
        iso3,
        cast(reference_year as integer) as reference_year,
        submission_id as registry_id,
        person_id,
        scheme_id,
        sex,
        cast(birth_year as integer) as birth_year,
        {{ registry_age_group('reference_year', 'birth_year') }} as age_group
    from source
)

select * from final
