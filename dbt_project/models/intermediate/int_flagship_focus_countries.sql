-- Focus countries of each Flagship phase (methodology §9: they differ by phase). A phase listed
-- in raw/flagship/focus_countries.csv uses that list; a phase the file does not list (or no
-- file) falls back to the reference list of focus countries (is_flagship_focus in
-- raw/reference/countries.csv), so older raw folders keep working.
with phases as (
    select phase from {{ ref('flagship_phases') }}
),

listed as (
    select distinct
        phase,
        iso3
    from {{ ref('stg_flagship__focus_countries') }}
),

reference_list as (
    select iso3 from {{ ref('stg_reference__countries') }}
    where is_flagship_focus
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
    'reference_countries'
from phases as p
cross join reference_list as r
where p.phase not in (select l.phase from listed as l)
