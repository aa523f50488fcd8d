-- Workers covered through employer liability (methodology §1.2, §2.1 WKINJRY): persons legally
-- covered by employer-liability schemes of the current submission, per risk and sex.
select
    l.iso3,
    l.reference_year,
    l.risk,
    l.sex,
    any_value(l.submission_id) as submission_id,
    sum(l.legally_covered) as legally_covered
from {{ ref('stg_ssi__legal_coverage') }} as l
inner join {{ ref('int_ssi_current_schemes') }} as s
    on l.submission_id = s.submission_id and l.scheme_id = s.scheme_id
where s.scheme_type = 'employer_liability'
group by all
