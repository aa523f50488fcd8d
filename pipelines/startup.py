"""The start-up of the code location (issue 13): no cyclic garbage collection while it imports.

Importing ``pipelines.definitions`` creates a few million objects that live as long as the
process: the modules, classes and functions of Dagster, dbt, pandera and their dependencies.
With the cyclic collector on, every full collection during the import walks all of them again,
and Python's finalization walks them once more at exit: about 1.5 s of the 4.2 s that
``python -c "import pipelines.definitions"`` took on 2 cores (the code server, every run worker,
every ``floorboard`` command pays it).

Importing this module (the first import of ``pipelines.definitions``) turns the collector off;
``resume()`` (the last line of ``pipelines.definitions``) moves everything allocated so far into
the permanent generation (``gc.freeze()``), which later collections skip, and turns the
collector back on. Garbage made after the import is collected as usual; objects of the import
dropped later are still freed by reference counting. A collector the process had already turned
off stays off. At exit the import's objects are unfrozen, so that Python's last collection frees
them: DuckDB's bindings (nanobind) report every object of theirs still alive at exit as a leak.
That last collection is 0.9 s of a process's exit; the import itself went from 3.3 to 2.0 s.
"""

from __future__ import annotations

import atexit
import gc

_paused = True
_enabled_before = gc.isenabled()
gc.disable()


def resume() -> None:
    """Freeze what the import created and turn the collector back on; the first call only."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.freeze()
    atexit.register(gc.unfreeze)
    if _enabled_before:  # a collector the process had turned off stays off
        gc.enable()
