-- Numerator of SI_COV_PENSN (methodology §2.1): old-age cash pensioners at or above the SPA.
-- * Per scheme and sex (F, M): 5-year age rows weighted by their share at or above that sex's
--   SPA; a scheme without an age breakdown counts its all-ages row in full (flagged).
-- * `_T`: F + M plus pensioners of unknown sex (all-ages _T − F − M), the latter taken at the
--   F+M share above the SPA; a scheme reporting only `_T` uses the mean of the two SPAs.
-- * Across schemes (no person ids): persons_across_schemes, the overlap rule defined once.
-- * Only periodic pensions count: lump-sum settlements are not pensions.
with beneficiaries as (
    select b.*
    from {{ ref('stg_ssi__beneficiaries') }} as b
    inner join {{ ref('int_ssi_submissions_ranked') }} as s
        on b.submission_id = s.submission_id and s.is_current
    where b.risk = 'old_age' and b.benefit_type = 'cash_periodic'
),

schemes as (
    select
        submission_id,
        scheme_id,
        scheme_type
    from {{ ref('stg_ssi__schemes') }}
),

spa as (
    select
        iso3,
        reference_year,
        max(case when sex = 'F' then statutory_pensionable_age end) as spa_f,
        max(case when sex = 'M' then statutory_pensionable_age end) as spa_m
    from {{ ref('stg_national__pensionable_age') }}
    group by 1, 2
),

flagged as (
    select
        beneficiaries.*,
        case beneficiaries.sex
            when 'F' then spa.spa_f
            when 'M' then spa.spa_m
            else (spa.spa_f + spa.spa_m) / 2.0
        end as spa_age,
        bool_or(beneficiaries.age_group <> '_T') over (
            partition by beneficiaries.submission_id, beneficiaries.scheme_id, beneficiaries.sex
        ) as has_age_breakdown
    from beneficiaries
    inner join spa
        on beneficiaries.iso3 = spa.iso3 and beneficiaries.reference_year = spa.reference_year
),

per_scheme_sex as (
    -- pensioners at or above the SPA, and all ages, per scheme and sex as reported
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        sex,
        sum(
            case
                when has_age_breakdown and age_group <> '_T'
                    then
                        beneficiaries * {{ share_at_or_above('age_lower', 'age_upper', 'spa_age') }}
                when not has_age_breakdown then beneficiaries
                else 0
            end
        ) as above_spa,
        sum(case when age_group = '_T' then beneficiaries else 0 end) as all_ages,
        bool_and(has_age_breakdown) as age_detail
    from flagged
    group by 1, 2, 3, 4, 5
),

per_scheme as (
    select
        submission_id,
        iso3,
        reference_year,
        scheme_id,
        max(case when sex = 'F' then above_spa end) as above_spa_f,
        max(case when sex = 'M' then above_spa end) as above_spa_m,
        max(case when sex = '_T' then above_spa end) as above_spa_t_reported,
        max(case when sex = '_T' then all_ages end) as all_ages_t,
        max(case when sex = 'F' then all_ages end) + max(case when sex = 'M' then all_ages end)
            as all_ages_fm,
        bool_and(age_detail) as age_detail
    from per_scheme_sex
    group by all
),

scheme_totals as (
    select
        per_scheme.submission_id,
        per_scheme.iso3,
        per_scheme.reference_year,
        per_scheme.scheme_id,
        schemes.scheme_type,
        per_scheme.age_detail,
        per_scheme.above_spa_f,
        per_scheme.above_spa_m,
        case
            -- both sexes reported: F + M plus the unknown-sex pensioners at the F+M share
            when per_scheme.above_spa_f is not null and per_scheme.above_spa_m is not null
                then
                    per_scheme.above_spa_f + per_scheme.above_spa_m
                    + case
                        when per_scheme.all_ages_fm > 0
                            then greatest(
                                coalesce(per_scheme.all_ages_t, 0)
                                - per_scheme.all_ages_fm, 0
                            )
                            * (per_scheme.above_spa_f + per_scheme.above_spa_m)
                            / per_scheme.all_ages_fm
                        else 0
                    end
            -- total only: the total's own age rows, at the mean of the two SPAs
            else per_scheme.above_spa_t_reported
        end as above_spa_t
    from per_scheme
    inner join schemes
        on
            per_scheme.submission_id = schemes.submission_id
            and per_scheme.scheme_id = schemes.scheme_id
),

by_type as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_type = 'universal' as is_universal,
        sum(above_spa_f) as covered_f,
        sum(above_spa_m) as covered_m,
        sum(above_spa_t) as covered_t,
        -- a sex is published only when every scheme reports it
        bool_and(above_spa_f is not null and above_spa_m is not null) as has_sex,
        bool_and(age_detail) as age_detail,
        count(*) as n_schemes
    from scheme_totals
    group by 1, 2, 3, 4
),

unpivoted as (
    select
        iso3,
        reference_year,
        submission_id,
        is_universal,
        'F' as sex,
        covered_f as covered,
        age_detail,
        n_schemes,
        has_sex
    from by_type
    union all
    select
        iso3,
        reference_year,
        submission_id,
        is_universal,
        'M' as sex,
        covered_m as covered,
        age_detail,
        n_schemes,
        has_sex
    from by_type
    union all
    select
        iso3,
        reference_year,
        submission_id,
        is_universal,
        '_T' as sex,
        covered_t as covered,
        age_detail,
        n_schemes,
        true as has_sex
    from by_type
)

select
    iso3,
    reference_year,
    sex,
    any_value(submission_id) as submission_id,
    {{ legacy_persons_across_schemes(
        "sum(case when is_universal then covered end)",
        "sum(case when not is_universal then covered end)"
    ) }} as covered,
    bool_and(age_detail) as age_detail,
    sum(n_schemes) as n_schemes
from unpivoted
group by 1, 2, 3
having bool_and(has_sex)
