-- Per file (or submission) and table: rows received, loaded and quarantined, and the file error
-- when the file could not be read (warehouse/landing/_receipts/<source>/<key>.parquet).
with source as (
    select * from {{ source('landing', 'receipts') }}
)

select
    submission_id,
    source_file,
    source_sha256,
    loaded_at,
    table_name,
    rows_received,
    rows_loaded,
    rows_quarantined,
    file_error
from source
