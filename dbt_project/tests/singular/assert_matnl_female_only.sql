-- Content constraint (methodology §8.1): SI_COV_MATNL is published for women only.
select *
from {{ ref('sdg_indicators') }}
where series_code = 'SI_COV_MATNL' and sex <> 'F'
