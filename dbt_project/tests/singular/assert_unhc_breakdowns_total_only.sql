-- Content constraint (methodology §8.1): SH_ACS_UNHC has all breakdowns `_T`, unit IX.
select *
from {{ ref('sdg_indicators') }}
where series_code = 'SH_ACS_UNHC' and (sex <> '_T' or age <> '_T' or unit_measure <> 'IX')
