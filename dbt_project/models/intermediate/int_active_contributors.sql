-- Active contributors per country × year × sex, per risk their schemes cover and for "at
-- least one scheme" (risk `any`) — methodology §2.1 WKINJRY, §2.2 step 3, §2.3.
-- Overlap (decision, docs/decisions.md): contributory schemes of one country overwhelmingly
-- cover nested groups (pension insurance covers all employees and the self-employed, sickness
-- or unemployment insurance the employees among them), so the persons contributing to at least
-- one scheme are the contributors of the largest scheme, not the sum. `any` counts schemes with
-- a cash branch: schemes covering health care only are left out.
with contributors as (
    select
        c.iso3,
        c.reference_year,
        c.submission_id,
        c.scheme_id,
        s.risks,
        c.sex,
        c.active_contributors
    from {{ ref('stg_ssi__contributors') }} as c
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on c.submission_id = s.submission_id and c.scheme_id = s.scheme_id
    where c.age_group = '_T' and s.scheme_type = 'contributory'
),

per_risk as (
    select
        iso3,
        reference_year,
        submission_id,
        unnest(string_split(risks, ';')) as risk,
        sex,
        active_contributors
    from contributors
)

select
    iso3,
    reference_year,
    submission_id,
    risk,
    sex,
    max(active_contributors) as contributors
from per_risk
group by all

union all

select
    iso3,
    reference_year,
    submission_id,
    'any' as risk,
    sex,
    max(active_contributors) as contributors
from contributors
where risks <> 'health'
group by all
