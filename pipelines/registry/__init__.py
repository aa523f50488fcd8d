"""Registry microdata (issue 15): person-level records of ``raw/registry/<ISO3>_<YEAR>/``.

``generate`` makes synthetic registries (seeded), ``land`` validates and lands them with DuckDB
(never the whole file in pandas or in Python memory), ``assets`` is the Dagster landing asset.
"""
