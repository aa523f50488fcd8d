{#- Rates above 100 must carry the flag `flag_column` (methodology §0). -#}
{% test rate_above_100_flagged(model, column_name, flag_column) %}
select *
from {{ model }}
where {{ column_name }} > 100 and not coalesce({{ flag_column }}, false)
{% endtest %}
