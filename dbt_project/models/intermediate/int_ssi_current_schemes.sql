-- Schemes of the current submission of each country and year (int_ssi_submissions_ranked).
select
    s.submission_id,
    s.iso3,
    s.reference_year,
    s.scheme_id,
    s.scheme_type,
    s.affiliation,
    s.risks,
    s.is_contributory,
    s.overlap_group
from {{ ref('stg_ssi__schemes') }} as s
inner join {{ ref('int_ssi_submissions_ranked') }} as r
    on s.submission_id = r.submission_id and r.is_current
