-- Denominator of SI_COV_VULN (methodology §2.1): vulnerable persons = total population minus
-- working-age persons contributing or receiving a contributory benefit, minus persons above the
-- SPA with a contributory pension.
with ben as (
    select * from {{ ref('int_beneficiaries_by_risk') }}
)

select
    r.iso3,
    r.reference_year,
    r.sex,
    r.total_population
    - coalesce(c.contributors, 0)
    - coalesce(sum(case
        when ben.risk in ('unemployment', 'disability', 'employment_injury')
            then ben.contributory
    end), 0)
    - coalesce(sum(case when ben.risk = 'old_age' then ben.contributory end), 0)
        as vulnerable_population
from {{ ref('int_reference_populations') }} as r
left join {{ ref('int_active_contributors') }} as c
    on
        r.iso3 = c.iso3 and r.reference_year = c.reference_year and r.sex = c.sex
        and c.risk = 'any'
left join ben
    on r.iso3 = ben.iso3 and r.reference_year = ben.reference_year and r.sex = ben.sex
group by r.iso3, r.reference_year, r.sex, r.total_population, c.contributors
