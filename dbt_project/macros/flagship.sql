{#- A Flagship result or intervention is joint when its semicolon-separated partner list names a
    partner besides the ILO (methodology §9; docs/decisions.md, "Joint results"). -#}
{% macro is_joint_with_partner(partners_column) -%}
    coalesce(
        len(list_filter(string_split({{ partners_column }}, ';'), lambda p: trim(p) <> 'ILO')) > 0,
        false
    )
{%- endmacro %}
