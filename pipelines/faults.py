"""Named kill points for the fault-injection test (issue 11).

``point(name)`` does nothing unless the environment variable ``FLOORBOARD_KILL_AT`` names it;
then the process sends itself SIGKILL, exactly as ``kill -9`` or a power cut would at that
instant: no ``finally``, no ``atexit``, no flush. ``FLOORBOARD_KILL_AT=name:N`` kills at the
N-th time the point is reached (1 = the first). The points sit where a crash is most harmful:
between writing a temporary file and renaming it, inside a swap, between the publish rename
and the release record. Production never sets the variable; reading it costs a dict lookup.

``FLOORBOARD_PAUSE_AT=name:path`` holds the process at the point instead, until ``path`` exists
(at most ``PAUSE_SECONDS``): the concurrency test pauses a build inside its dbt step, which holds
the ``warehouse`` pool, until it has seen the other build wait for that pool. Timing alone cannot
promise that two builds overlap once a build is fast.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

ENV = "FLOORBOARD_KILL_AT"
PAUSE_ENV = "FLOORBOARD_PAUSE_AT"
#: a pause never outlives a forgotten release file by much (the test's own deadline is shorter)
PAUSE_SECONDS = 900

#: every kill point, in the order a run reaches them (tests iterate over this list)
POINTS = (
    "landing.files_written",  # a submission's new files are written, not yet swapped in
    "landing.mid_swap",  # the swap journal is written, half of the renames are done
    "landing.before_receipt",  # every table swapped in, the receipt not yet written
    "dbt.mid_build",  # dbt has built some models into this run's build file (once per model)
    # record_release runs inside publish, before its rename: hence before publish.*
    "release.before_commit",  # inside the transaction that records the release
    "publish.before_rename",  # the build is verified and recorded as a release, not renamed
    "publish.after_rename",  # the new file is in place, the lock not yet released
    "extracts.files_written",  # release files written to the temporary folder
    "extracts.before_rename",  # checksums written, the folder not yet renamed into place
    "site.files_written",  # country pages written to the temporary folder
    "site.before_rename",  # the old site about to be swapped for the new one
)

_counts: dict[str, int] = {}


def point(name: str) -> None:
    """Die here (SIGKILL) when ``FLOORBOARD_KILL_AT`` names this point; wait here when
    ``FLOORBOARD_PAUSE_AT`` names it."""
    pause, target = os.environ.get(PAUSE_ENV), os.environ.get(ENV)
    if not (pause or target):
        return
    if name not in POINTS:  # a typo in the code would make the test pass vacuously
        raise ValueError(f"unknown kill point {name!r}")
    if pause:
        _pause(name, pause)
    if not target:
        return
    wanted, _, nth = target.partition(":")
    if wanted != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def _pause(name: str, setting: str) -> None:
    wanted, _, release = setting.partition(":")
    if wanted != name or not release:
        return
    deadline = time.monotonic() + PAUSE_SECONDS
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
