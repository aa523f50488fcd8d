-- Flagship interventions (methodology §9), typed; is_joint when a partner besides the ILO takes
-- part.
with source as (
    select * from {{ source('landing', 'flagship_interventions') }}
)

select
    intervention_id,
    iso3,
    cast(start_year as integer) as start_year,
    cast(end_year as integer) as end_year,
    thematic_area,
    title,
    partners,
    {{ is_joint_with_partner('partners') }} as is_joint,
    cast(budget_usd as double) as budget_usd,
    cast(persons_trained as bigint) as persons_trained,
    cast(knowledge_products_endorsed as integer) as knowledge_products_endorsed,
    source_file,
    source_sha256,
    loaded_at
from source
