"""Floorboard's pipeline package.

Polars' engine: the frames here are small (a submission's sheet, a national table), and pandera
collects one query per check. polars 2.x plans each ``collect`` for its streaming engine by
default, about 250 µs per query on 2 cores against 30 µs with the in-memory engine: validation of
a submission took 165 ms instead of 103 ms (issue 13). Both engines give the same frames. A
``POLARS_ENGINE_AFFINITY`` set by the user is kept. Set here, before any module of the package
imports polars, so that the landing worker processes (which inherit the variable) use it too.
"""

import os
import sys

if "POLARS_ENGINE_AFFINITY" not in os.environ:
    os.environ["POLARS_ENGINE_AFFINITY"] = "in-memory"
    if "polars" in sys.modules:  # imported before this package: tell the running polars too
        sys.modules["polars"].Config.set_engine_affinity("in-memory")
