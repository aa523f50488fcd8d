"""dagster-dbt with its own stand-ins for dbt-core's types, so the pipeline's process never
imports dbt-core (issue 13).

dagster-dbt imports dbt-core's adapter base, result and node types when it is imported
(``dagster_dbt.compat``), only to compare the node types and statuses of dbt's events: 1.0-1.5 s
of every process that loads the code location (``floorboard run``, the UI, the daemon, a run
worker), about 40 % of the import on 2 cores. dbt itself always runs as a separate process
(dagster-dbt's ``dbt build``, ``pipelines.warehouse.warm_dbt``), and Floorboard never builds a
dbt adapter in this process (``FloorboardDbtCli``). dagster-dbt has a second path for
installations without dbt-core (the dbt Fusion engine): string enums with dbt's own values
(``NodeStatus.Success == "success"``), the same refable node types. This module takes that path:
it imports ``dagster_dbt.compat`` while ``dbt.version`` cannot be imported. Imported first by
``pipelines.warehouse.dbt_assets``; a process that imported dbt before keeps dbt-core's types,
which behave the same (``tests/test_startup.py`` checks both).
"""

import sys

if "dagster_dbt.compat" not in sys.modules and "dbt.version" not in sys.modules:
    sys.modules["dbt.version"] = None  # type: ignore[assignment]  # import fails: ImportError
    try:
        import dagster_dbt.compat  # noqa: F401
    finally:
        if sys.modules.get("dbt.version", ...) is None:
            del sys.modules["dbt.version"]
