"""A real ``dagster-webserver`` on 127.0.0.1 for tests, and a GraphQL client for it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    """The whole GraphQL response (``data`` and, if any, ``errors``)."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


@contextmanager
def serve(
    home: Path,
    ready: Callable[[int], bool],
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Iterator[int]:
    """Start the webserver on the instance at ``home``; yield its port once ``ready(port)``
    (the code location loads asynchronously); stop it afterwards."""
    port = free_port()
    log_path = home / "webserver.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dagster-webserver"),
                "-m",
                "pipelines.definitions",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            cwd=REPO,
            env={**os.environ, "DAGSTER_HOME": str(home), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"webserver exited: {log_path.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"webserver did not start within {timeout} s")
                    time.sleep(1)
            while not ready(port):
                if time.monotonic() > deadline:
                    pytest.fail(f"the code location did not load within {timeout} s")
                time.sleep(1)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
