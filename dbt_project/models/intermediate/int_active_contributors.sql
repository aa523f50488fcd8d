-- Active contributors per country × year × sex, per risk their schemes cover and for "at least
-- one scheme" (risk `any`, schemes with a cash branch: health-only schemes are left out) —
-- methodology §2.1 WKINJRY, §2.2 step 3, §2.3.
-- * contributory schemes of the current submission; `_T` = reported total, else F + M;
-- * across schemes: persons_across_schemes, the overlap rule of §2.5 (schemes sharing an
--   overlap group hold the same people: the largest count; other schemes add up);
-- * `contributors_working_age`: those aged 15 to SPA−1 (§2.2 step 3, age-bounded), split pro
--   rata to population where an age group straddles a boundary; a scheme without age detail
--   counts all its contributors as working age (`has_age_detail` false);
-- * F and M are complete only when every scheme reports the sex (`is_sex_complete`).
with reported as (
    select
        l.submission_id,
        l.iso3,
        l.reference_year,
        l.scheme_id,
        s.overlap_group,
        s.risks,
        l.sex,
        l.persons,
        coalesce(l.persons_working_age, l.persons) as persons_working_age,
        l.has_age_detail
    from {{ ref('int_ssi_persons_by_life_stage') }} as l
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on l.submission_id = s.submission_id and l.scheme_id = s.scheme_id
    where l.measure = 'contributors' and s.scheme_type = 'contributory'
),

sum_of_sexes as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        overlap_group,
        risks,
        '_T' as sex,
        sum(persons) as persons,
        sum(persons_working_age) as persons_working_age,
        bool_and(has_age_detail) as has_age_detail
    from reported
    group by all
    having
        not bool_or(sex = '_T') and bool_or(sex = 'F') and bool_or(sex = 'M')
),

per_scheme as (
    select * from reported
    union all
    select * from sum_of_sexes
),

per_risk as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        unnest(string_split(risks, ';')) as risk,
        sex,
        persons as contributors,
        persons_working_age as contributors_working_age
    from per_scheme
    union all
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        'any' as risk,
        sex,
        persons,
        persons_working_age
    from per_scheme
    where risks <> 'health'
),

across_schemes as (
    {{ persons_across_schemes(
        'per_risk',
        ['iso3', 'reference_year', 'submission_id', 'risk', 'sex'],
        ['contributors', 'contributors_working_age']
    ) }}
),

final as (
    select
        a.iso3,
        a.reference_year,
        a.submission_id,
        a.risk,
        a.sex,
        a.contributors,
        a.contributors_working_age,
        a.n_schemes,
        {{ is_sex_complete('contributors') }} as is_sex_complete
    from across_schemes as a
    left join across_schemes as t
        on a.submission_id = t.submission_id and a.risk = t.risk and t.sex = '_T'
)

select * from final
