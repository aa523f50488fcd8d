-- Flagship institutional changes at steps 1-3 (methodology §9), typed; risks kept as the raw
-- semicolon list (one row per risk in fct_flagship_results).
with source as (
    select * from {{ source('landing', 'flagship_institutional_changes') }}
)

select
    change_id,
    iso3,
    cast(step as integer) as step,
    cast(change_date as date) as change_date,
    risks,
    description,
    evidence,
    intervention_id,
    partners_involved,
    {{ is_joint_with_partner('partners_involved') }} as is_joint,
    ratification,
    source_file,
    source_sha256,
    loaded_at
from source
