{#-
  People in more than one scheme (methodology §2.5), the one place this rule is written.

  Scheme totals cannot show who is in two schemes; the submission says it with each scheme's
  optional `overlap_group`. Schemes that share an overlap group may hold the same people: within
  a group, persons = the largest of their counts. Schemes in different groups, or with no group,
  cover different people: their counts add up. Applied to beneficiaries (§2.1, §2.2),
  contributors (§2.2 step 3) and legal coverage (§3).

  `relation` is a CTE or relation with one row per scheme and the `keys` (for instance
  iso3, reference_year, submission_id, risk, sex, age group), plus `scheme_id` and
  `overlap_group` columns. For every column named in `values` the result has, per key:
    <value>              persons across schemes (max within an overlap group, sum across groups);
    <value>_complete     true when every scheme of the key reported the value (not null);
  and `n_schemes`, the number of schemes of the key.
-#}
{% macro persons_across_schemes(relation, keys, values) -%}
    select
        {% for k in keys %}{{ k }},
        {% endfor -%}
        {% for v in values %}sum({{ v }}) as {{ v }},
        bool_and({{ v }}_complete) as {{ v }}_complete,
        {% endfor -%}
        sum(n_schemes) as n_schemes
    from (
        select
            {% for k in keys %}{{ k }},
            {% endfor -%}
            {{ overlap_key() }} as overlap_key,
            {% for v in values %}max({{ v }}) as {{ v }},
            bool_and({{ v }} is not null) as {{ v }}_complete,
            {% endfor -%}
            count(*) as n_schemes
        from {{ relation }}
        group by {% for k in keys %}{{ k }}, {% endfor %}overlap_key
    ) as by_overlap_group
    group by {% for k in keys %}{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#- The overlap key of a scheme: its overlap group, or the scheme itself when it has none
    (prefixed so that no group name can equal a scheme's key). -#}
{% macro overlap_key(overlap_group='overlap_group', scheme_id='scheme_id') -%}
    coalesce('group:' || nullif(trim({{ overlap_group }}), ''), 'scheme:' || {{ scheme_id }})
{%- endmacro %}

{#- A sex row of a numerator combined by persons_across_schemes (alias `a`) is complete when it
    is the total, or when as many schemes report the sex as report the total (alias `t`, the
    `_T` row of the same key) and each gave a value (methodology §0: a sex rate needs a
    sex-specific numerator from every scheme). -#}
{% macro is_sex_complete(value, a='a', t='t') -%}
    coalesce(
        {{ a }}.sex = '_T' or ({{ a }}.n_schemes = {{ t }}.n_schemes and {{ a }}.{{ value }}_complete),
        false
    )
{%- endmacro %}
