-- No regional value is NaN: a value that cannot be computed is NULL (with its reason in the
-- columns beside it), never NaN, which readers and extracts would take as a number. DuckDB's
-- regr_slope gives NaN for an undetermined slope (macros/regional_estimates.sql).
select *
from {{ ref('agg_regional') }}
where
    isnan(value)
    or isnan(value_unsuppressed)
    or isnan(value_estimated)
    or isnan(population_coverage)
    or isnan(imputed_weight_share)
