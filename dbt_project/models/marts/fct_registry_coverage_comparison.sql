-- Exact registry counts against what the SSI overlap rule gives for the same country-year
-- (methodology §2.5: "exact unduplicated counts replace the rule, and the difference between
-- the two is reported"; §2.2 for any_benefit). One row per effective-coverage value whose
-- numerator came from a registry: both numerators, both rates over the same reference
-- population, and the differences. A positive difference means the overlap rule counted more
-- persons than there are (people in several schemes added up), a negative one fewer (schemes
-- in one overlap group assumed to hold the same people when they do not).
with candidates as (
    select * from {{ ref('int_effective_coverage_candidates') }}
    where registry_id is not null
),

final as (
    select
        iso3,
        "year",
        risk,
        sex,
        registry_id,
        submission_id,
        covered as registry_persons,
        overlap_rule_covered as overlap_rule_persons,
        overlap_rule_covered - covered as difference,
        {{ rate_pct('overlap_rule_covered - covered', 'covered') }} as difference_pct,
        reference_population,
        {{ rate_pct('covered', 'reference_population') }} as registry_rate,
        {{ rate_pct('overlap_rule_covered', 'reference_population') }} as overlap_rule_rate
    from candidates
)

select * from final
