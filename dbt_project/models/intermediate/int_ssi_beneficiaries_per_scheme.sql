-- Beneficiaries per scheme × risk × sex of the current submission, in persons (methodology §0,
-- §2.1), with their life-cycle groups (int_ssi_persons_by_life_stage):
-- * cash benefits only (periodic or lump sum); for risk `health` the persons protected, whatever
--   the benefit type (§6.3). A person with a periodic and a lump-sum benefit of the same scheme
--   counts once: the larger of the two counts;
-- * `pension_*`: periodic benefits only (lump-sum settlements are not pensions, §2.1 PENSN);
-- * `_T` is the reported total, else F + M; maternity benefits go to women, so a scheme without
--   a male row has no male beneficiaries (M = 0).
with life_stage as (
    select * from {{ ref('int_ssi_persons_by_life_stage') }}
    where
        measure = 'beneficiaries'
        and (benefit_type in ('cash_periodic', 'cash_lump_sum') or risk = 'health')
),

reported as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        risk,
        sex,
        max(persons) as persons,
        max(persons_0_14) as persons_0_14,
        max(persons_working_age) as persons_working_age,
        max(persons_above_spa) as persons_above_spa,
        bool_or(has_age_detail) as has_age_detail,
        max(case when benefit_type = 'cash_periodic' then persons end) as pension_persons,
        max(case when benefit_type = 'cash_periodic' then persons_above_spa end)
            as pension_above_spa,
        bool_or(benefit_type = 'cash_periodic' and has_age_detail) as pension_has_age_detail,
        bool_or(benefit_type = 'cash_periodic' and is_split_at_spa) as pension_split_at_spa
    from life_stage
    group by all
),

keys as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        risk,
        bool_or(sex = '_T') as has_total,
        bool_or(sex = 'F') as has_f,
        bool_or(sex = 'M') as has_m
    from reported
    group by all
),

sum_of_sexes as (
    -- `_T` = F + M where no total is reported (both sexes given, or maternity's F alone)
    select
        r.submission_id,
        r.iso3,
        r.reference_year,
        r.scheme_id,
        r.risk,
        '_T' as sex,
        sum(r.persons) as persons,
        sum(r.persons_0_14) as persons_0_14,
        sum(r.persons_working_age) as persons_working_age,
        sum(r.persons_above_spa) as persons_above_spa,
        bool_and(r.has_age_detail) as has_age_detail,
        sum(r.pension_persons) as pension_persons,
        sum(r.pension_above_spa) as pension_above_spa,
        bool_and(r.pension_has_age_detail) as pension_has_age_detail,
        bool_or(r.pension_split_at_spa) as pension_split_at_spa
    from reported as r
    inner join keys as k
        on
            r.submission_id = k.submission_id and r.scheme_id = k.scheme_id
            and r.risk = k.risk
    where not k.has_total and k.has_f and (k.has_m or k.risk = 'maternity')
    group by all
),

no_men_on_maternity as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        risk,
        'M' as sex,
        0 as persons,
        0 as persons_0_14,
        0 as persons_working_age,
        0 as persons_above_spa,
        true as has_age_detail,
        0 as pension_persons,
        0 as pension_above_spa,
        true as pension_has_age_detail,
        false as pension_split_at_spa
    from keys
    where risk = 'maternity' and not has_m
),

all_sexes as (
    select * from reported
    union all
    select * from sum_of_sexes
    union all
    select * from no_men_on_maternity
),

final as (
    select
        a.submission_id,
        a.iso3,
        a.reference_year,
        a.scheme_id,
        s.scheme_type,
        s.overlap_group,
        a.risk,
        a.sex,
        a.persons,
        a.persons_0_14,
        a.persons_working_age,
        a.persons_above_spa,
        a.has_age_detail,
        a.pension_persons,
        a.pension_above_spa,
        a.pension_has_age_detail,
        a.pension_split_at_spa
    from all_sexes as a
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on a.submission_id = s.submission_id and a.scheme_id = s.scheme_id
)

select * from final
