"""The build's dbt process, started early by ``floorboard run`` (pipelines/warehouse/warm_dbt.py):
the launcher hands it the dbt command, which then behaves as the ``dbt`` script would (output,
exit code), and it never outlives the run or the launcher. Real processes, real dbt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import locks, paths
from pipelines.warehouse import warm_dbt


@pytest.fixture
def server():
    warm_dbt.stop()  # none left by another test in this process
    warm_dbt.start()
    assert warm_dbt.server_pid() is not None
    yield
    warm_dbt.stop()


def _dbt(args: list[str], extra_env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != warm_dbt.ENV}
    env |= {"PYTHONUNBUFFERED": "1", **extra_env}
    return subprocess.run(
        [warm_dbt.launcher(), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # as dagster-dbt reads dbt
        text=True,
        timeout=120,
    )


def _gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while locks.process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not locks.process_alive(pid)


def test_the_waiting_process_runs_the_command_as_dbt_does(server):
    """Same output and exit code as the ``dbt`` script, for a good and a bad command."""
    pid = warm_dbt.server_pid()
    handed = _dbt(["nonsense"], warm_dbt.take(), paths.DBT_PROJECT_DIR)
    plain = _dbt(["nonsense"], {}, paths.DBT_PROJECT_DIR)
    assert handed.returncode == plain.returncode == 2
    assert handed.stdout == plain.stdout and "No such command 'nonsense'" in handed.stdout
    assert _gone(pid)  # used once
    assert warm_dbt.take() == {}  # and never handed out twice


def test_a_command_succeeds_through_the_waiting_process(server):
    handed = _dbt(["--help"], warm_dbt.take(), paths.DBT_PROJECT_DIR)
    plain = _dbt(["--help"], {}, paths.DBT_PROJECT_DIR)
    assert handed.returncode == plain.returncode == 0
    assert handed.stdout == plain.stdout and "Usage: dbt" in handed.stdout


def test_without_a_waiting_process_the_launcher_is_dbt(server):
    """A dead waiting process (or none) costs time, never the command."""
    handover = warm_dbt.take()
    os.kill(warm_dbt.server_pid(), signal.SIGKILL)
    assert _gone(warm_dbt.server_pid())
    handed = _dbt(["--help"], handover, paths.DBT_PROJECT_DIR)
    assert handed.returncode == 0 and "Usage: dbt" in handed.stdout


def test_the_dbt_command_dies_with_its_launcher(server, tmp_path):
    """dagster-dbt (and ``build.stop_orphan_dbt``) know the launcher's pid: killing it stops
    the dbt command run for it."""
    pid = warm_dbt.server_pid()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **warm_dbt.take()}
    # a dbt command that runs long enough: a full parse of a copy of the project
    project = tmp_path / "project"
    subprocess.run(["cp", "-r", str(paths.DBT_PROJECT_DIR), str(project)], check=True)
    subprocess.run(["rm", "-rf", str(project / "target")], check=True)
    launcher = subprocess.Popen(
        [warm_dbt.launcher(), "parse", "--profiles-dir", ".", "--no-partial-parse"],
        env=env,
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    first = launcher.stdout.readline()  # dbt has started the command
    assert first
    launcher.kill()
    launcher.wait()
    assert _gone(pid)


def test_an_unused_waiting_process_is_stopped_with_the_run(server):
    pid, folder = warm_dbt.server_pid(), warm_dbt._server.folder
    warm_dbt.stop()
    assert _gone(pid) and not folder.exists()
    assert warm_dbt.take() == {}


def test_the_waiting_process_dies_with_the_run_that_started_it():
    """kill -9 of ``floorboard run``: its waiting dbt process does not stay behind (Linux)."""
    code = (
        "import os, sys; from pipelines.warehouse import warm_dbt; warm_dbt.start(); "
        "print(warm_dbt.server_pid(), flush=True); sys.stdin.readline()"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=paths.REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    pid = int(run.stdout.readline())
    time.sleep(0.5)  # past the start of the waiting process
    assert locks.process_alive(pid)
    run.kill()
    run.wait()
    assert _gone(pid)


def test_floorboard_warm_dbt_0_starts_nothing(monkeypatch):
    warm_dbt.stop()
    monkeypatch.setenv(warm_dbt.ENV, warm_dbt.DISABLED)
    warm_dbt.start()
    assert warm_dbt.server_pid() is None and warm_dbt.take() == {}


def test_start_and_end_arriving_in_one_read_give_dbt_s_exit_code(tmp_path: Path):
    """A dbt that fails at once sends its end right after its start: the launcher read both in
    one ``recv`` and crashed on it (a run's dbt exit code was then 1, not dbt's). A waiting
    process stand-in sends both replies in one write."""
    import socket
    import threading

    address = str(tmp_path / "dbt.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            _, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
            for fd in fds:
                os.close(fd)
            conn.sendall(
                warm_dbt.STARTED + str(os.getpid()).encode() + b"\n" + warm_dbt.ENDED + b"2\n"
            )

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        assert warm_dbt._hand_over(address, ["nonsense"]) == 2
    finally:
        thread.join(timeout=30)
        listener.close()
