-- Identity (methodology §0): covered ≤ reference population unless the row is flagged.
select *
from {{ ref('fct_effective_coverage') }}
where covered > reference_population + 0.5 and not is_above_100 and risk <> 'health'
