-- Focus countries of each Flagship phase (methodology §9: they differ by phase). A phase listed
-- in raw/flagship/focus_countries.csv uses that list. A phase the file does not list (or no
-- file) keeps every country with Flagship records: ingestion accepts records of focus countries
-- only (is_flagship_focus in raw/reference/countries.csv), so older raw folders keep working.
with phases as (
    select phase from {{ ref('flagship_phases') }}
),

listed as (
    select distinct
        phase,
        iso3
    from {{ ref('stg_flagship__focus_countries') }}
),

recorded as (
    select iso3 from {{ ref('stg_flagship__interventions') }}
    union
    select iso3 from {{ ref('stg_flagship__institutional_changes') }}
    union
    select iso3 from {{ ref('stg_flagship__impact_on_people') }}
)

select
    phase,
    iso3,
    'focus_countries' as list_source
from listed
union all
select
    p.phase,
    r.iso3,
    'flagship_records'
from phases as p
cross join recorded as r
where p.phase not in (select l.phase from listed as l)
