-- Every rejected row or unreadable file of every source, as written by the ingest assets
-- (warehouse/landing/_quarantine/<table>/<key>.parquet): check, column, value and reason.
with source as (
    select * from {{ source('landing', 'quarantine') }}
)

select
    submission_id,
    source_file,
    source_sha256,
    loaded_at,
    table_name,
    row_number,
    check_name,
    column_name,
    "value",
    reason,
    row_json
from source
