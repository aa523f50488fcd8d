-- SI_COV_BENFTS without double counting (methodology §2.2, life-cycle partition; decision):
-- 1. disjoint groups: children 0–14; working age 15 to SPA−1; at or above the SPA;
-- 2. children covered = child/family cash beneficiaries + children 0–14 with other cash
--    benefits (e.g. orphans' benefits), capped at the children;
-- 3. working age covered = persons 15 to SPA−1 contributing to ≥1 scheme + non-contributory
--    cash recipients of that age (assumed non-contributors) + contributory cash recipients of
--    that age who no longer contribute (unemployment, disability, employment injury, early
--    old-age and survivors' pensions; sickness and maternity recipients are contributors on
--    leave), capped at the group;
-- 4. older covered = old-age pensioners at or above the SPA (the SI_COV_PENSN numerator) +
--    persons at or above the SPA with other cash benefits but no old-age pension (e.g. a
--    survivors' pension only), capped at the group;
-- 5. rate = sum of the three / total population; the same steps per sex.
-- Persons in several schemes or risks count once by the overlap rule of §2.5: within a scheme
-- or an overlap group the largest count stands, across groups counts add up
-- (persons_across_schemes). Without age detail, recipients are placed by the life-cycle group
-- of their risk (§1.1; survivors with older persons). F/M only when every part reports the sex.
with cash as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        scheme_type,
        risk,
        sex,
        persons,
        persons_0_14,
        persons_working_age,
        persons_above_spa,
        has_age_detail,
        pension_persons,
        pension_above_spa,
        pension_has_age_detail
    from {{ ref('int_ssi_beneficiaries_per_scheme') }}
    where risk <> 'health'
),

by_life_stage as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        sex,
        case
            when risk = 'children' then persons
            else coalesce(persons_0_14, 0)
        end as children,
        case
            when scheme_type = 'contributory' and risk in ('sickness', 'maternity') then 0
            when has_age_detail then persons_working_age
            when risk in ('children', 'old_age', 'survivors') then 0
            else persons
        end as working_age,
        case
            when risk = 'old_age'
                then
                    case
                        when pension_has_age_detail then pension_above_spa
                        else pension_persons
                    end
            when has_age_detail then persons_above_spa
            when risk = 'survivors' then persons
            else 0
        end as older
    from cash
),

benefits as (
    {{ persons_across_schemes(
        'by_life_stage',
        ['iso3', 'reference_year', 'submission_id', 'sex'],
        ['children', 'working_age', 'older']
    ) }}
),

parts as (
    select
        r.iso3,
        r.reference_year,
        r.sex,
        r.total_population,
        b.submission_id,
        -- coalesce first: least() skips NULLs, so a missing part would count the whole group
        least(coalesce(b.children, 0), r.children_0_14) as children_covered,
        least(
            coalesce(c.contributors_working_age, 0) + coalesce(b.working_age, 0),
            r.working_age_below_spa
        ) as working_age_covered,
        least(coalesce(b.older, 0), r.population_above_spa) as older_covered,
        r.sex = '_T'
        or (
            b.n_schemes = bt.n_schemes
            and b.children_complete and b.working_age_complete and b.older_complete
            and coalesce(c.is_sex_complete, ct.contributors is null)
        ) as is_sex_complete
    from {{ ref('int_reference_populations') }} as r
    inner join benefits as b
        on r.iso3 = b.iso3 and r.reference_year = b.reference_year and r.sex = b.sex
    inner join benefits as bt
        on r.iso3 = bt.iso3 and r.reference_year = bt.reference_year and bt.sex = '_T'
    left join {{ ref('int_active_contributors') }} as c
        on
            r.iso3 = c.iso3 and r.reference_year = c.reference_year and r.sex = c.sex
            and c.risk = 'any'
    left join {{ ref('int_active_contributors') }} as ct
        on
            r.iso3 = ct.iso3 and r.reference_year = ct.reference_year and ct.sex = '_T'
            and ct.risk = 'any'
    where r.population_above_spa is not null
),

final as (
    select
        iso3,
        reference_year,
        sex,
        submission_id,
        children_covered,
        working_age_covered,
        older_covered,
        children_covered + working_age_covered + older_covered as covered,
        total_population,
        coalesce(is_sex_complete, false) as is_sex_complete
    from parts
)

select * from final
