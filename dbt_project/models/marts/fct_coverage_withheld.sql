-- Effective-coverage values the warehouse does not publish, and why (methodology §0, §2.1):
-- a sex row whose numerator has a scheme that does not report that sex, a VULN row whose
-- denominator is not valid (floored at zero), a row without a denominator. A statistician can
-- see here why a series has a total but no female or male value.
with candidates as (
    select * from {{ ref('int_effective_coverage_candidates') }}
    where withheld_reason is not null
),

final as (
    select
        iso3,
        "year",
        risk,
        sex,
        series_code,
        covered,
        reference_population,
        withheld_reason,
        submission_id
    from candidates
)

select * from final
