-- Beneficiaries per country × year × risk × sex from the current SSI submission (methodology
-- §2.1: cash benefits only; persons, not benefits; for risk `health` the persons protected by a
-- health scheme, whatever the benefit type, §6.3), from int_ssi_beneficiaries_per_scheme.
-- * across schemes: persons_across_schemes, the overlap rule of §2.5 (schemes sharing an
--   overlap group: the largest count; other schemes add up), also for each scheme-type part;
-- * F and M are complete (`is_sex_complete`) only when every scheme of the risk reports the sex
--   (§0: a sex rate needs a sex-specific numerator); incomplete rows are kept here so that the
--   marts can say why no row is published.
with per_scheme as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        overlap_group,
        risk,
        sex,
        persons as covered,
        case when scheme_type = 'contributory' then persons end as contributory,
        case when scheme_type = 'means_tested' then persons end as means_tested,
        case when scheme_type in ('universal', 'means_tested') then persons end as non_contributory
    from {{ ref('int_ssi_beneficiaries_per_scheme') }}
),

across_schemes as (
    {{ persons_across_schemes(
        'per_scheme',
        ['iso3', 'reference_year', 'submission_id', 'risk', 'sex'],
        ['covered', 'contributory', 'means_tested', 'non_contributory']
    ) }}
),

final as (
    select
        a.iso3,
        a.reference_year,
        a.submission_id,
        a.risk,
        a.sex,
        a.covered,
        coalesce(a.contributory, 0) as contributory,
        coalesce(a.means_tested, 0) as means_tested,
        coalesce(a.non_contributory, 0) as non_contributory,
        a.n_schemes,
        {{ is_sex_complete('covered') }} as is_sex_complete
    from across_schemes as a
    left join across_schemes as t
        on
            a.submission_id = t.submission_id and a.risk = t.risk and t.sex = '_T'
)

select * from final
