-- Effective coverage (methodology §2): covered persons, reference population and
-- coverage_rate = 100 × covered / reference_population per country × year × risk × sex, for
-- every value int_effective_coverage_candidates can publish (formulas there; the others, and
-- why, are in fct_coverage_withheld). Rates above 100 are kept as computed and flagged (§0);
-- health is capped at 100 (§6.3). Where registry microdata exist the numerator is their exact
-- count (§2.5, int_registry_coverage_numerators): NATURE `C` (both registry parts) or `E`, and
-- source_detail names the registry; every other value is a ratio computed here (`E`, §8.1).
with candidates as (
    select * from {{ ref('int_effective_coverage_candidates') }}
    where withheld_reason is null
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
        case when risk = 'health' then least(raw_rate, 100.0) else raw_rate end as coverage_rate,
        coalesce(raw_rate > 100 and risk <> 'health', false) as is_above_100,
        is_estimated,
        method,
        submission_id,
        case
            when registry_id is not null then registry_nature
            else {{ sdmx_nature('computed_ratio') }}
        end as nature,
        case
            when registry_id is not null
                then 'Registry microdata ' || registry_id || ' and national statistics; ' || method
            else
                'ILO Social Security Inquiry submission ' || submission_id
                || ' and national statistics; ' || method
        end as source_detail
    from candidates
)

select * from final
