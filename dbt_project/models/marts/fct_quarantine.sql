-- Every rejected row and unreadable file with its reason, for every source (SSI, national
-- statistics, reference lists, published indicators): nothing received is lost (design §3).
select
    submission_id,
    source_file,
    table_name,
    row_number,
    check_name,
    column_name,
    "value",
    reason,
    row_json,
    source_sha256,
    loaded_at
from {{ ref('stg_landing__quarantine') }}
