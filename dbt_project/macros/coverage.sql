{#-
  Indicator building blocks, defined once (methodology §0 and §2.1).
-#}

{#- A rate in percent, 100 × numerator / denominator; null when the denominator is 0 or null.
    Both are parenthesised, so an expression (`gdp / 12.0`) divides as a whole. -#}
{% macro rate_pct(numerator, denominator) -%}
    case
        when ({{ denominator }}) > 0 then 100.0 * ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}

{#- Lower bound (years) of an age-group code: Y60T64 → 60, Y_GE80 → 80, _T → 0. -#}
{% macro age_lower(age_group) -%}
    case
        when {{ age_group }} = '_T' then 0
        when {{ age_group }} like 'Y\_GE%' escape '\' then cast(substr({{ age_group }}, 5) as integer)
        else cast(split_part(substr({{ age_group }}, 2), 'T', 1) as integer)
    end
{%- endmacro %}

{#- Upper bound (years, inclusive) of an age-group code; null for open-ended groups. -#}
{% macro age_upper(age_group) -%}
    case
        when {{ age_group }} = '_T' or {{ age_group }} like 'Y\_GE%' escape '\' then null
        else cast(split_part(substr({{ age_group }}, 2), 'T', 2) as integer)
    end
{%- endmacro %}

{#-
  Share of an age group at or above `age` (e.g. the statutory pensionable age), assuming persons
  spread evenly over the single years of the group (methodology §2.1 PENSN: denominators and
  numerators per sex with that sex's SPA; decision: linear split of the 5-year group holding it).
-#}
{% macro share_at_or_above(lower, upper, age) -%}
    case
        when {{ lower }} >= {{ age }} then 1.0
        when {{ upper }} is not null and {{ upper }} < {{ age }} then 0.0
        when {{ upper }} is null then 1.0
        else ({{ upper }} + 1 - {{ age }}) / ({{ upper }} + 1.0 - {{ lower }})
    end
{%- endmacro %}


{#-
  The reference population (denominator) of each effective-coverage risk or population group
  (methodology §2.1, §2.2, §6.3), from int_reference_populations (alias `r`) and
  int_vulnerable_population (alias `v`). Also the regional weights of §7.
-#}
{% macro coverage_reference_population(risk, r='r', v='v') -%}
    case {{ risk }}
        when 'children' then {{ r }}.children_0_14
        when 'maternity' then {{ r }}.women_giving_birth
        when 'disability' then {{ r }}.severely_disabled
        when 'unemployment' then {{ r }}.unemployed
        when 'employment_injury' then {{ r }}.employed
        when 'sickness' then {{ r }}.employed
        when 'old_age' then {{ r }}.population_above_spa
        when 'health' then {{ r }}.total_population
        when 'vulnerable' then {{ v }}.vulnerable_population
        when 'poor' then {{ r }}.poor
        when 'any_benefit' then {{ r }}.total_population
    end
{%- endmacro %}
