-- SI_COV_BENFTS without double counting (methodology §2.2, life-cycle partition; decision):
-- 1. children 0–14 covered = child/family cash beneficiaries, capped at the children;
-- 2. working age (15 to SPA−1) covered = persons contributing to ≥1 scheme + non-contributory
--    cash recipients of working-age risks + contributory recipients of unemployment, disability
--    and employment-injury benefits (who no longer contribute), capped at the group;
-- 3. older persons covered = SI_COV_PENSN numerator, capped at the group;
-- 4. rate = sum of the three / total population. F/M only when every part exists for the sex.
with ben as (
    select * from {{ ref('int_beneficiaries_by_risk') }}
),

working_age_benefits as (
    select
        iso3,
        reference_year,
        sex,
        count(*) as n_risks,
        sum(non_contributory) as non_contributory,
        sum(
            case
                when risk in ('unemployment', 'disability', 'employment_injury')
                    then contributory
                else 0
            end
        ) as contributory_not_contributing
    from ben
    where
        risk in (
            'maternity', 'sickness', 'unemployment', 'employment_injury', 'disability',
            'social_assistance'
        )
    group by all
),

parts as (
    select
        r.iso3,
        r.reference_year,
        r.sex,
        r.total_population,
        -- coalesce first: least() skips NULLs, so a missing child benefit would count every child
        least(coalesce(ch.covered, 0), r.children_0_14) as children_covered,
        least(
            coalesce(c.contributors, 0) + coalesce(w.non_contributory, 0)
            + coalesce(w.contributory_not_contributing, 0),
            r.working_age_below_spa
        ) as working_age_covered,
        least(p.covered, r.population_above_spa) as older_covered,
        p.submission_id,
        -- a sex is complete when its children and pension parts exist and every working-age
        -- risk with recipients in the total reports the sex
        (ch.covered is not null or cht.covered is null)
        and coalesce(w.n_risks, 0) = coalesce(wt.n_risks, 0) as complete
    from {{ ref('int_reference_populations') }} as r
    inner join {{ ref('int_old_age_pensioners_above_spa') }} as p
        on r.iso3 = p.iso3 and r.reference_year = p.reference_year and r.sex = p.sex
    left join ben as ch
        on
            r.iso3 = ch.iso3 and r.reference_year = ch.reference_year and r.sex = ch.sex
            and ch.risk = 'children'
    left join ben as cht
        on
            r.iso3 = cht.iso3 and r.reference_year = cht.reference_year and cht.sex = '_T'
            and cht.risk = 'children'
    left join {{ ref('int_active_contributors') }} as c
        on
            r.iso3 = c.iso3 and r.reference_year = c.reference_year and r.sex = c.sex
            and c.risk = 'any'
    left join working_age_benefits as w
        on r.iso3 = w.iso3 and r.reference_year = w.reference_year and r.sex = w.sex
    left join working_age_benefits as wt
        on r.iso3 = wt.iso3 and r.reference_year = wt.reference_year and wt.sex = '_T'
)

select
    iso3,
    reference_year,
    sex,
    submission_id,
    coalesce(children_covered, 0) as children_covered,
    working_age_covered,
    older_covered,
    coalesce(children_covered, 0) + working_age_covered + older_covered as covered,
    total_population
from parts
where complete or sex = '_T'
