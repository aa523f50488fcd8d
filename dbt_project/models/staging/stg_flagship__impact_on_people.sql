-- Flagship impact on people (methodology §9): persons per impact record and sex, typed.
with source as (
    select * from {{ source('landing', 'flagship_impact_on_people') }}
)

select
    impact_id,
    iso3,
    impact_type,
    risks,
    sex,
    cast(persons as bigint) as persons,
    cast(impact_date as date) as impact_date,
    description,
    source,
    change_id,
    intervention_id,
    partners_involved,
    {{ is_joint_with_partner('partners_involved') }} as is_joint,
    same_people_as,
    source_file,
    source_sha256,
    loaded_at
from source
