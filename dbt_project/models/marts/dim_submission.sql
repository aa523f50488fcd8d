-- SSI submissions received, which one is current for each country and year, which ones were
-- superseded (history kept), and what happened to their rows (received = loaded + quarantined).
with receipts as (
    select
        submission_id,
        sum(rows_received) as rows_received,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined,
        max(file_error) as file_error
    from {{ ref('stg_landing__receipts') }}
    where source_file like 'ssi/%'
    group by submission_id
),

ranked as (
    select
        *,
        lag(submission_id) over (
            partition by iso3, reference_year order by submission_rank
        ) as superseded_by
    from {{ ref('int_ssi_submissions_ranked') }}
)

select
    receipts.submission_id,
    ranked.iso3,
    ranked.reference_year,
    ranked.ssi_round,
    ranked.submitted_on,
    ranked.focal_point,
    ranked.currency,
    coalesce(ranked.is_current, false) as is_current,
    ranked.submission_rank,
    ranked.superseded_by,
    receipts.rows_received,
    receipts.rows_loaded,
    receipts.rows_quarantined,
    receipts.file_error,
    ranked.source_file,
    ranked.source_sha256,
    ranked.loaded_at
from receipts
left join ranked on receipts.submission_id = ranked.submission_id
