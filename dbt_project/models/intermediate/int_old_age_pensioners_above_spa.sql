-- Numerator of SI_COV_PENSN (methodology §2.1): old-age cash pensioners at or above the SPA.
-- * Per scheme and sex: periodic old-age pensions only (lump-sum settlements are not pensions),
--   from one non-overlapping age partition (int_ssi_age_partition: a Y_GE65 row beside 5-year
--   groups is never added to them), age groups straddling the SPA split pro rata to population
--   (int_ssi_persons_by_life_stage, `is_split_at_spa`). A scheme without an age breakdown
--   counts all its pensioners (`age_detail` false).
-- * `_T` per scheme: when F and M are both reported, F + M plus pensioners of unknown sex
--   (all-ages _T − F − M) at the F+M share above the SPA, so each sex keeps its own SPA; else
--   the total's own age rows.
-- * Across schemes: persons_across_schemes, the overlap rule of §2.5 (a universal pension paid
--   on top of a contributory one, in the same overlap group, does not count the person twice).
-- * F and M are complete only when every scheme reports the sex (`is_sex_complete`).
with pensions as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        overlap_group,
        sex,
        pension_persons as all_ages,
        case
            when pension_has_age_detail then pension_above_spa else pension_persons
        end as above_spa,
        pension_has_age_detail as age_detail,
        pension_split_at_spa as split_at_spa
    from {{ ref('int_ssi_beneficiaries_per_scheme') }}
    where risk = 'old_age' and pension_persons is not null
),

per_scheme as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        overlap_group,
        max(case when sex = 'F' then above_spa end) as above_spa_f,
        max(case when sex = 'M' then above_spa end) as above_spa_m,
        max(case when sex = '_T' then above_spa end) as above_spa_t_reported,
        max(case when sex = 'F' then all_ages end) + max(case when sex = 'M' then all_ages end)
            as all_ages_fm,
        max(case when sex = '_T' then all_ages end) as all_ages_t,
        bool_and(age_detail) as age_detail,
        bool_or(split_at_spa) as split_at_spa
    from pensions
    group by all
),

per_scheme_total as (
    select
        *,
        case
            when above_spa_f is not null and above_spa_m is not null
                then
                    above_spa_f + above_spa_m
                    + case
                        when all_ages_fm > 0
                            then
                                greatest(coalesce(all_ages_t, 0) - all_ages_fm, 0)
                                * (above_spa_f + above_spa_m) / all_ages_fm
                        else 0
                    end
            else above_spa_t_reported
        end as above_spa_t
    from per_scheme
),

per_scheme_sex as (
    {% for sex, sfx in [('F', 'f'), ('M', 'm'), ('_T', 't')] %}
        select
            iso3,
            reference_year,
            submission_id,
            scheme_id,
            overlap_group,
            '{{ sex }}' as sex,
            above_spa_{{ sfx }} as covered,
            age_detail,
            split_at_spa
        from per_scheme_total
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

across_schemes as (
    {{ persons_across_schemes(
        'per_scheme_sex',
        ['iso3', 'reference_year', 'submission_id', 'sex'],
        ['covered']
    ) }}
),

flags as (
    select
        submission_id,
        bool_and(age_detail) as age_detail,
        bool_or(split_at_spa) as is_split_at_spa
    from per_scheme
    group by all
),

final as (
    select
        a.iso3,
        a.reference_year,
        a.sex,
        a.submission_id,
        a.covered,
        f.age_detail,
        f.is_split_at_spa,
        a.n_schemes,
        coalesce(a.sex = '_T' or a.covered_complete, false) as is_sex_complete
    from across_schemes as a
    inner join flags as f on a.submission_id = f.submission_id
)

select * from final
