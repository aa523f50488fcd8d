"""Progress for people at a terminal: a bar with counts while submissions are landed and while
dbt builds, shown by ``make run`` / ``floorboard run`` (they set ``FLOORBOARD_PROGRESS=1``).

Runs launched by the daemon or the UI, and tests, leave the variable unset and print nothing
here (their events are in the Dagster run log). On a terminal the bar is a rich progress bar on
stderr; when stderr is not a terminal (CI, a log file) a plain line is printed at most every
``PLAIN_EVERY`` seconds and at the end, so a log still shows that work goes on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator

ENV = "FLOORBOARD_PROGRESS"
PLAIN_EVERY = 10.0


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


@contextlib.contextmanager
def bar(description: str, total: int) -> Iterator[Callable[..., None]]:
    """``advance(n=1, note=None)``: count ``n`` more items done (``note``: what was last done)."""
    if not enabled() or total <= 0:
        yield lambda n=1, note=None: None
        return
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}", style="dim"),
        )
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task(description, total=total, note="")

            def advance(n: int = 1, note: str | None = None) -> None:
                progress.update(task, advance=n, note=note or "")

            yield advance
        return
    state = {"done": 0, "shown": time.monotonic()}
    start = state["shown"]

    def plain(n: int = 1, note: str | None = None) -> None:
        state["done"] += n
        now = time.monotonic()
        if state["done"] >= total or now - state["shown"] >= PLAIN_EVERY:
            state["shown"] = now
            print(
                f"{description}: {state['done']}/{total} ({now - start:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    yield plain
