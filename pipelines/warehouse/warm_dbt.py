"""A dbt process that imports while the pipeline does, for the build's ``dbt build`` (issue 13).

Starting dbt costs about 3 s on 2 cores before it does anything (``python -c "import
dbt.cli.main"``), and a run's dbt started only once the landing assets were done: 3 s of every
cold, warm and one-submission run on the critical path. ``floorboard run`` now starts one dbt
process at its own start (``start``); it imports dbt on the second core while the pipeline
imports Dagster and lands, then waits.

dagster-dbt still starts the build's dbt command as it always does, but with the launcher
``floorboard-dbt`` (``launch``, a console script that imports only the standard library) as the
executable: the launcher hands its arguments, environment, working folder and standard streams
to the waiting process (over a Unix socket in a private folder, the streams as file
descriptors), which runs ``dbt`` with them exactly as the ``dbt`` script would, writing straight
into the pipe dagster-dbt reads. The launcher exits with dbt's exit code and forwards SIGINT and
SIGTERM to it. With no waiting process, or one that died before it took the command, the
launcher becomes the ordinary ``dbt`` (``exec``): the same command, 3 s later.

Safety: the waiting process is used once, by the build that asked for it (``take``), and the
build records it beside the launcher as its dbt child (``build.record_dbt_child``), so that the
next build stops both should this run die (``build.stop_orphan_dbt``). It dies with the launcher
(it watches the socket) and, on Linux, with the process that started it.

This module imports only the standard library: the launcher runs it at every dbt call.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

#: the launcher finds the waiting process here (set only in the build's dbt environment)
ENV = "FLOORBOARD_WARM_DBT"
#: ``FLOORBOARD_WARM_DBT=0`` in ``floorboard run``'s environment: no waiting process
DISABLED = "0"
#: messages from the waiting process to the launcher
STARTED, ENDED = b"S", b"E"
#: how long a waiting process waits for its command before it exits on its own
IDLE_SECONDS = 3600


class _Server:
    def __init__(self, process: subprocess.Popen, folder: Path) -> None:
        self.process, self.folder, self.taken = process, folder, False

    @property
    def address(self) -> str:
        return _address(self.folder)


def _address(folder: Path) -> str:
    """The waiting process's socket, in its private folder."""
    return str(folder / "dbt.sock")


_server: _Server | None = None


def launcher() -> str:
    """The launcher script, beside this environment's Python (``floorboard-dbt``)."""
    return str(Path(sys.executable).with_name("floorboard-dbt"))


def start() -> None:
    """Start the waiting dbt process of this run (once per process). Does nothing when the
    launcher is not installed or ``FLOORBOARD_WARM_DBT=0``."""
    global _server
    if _server is not None or os.environ.get(ENV) == DISABLED or not os.access(launcher(), os.X_OK):
        return
    folder = Path(tempfile.mkdtemp(prefix="floorboard-dbt-"))  # mode 0700: only this user
    # the socket listens before the process starts: a launcher never finds it missing. Only
    # the waiting process keeps it open, so once it is gone, a launcher's connect is refused
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(_address(folder))
        listener.listen(1)
        process = subprocess.Popen(
            # -u: unbuffered streams, as dagster-dbt runs dbt (PYTHONUNBUFFERED=1), for the
            # live progress of the build; -P: the working folder is not put on sys.path (as for
            # the `dbt` script), so no file there can stand in for a module of dbt
            [sys.executable, "-u", "-P", "-m", __name__, str(listener.fileno()), str(os.getpid())],
            pass_fds=[listener.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != ENV},
            # a Ctrl-C reaches the dbt command through the launcher, as dagster-dbt sends it
            start_new_session=True,
        )
    finally:
        listener.close()
    _server = _Server(process, folder)


def take() -> dict[str, str]:
    """For the build's dbt command: the environment that sends it to the waiting process
    (``{ENV: address}``), or ``{}`` when there is none (not started, already used, or dead)."""
    if _server is None or _server.taken or _server.process.poll() is not None:
        return {}
    _server.taken = True
    return {ENV: _server.address}


def server_pid() -> int | None:
    return _server.process.pid if _server is not None else None


def stop() -> None:
    """At the end of the run: stop the waiting process if it never got a command (or is still
    running one) and remove its folder."""
    global _server
    if _server is None:
        return
    server, _server = _server, None
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            server.process.kill()
        server.process.wait()
    shutil.rmtree(server.folder, ignore_errors=True)


# --- the launcher (console script ``floorboard-dbt``) ------------------------------------


def _real_dbt() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def launch() -> None:
    """Hand this dbt command to the waiting process, or run it as ``dbt`` does."""
    address = os.environ.pop(ENV, "")
    if address:
        code = _hand_over(address, sys.argv[1:])
        if code is not None:
            os._exit(code)
    dbt = _real_dbt()
    os.execv(dbt, [dbt, *sys.argv[1:]])


def _hand_over(address: str, args: list[str]) -> int | None:
    """dbt's exit code, or None when the waiting process did not take the command."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(address)
        request = json.dumps({"args": args, "env": dict(os.environ), "cwd": os.getcwd()})
        socket.send_fds(sock, [request.encode() + b"\n"], [0, 1, 2])
        # one buffered reader for both replies: a dbt that fails at once sends its end right
        # after its start, and both can arrive in one read
        replies = sock.makefile("rb")
        reply = replies.readline().strip()
    except OSError:
        sock.close()
        return None
    if not reply.startswith(STARTED):
        sock.close()
        return None
    pid = int(reply[1:])

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        end = replies.readline().strip()
    except OSError:
        end = b""
    # no end message: dbt died (killed); 128 + SIGKILL as a shell reports it
    return int(end[1:]) if end.startswith(ENDED) else 128 + signal.SIGKILL


# --- the waiting process: python -m pipelines.warehouse.warm_dbt <socket fd> <parent pid> ---


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the run that started it dies."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def serve(listening_fd: int, parent: int) -> int:
    _die_with_parent()
    listener = socket.socket(fileno=listening_fd)
    if os.getppid() != parent:  # the run died before the kernel was told
        return 1
    from dbt.cli.main import cli  # the 3 s this process is for

    listener.settimeout(IDLE_SECONDS)
    try:
        conn, _ = listener.accept()
    except OSError:
        return 1
    conn.settimeout(None)
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    while not message.endswith(b"\n"):
        chunk = conn.recv(1 << 20)
        if not chunk:
            return 1
        message += chunk
    request = json.loads(message)
    for target, fd in enumerate(fds):  # the launcher's stdin, stdout, stderr become ours
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [_real_dbt(), *request["args"]]
    conn.sendall(STARTED + str(os.getpid()).encode() + b"\n")

    done = threading.Event()

    def watch() -> None:  # the launcher died (killed) while dbt runs: so does this dbt
        with contextlib.suppress(OSError):
            while conn.recv(64):
                pass
        if not done.is_set():
            os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()
    try:
        code = cli.main(args=request["args"], prog_name="dbt")  # as the dbt script: sys.exit
    except SystemExit as exit_:
        code = exit_.code
    done.set()
    code = code if isinstance(code, int) else (0 if code is None else 1)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    with contextlib.suppress(OSError):
        conn.sendall(ENDED + str(code).encode() + b"\n")
    return code


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2])))
