-- Beneficiaries per country × year × risk × sex from the current SSI submission
-- (methodology §2.1: cash benefits only; persons, not benefits; for risk `health` the persons
-- protected by a health scheme, whatever the benefit type, §6.3).
-- * per scheme: a person with a periodic and a lump-sum benefit of the same scheme counts once
--   (the larger of the two counts); `_T` = reported total, else F + M;
-- * across schemes: persons_across_schemes (macro: the overlap rule, defined once);
-- * F and M are given only when every scheme of the risk reports both sexes.
with rows_current as (
    select
        b.iso3,
        b.reference_year,
        b.submission_id,
        b.scheme_id,
        s.scheme_type,
        b.risk,
        b.sex,
        max(b.beneficiaries) as beneficiaries
    from {{ ref('stg_ssi__beneficiaries') }} as b
    inner join {{ ref('int_ssi_current_schemes') }} as s
        on b.submission_id = s.submission_id and b.scheme_id = s.scheme_id
    where
        b.age_group = '_T'
        and (b.benefit_type in ('cash_periodic', 'cash_lump_sum') or b.risk = 'health')
    group by all
),

per_scheme as (
    select
        iso3,
        reference_year,
        submission_id,
        scheme_id,
        scheme_type,
        risk,
        max(case when sex = 'F' then beneficiaries end) as n_f,
        -- maternity benefits go to women: no male row means no men, not an unknown count
        coalesce(
            max(case when sex = 'M' then beneficiaries end),
            case when any_value(risk) = 'maternity' then 0 end
        ) as n_m,
        coalesce(
            max(case when sex = '_T' then beneficiaries end),
            max(case when sex = 'F' then beneficiaries end)
            + coalesce(
                max(case when sex = 'M' then beneficiaries end),
                case when any_value(risk) = 'maternity' then 0 end
            )
        ) as n_t
    from rows_current
    group by all
),

by_risk as (
    select
        iso3,
        reference_year,
        submission_id,
        risk,
        bool_and(n_f is not null and n_m is not null) as has_sex,
        count(*) as n_schemes,
        sum(case when scheme_type = 'universal' then n_f end) as universal_f,
        sum(case when scheme_type <> 'universal' then n_f end) as others_f,
        sum(case when scheme_type = 'universal' then n_m end) as universal_m,
        sum(case when scheme_type <> 'universal' then n_m end) as others_m,
        sum(case when scheme_type = 'universal' then n_t end) as universal_t,
        sum(case when scheme_type <> 'universal' then n_t end) as others_t,
        sum(case when scheme_type = 'contributory' then n_t end) as contributory_t,
        sum(case when scheme_type = 'means_tested' then n_t end) as means_tested_t,
        sum(case when scheme_type in ('universal', 'means_tested') then n_t end)
            as non_contributory_t,
        sum(case when scheme_type = 'contributory' then n_f end) as contributory_f,
        sum(case when scheme_type = 'means_tested' then n_f end) as means_tested_f,
        sum(case when scheme_type in ('universal', 'means_tested') then n_f end)
            as non_contributory_f,
        sum(case when scheme_type = 'contributory' then n_m end) as contributory_m,
        sum(case when scheme_type = 'means_tested' then n_m end) as means_tested_m,
        sum(case when scheme_type in ('universal', 'means_tested') then n_m end)
            as non_contributory_m
    from per_scheme
    group by all
)

{% for sex, sfx in [('F', 'f'), ('M', 'm'), ('_T', 't')] %}
    select
        iso3,
        reference_year,
        submission_id,
        risk,
        '{{ sex }}' as sex,
        {{ legacy_persons_across_schemes('universal_' ~ sfx, 'others_' ~ sfx) }} as covered,
        coalesce(contributory_{{ sfx }}, 0) as contributory,
        coalesce(means_tested_{{ sfx }}, 0) as means_tested,
        coalesce(non_contributory_{{ sfx }}, 0) as non_contributory,
        n_schemes
    from by_risk
    {% if sex != '_T' %}where has_sex{% endif %}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
