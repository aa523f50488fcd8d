{#-
  Persons covered by several schemes for the same risk, without person ids (methodology §2.1:
  "a person with both pensions counts once"; decision recorded in docs/decisions.md):
  SSI schemes of one country serve disjoint groups — contributory schemes cover their members,
  non-contributory (universal or means-tested) schemes those without a contributory benefit, as
  focal points are asked to report — so persons add up across schemes. Where that assumption
  fails the rate can exceed 100 and is flagged, never capped (§0). This is the one place to
  change the rule.
-#}
{% macro persons_across_schemes(universal, others) -%}
    (coalesce({{ universal }}, 0) + coalesce({{ others }}, 0))
{%- endmacro %}
