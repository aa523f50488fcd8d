-- Workers covered through employer liability (methodology §1.2, §2.1 WKINJRY): persons legally
-- covered by employer-liability schemes of the current submission, per risk and sex, combined
-- across schemes by the overlap rule of §2.5 (persons_across_schemes). F and M are complete
-- only when every such scheme reports the sex.
with per_scheme as (
    select
        l.iso3,
        l.reference_year,
        l.submission_id,
        l.scheme_id,
        s.overlap_group,
        l.risk,
        l.sex,
        l.legally_covered
    from {{ ref('stg_ssi__legal_coverage') }} as l
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on l.submission_id = s.submission_id and l.scheme_id = s.scheme_id
    where s.scheme_type = 'employer_liability'
),

across_schemes as (
    {{ persons_across_schemes(
        'per_scheme',
        ['iso3', 'reference_year', 'submission_id', 'risk', 'sex'],
        ['legally_covered']
    ) }}
),

final as (
    select
        a.iso3,
        a.reference_year,
        a.risk,
        a.sex,
        a.submission_id,
        a.legally_covered,
        {{ is_sex_complete('legally_covered') }} as is_sex_complete
    from across_schemes as a
    left join across_schemes as t
        on a.submission_id = t.submission_id and a.risk = t.risk and t.sex = '_T'
)

select * from final
