-- Which submission is current for each country and reference year: the latest submitted
-- (then the highest submission id, so `KEN_2021_r2` supersedes `KEN_2021`). All are kept.
with submissions as (
    select * from {{ ref('stg_ssi__submissions') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by iso3, reference_year
            order by submitted_on desc nulls last, submission_id desc
        ) as submission_rank
    from submissions
)

select
    *,
    submission_rank = 1 as is_current
from ranked
