-- Persons counted once across all schemes, from registry microdata (methodology §2.2 step 5:
-- person IDs replace the life-cycle partition; §2.5: and the overlap rule), per country × year
-- × measure × sex × age group (5-year group at the end of the reference year, and `_T`):
--   <risk>                      persons receiving a cash benefit for the risk from any scheme
--                               (health: any benefit, it is in kind by nature);
--   any_benefit                 persons receiving at least one cash benefit (§2.1: cash only);
--   contributing_or_receiving   persons receiving at least one cash benefit or actively
--                               contributing to at least one scheme: the SI_COV_BENFTS
--                               numerator (§2.1, §2.2).
-- Totals (`_T`) are counted from the persons, never summed from the parts. Published as
-- fct_registry_unduplicated; read by int_registry_coverage_numerators.
with beneficiaries as (
    select * from {{ ref('stg_registry__beneficiaries') }}
),

contributors as (
    select * from {{ ref('stg_registry__contributors') }}
),

person_measures as (
    -- one row per person and measure (a person has one sex and age group)
    select distinct
        iso3,
        reference_year,
        person_id,
        sex,
        age_group,
        risk as measure
    from beneficiaries
    where is_cash or risk = 'health'
    union
    select
        iso3,
        reference_year,
        person_id,
        sex,
        age_group,
        'any_benefit' as measure
    from beneficiaries
    where is_cash
    union
    select
        iso3,
        reference_year,
        person_id,
        sex,
        age_group,
        'contributing_or_receiving' as measure
    from beneficiaries
    where is_cash
    union
    select
        iso3,
        reference_year,
        person_id,
        sex,
        age_group,
        'contributing_or_receiving' as measure
    from contributors
),

counted as (
    -- each grain counted from the persons (a union of group-bys rather than grouping sets:
    -- the same SQL on DuckDB and Spark, and the linter parses it)
    {% for keys in [['sex', 'age_group'], ['sex'], ['age_group'], []] %}
        select
            iso3,
            reference_year,
            measure,
            {{ 'sex' if 'sex' in keys else 'null' }} as sex,
            {{ 'age_group' if 'age_group' in keys else 'null' }} as age_group,
            count(*) as persons
        from person_measures
        group by iso3, reference_year, measure{% for k in keys %}, {{ k }}{% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        iso3,
        reference_year as {{ adapter.quote('year') }},
        measure,
        coalesce(sex, '_T') as sex,
        coalesce(age_group, '_T') as age_group,
        persons
    from counted
)

select * from final
