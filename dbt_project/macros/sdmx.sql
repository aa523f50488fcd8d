{#-
  SDG DSD attributes of the values we publish (methodology §8.1), each rule written once.
-#}

{#-
  NATURE, as the UN SDG database labels the ILO's values: `E` a country ratio computed here from
  national inputs (numerator and denominator from different sources); `C` a national figure
  passed through unchanged; `M` a country value imputed by a model; `N` a regional or global
  aggregate. `origin` is one of computed_ratio, national_figure, modelled, aggregate.
-#}
{% macro sdmx_nature(origin) -%}
    {%- set codes = {
        'computed_ratio': 'E',
        'national_figure': 'C',
        'modelled': 'M',
        'aggregate': 'N',
    } -%}
    {%- if origin not in codes -%}
        {{ exceptions.raise_compiler_error(
            "sdmx_nature: unknown origin '" ~ origin ~ "', expected one of " ~ codes.keys() | list
        ) }}
    {%- endif -%}
    '{{ codes[origin] }}'
{%- endmacro %}

{#-
  TIME_DETAIL, the period an observation refers to: the year (`2020`) when its inputs all refer
  to one year, the range (`2016-2020`) otherwise, while TIME_PERIOD stays the reference year.
-#}
{% macro sdmx_time_detail(first_year, last_year) -%}
    case
        when {{ first_year }} = {{ last_year }} then cast({{ first_year }} as varchar)
        else cast({{ first_year }} as varchar) || '-' || cast({{ last_year }} as varchar)
    end
{%- endmacro %}
