{#-
  Registry microdata (issue 15; methodology §2.2 step 5, §2.5): the few places where DuckDB and
  Spark SQL differ, behind adapter.dispatch, so that the registry models themselves are portable
  SQL and build the same on both (tests/test_registry_spark.py compares every count).
-#}

{#- The landed registry table (warehouse/landing/<table>/*.parquet). DuckDB reads it through the
    `landing` source (lineage, freshness); Spark reads the folder directly (no catalog needed in
    local mode; files starting with `_` or `.`, such as `_schema.parquet`, are skipped). -#}
{% macro registry_landing(table) -%}
    {{ return(adapter.dispatch('registry_landing')(table)) }}
{%- endmacro %}

{% macro default__registry_landing(table) -%}
    {{ source('landing', table) }}
{%- endmacro %}

{% macro spark__registry_landing(table) -%}
    parquet.`{{ env_var('FLOORBOARD_LANDING_DIR', '../warehouse/landing') }}/{{ table }}`
{%- endmacro %}

{#- Integer division (DuckDB `//`, Spark `div`). -#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    ({{ numerator }}) div ({{ denominator }})
{%- endmacro %}

{#- Text type of a cast (DuckDB `varchar`; Spark 3 refuses `varchar` outside table schemas). -#}
{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type')()) }}
{%- endmacro %}

{% macro default__text_type() -%}varchar{%- endmacro %}

{% macro spark__text_type() -%}string{%- endmacro %}

{#- The 5-year age group (Y0T4 … Y75T79, Y_GE80, the codes of the national population) of a
    person at the end of the reference year: age = reference year − birth year (§0: periodic
    benefits are counted at the reference date, year end). -#}
{% macro registry_age_group(reference_year, birth_year) -%}
    case
        when {{ reference_year }} - {{ birth_year }} >= 80 then 'Y_GE80'
        else
            'Y'
            || cast({{ int_div(reference_year ~ ' - ' ~ birth_year, 5) }} * 5 as {{ text_type() }})
            || 'T'
            || cast({{ int_div(reference_year ~ ' - ' ~ birth_year, 5) }} * 5 + 4 as {{ text_type() }})
    end
{%- endmacro %}

{#- Only the DuckDB build enforces the marts' contracts (their data types are DuckDB's). -#}
{% macro contract_enforced() -%}
    {{ return(target.type != 'spark') }}
{%- endmacro %}
