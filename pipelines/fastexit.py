"""Leaving a command without Python's interpreter teardown (issue 13).

A process that imported the code location holds a few million objects; at exit Python tears
its modules down and runs a last garbage collection over all of them: 1 to 1.5 s of every
``floorboard run`` on 2 cores, after the work is done and printed. ``exit_now(code)`` runs the
exit handlers registered with ``atexit`` (logging's flush and close, multiprocessing's,
``pipelines.startup``'s), flushes the standard streams, then ends the process with
``os._exit``: what is skipped is the teardown only (module globals cleared, objects finalized).
A non-daemon thread still running (Python would wait for it) makes it exit the normal way.

This is safe here because every file Floorboard writes is closed by a ``with`` before the
command returns, and because the warehouse, the landing and the Dagster instance are built to
survive a kill -9 at any point (``tests/test_fault_injection.py``): ending without a teardown,
after everything returned, is less than that. Used by the console script and
``python -m pipelines.run`` only; in-process callers (tests) get ``main()``'s return value.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    """Run the ``atexit`` handlers, flush stdout and stderr, and end the process with ``code``.
    With a non-daemon thread still running (which Python's normal exit would wait for), it
    exits the normal way instead."""
    if any(t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()  # the handlers Python would run, in the same (reverse) order
    for stream in (sys.stdout, sys.stderr):
        # closed, or a broken pipe: nothing more can be said
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
