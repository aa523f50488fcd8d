-- Flagship focus countries of each programme phase (methodology §9), from
-- raw/flagship/focus_countries.csv.
with source as (
    select * from {{ source('landing', 'flagship_focus_countries') }}
)

select
    phase,
    iso3,
    source_file,
    source_sha256,
    loaded_at
from source
