-- Denominator of SI_COV_VULN (methodology §2.1, ILO metadata): vulnerable persons = all
-- children + working-age persons neither contributing nor receiving a contributory benefit +
-- persons above the SPA without a contributory pension, i.e.
--   total population
--   − working-age persons (15 to SPA−1) contributing or receiving a contributory benefit
--   − persons at or above the SPA receiving a contributory pension (old age or survivors —
--     a survivors' pension above the SPA counts — and disability or employment injury).
-- * age-bounded: contributors and beneficiaries are taken in their age groups
--   (int_ssi_persons_by_life_stage); without age detail, contributors and recipients of
--   unemployment, disability and employment-injury benefits are working age, old-age and
--   survivors' pensioners are above the SPA (§1.1 life-cycle groups);
-- * nobody is subtracted twice: contributory recipients of unemployment, disability and
--   injury benefits are assumed not to contribute (§2.2 step 3); within a scheme or an overlap
--   group the largest count stands (persons_across_schemes, §2.5); each part is capped at its
--   population;
-- * the result is floored at zero (`is_floored`): a floored row has no valid denominator and
--   never enters a rate or an aggregate.
with contributory_benefits as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        sex,
        case
            when risk in ('unemployment', 'disability', 'employment_injury')
                then coalesce(persons_working_age, persons)
        end as working_age_recipients,
        case
            when risk in ('old_age', 'survivors')
                then
                    case
                        when pension_has_age_detail then pension_above_spa
                        else pension_persons
                    end
            when risk in ('disability', 'employment_injury')
                then coalesce(persons_above_spa, 0)
        end as pensioners_above_spa
    from {{ ref('int_ssi_beneficiaries_per_scheme') }}
    where
        scheme_type = 'contributory'
        and risk in ('unemployment', 'disability', 'employment_injury', 'old_age', 'survivors')
),

benefits_across_schemes as (
    {{ persons_across_schemes(
        'contributory_benefits',
        ['iso3', 'reference_year', 'submission_id', 'sex'],
        ['working_age_recipients', 'pensioners_above_spa']
    ) }}
),

parts as (
    select
        r.iso3,
        r.reference_year,
        r.sex,
        r.total_population,
        least(
            coalesce(c.contributors_working_age, 0) + coalesce(b.working_age_recipients, 0),
            r.working_age_below_spa
        ) as working_age_contributory,
        least(coalesce(b.pensioners_above_spa, 0), r.population_above_spa)
            as contributory_pensioners_above_spa,
        coalesce(c.is_sex_complete, true)
        and (r.sex = '_T' or coalesce(b.n_schemes = bt.n_schemes, bt.n_schemes is null))
            as is_sex_complete
    from {{ ref('int_reference_populations') }} as r
    left join {{ ref('int_active_contributors') }} as c
        on
            r.iso3 = c.iso3 and r.reference_year = c.reference_year and r.sex = c.sex
            and c.risk = 'any'
    left join benefits_across_schemes as b
        on r.iso3 = b.iso3 and r.reference_year = b.reference_year and r.sex = b.sex
    left join benefits_across_schemes as bt
        on r.iso3 = bt.iso3 and r.reference_year = bt.reference_year and bt.sex = '_T'
),

final as (
    select
        iso3,
        reference_year,
        sex,
        total_population,
        working_age_contributory,
        contributory_pensioners_above_spa,
        total_population - working_age_contributory - contributory_pensioners_above_spa
            as vulnerable_population_unfloored,
        greatest(
            total_population - working_age_contributory - contributory_pensioners_above_spa, 0
        ) as vulnerable_population,
        total_population - working_age_contributory - contributory_pensioners_above_spa <= 0
            as is_floored,
        is_sex_complete
    from parts
)

select * from final
