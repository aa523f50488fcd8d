select
    risk,
    label,
    is_branch,
    sdg_series_code,
    soc_contig_code,
    c102_part,
    cofog,
    life_cycle_group
from {{ ref('risks') }}
