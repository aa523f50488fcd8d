-- Identity (methodology §7): a regional rate lies between its reporting countries' minimum and
-- maximum values.
select *
from {{ ref('agg_regional') }}
where
    value_unsuppressed < min_country_value - 1e-9
    or value_unsuppressed > max_country_value + 1e-9
