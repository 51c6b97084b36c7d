"""The local Prefect server solieu starts: warm between commands (stops itself when idle) or tied to its parent.

Prefect 3 with no PREFECT_API_URL starts a temporary server in a subprocess for every command (~8 s here,
~20 s the first time: migrations) and leaves it running if the command is killed with SIGKILL. solieu
therefore never lets Prefect start its own: `ingest` reuses a server named by PREFECT_API_URL, else a warm
local one (started on demand, found again through $PREFECT_HOME/solieu-server.json, stopping itself after
SOLIEU_PREFECT_IDLE seconds without a request); with SOLIEU_PREFECT_IDLE=0 the server is the command's own
child and dies with it, whatever kills it (PR_SET_PDEATHSIG plus a watch on the parent's pid).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.errors import SolieuError

#: Seconds a warm server waits without a request before it stops (SOLIEU_PREFECT_IDLE overrides; 0: no warm server).
DEFAULT_IDLE = 600.0
STATE_FILE = "solieu-server.json"
START_TIMEOUT = 120.0


class PrefectServerError(SolieuError):
    """The local Prefect server would not start."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(api: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def idle_seconds() -> float:
    """Return how long a warm server may sit idle ($SOLIEU_PREFECT_IDLE, default 600 s; 0 = no warm server)."""
    raw = os.environ.get("SOLIEU_PREFECT_IDLE")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_IDLE
    except ValueError:
        return DEFAULT_IDLE


def _launch(home: Path, log: Path, *, idle: float, parent: int | None, services: bool) -> tuple[subprocess.Popen[bytes], str]:
    """Start the server process and wait until it answers; return it and its API URL."""
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
        # Schedule new runs every few seconds rather than every minute, so a first tick is not late.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": os.environ.get(
            "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS", "5"),
    }
    env.pop("PREFECT_API_URL", None)
    cmd = [sys.executable, "-m", "solieu.prefect_server", "--port", str(port), "--idle", str(idle)]
    if parent is not None:
        cmd += ["--parent", str(parent)]
    if services:
        cmd.append("--services")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        # A warm server outlives the command that started it: its own session, so a Ctrl+C in the terminal
        # does not reach it. A child server gets the parent-death signal instead (see _serve).
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(api):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise PrefectServerError(f"the local Prefect server did not start; see {log}")
        time.sleep(0.1)
    return proc, api


def warm_server(home: Path) -> str:
    """Return the API URL of this PREFECT_HOME's warm server, starting one if none answers."""
    home.mkdir(parents=True, exist_ok=True)
    state = home / STATE_FILE
    with (home / "solieu-server.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)          # two commands at once start one server, not two
        try:
            info = json.loads(state.read_text(encoding="utf-8"))
            if _alive(int(info["pid"])) and _healthy(str(info["api"])):
                return str(info["api"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        proc, api = _launch(home, home / "server.log", idle=idle_seconds(), parent=None, services=False)
        state.write_text(json.dumps({"pid": proc.pid, "api": api}), encoding="utf-8")
        return api


def stop_warm_server(home: Path, timeout: float = 30.0) -> bool:
    """Stop this PREFECT_HOME's warm server if one runs; return whether one was stopped."""
    state = home / STATE_FILE
    try:
        pid = int(json.loads(state.read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    state.unlink(missing_ok=True)
    return True


@contextmanager
def prefect_api(home: Path) -> Iterator[str]:
    """Point Prefect at a server for the duration: $PREFECT_API_URL, else the warm one, else a child one."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    if idle_seconds() > 0:
        api = warm_server(home)
        os.environ["PREFECT_API_URL"] = api
        try:
            yield api
        finally:
            os.environ.pop("PREFECT_API_URL", None)
        return
    with local_prefect_server(home / "server.log", services=False) as api:
        yield api


@contextmanager
def local_prefect_server(log: Path, *, timeout: float = START_TIMEOUT, services: bool = True) -> Iterator[str]:
    """Start a Prefect server tied to this process (it dies with it), yield its API URL, stop it on exit.

    A user who already points PREFECT_API_URL at a server keeps it: nothing is started then. services=True
    runs Prefect's background services (the scheduler that fires `nightly`'s ticks).
    """
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    home = Path(os.environ.get("PREFECT_HOME") or log.parent)
    proc, api = _launch(home, log, idle=0.0, parent=os.getpid(), services=services)
    try:
        os.environ["PREFECT_API_URL"] = api
        yield api
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- the server process itself


PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Ask the kernel for SIGTERM when the parent dies (Linux); the watchdog thread backs it up elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:                  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


class _Activity:
    """ASGI wrapper counting open requests and websockets, and when the last one ended."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.open = 0
        self.last = time.monotonic()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        self.open += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open -= 1
            self.last = time.monotonic()


def _serve(port: int, idle: float, parent: int | None, services: bool) -> None:
    """Run Prefect's server app on loopback until idle, orphaned, or signalled."""
    if parent is not None:
        _die_with(parent)
    os.environ["PREFECT_UI_ENABLED"] = "false"
    os.environ["PREFECT__SERVER_FINAL"] = "1"
    if not services:
        # What Prefect's own temporary server runs: the API without the UI and background services.
        os.environ["PREFECT__SERVER_EPHEMERAL"] = "1"
    import uvicorn
    from prefect.server.api.server import create_app

    app = _Activity(create_app(ephemeral=not services, final=True))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on"))
    home = Path(os.environ.get("PREFECT_HOME", "."))

    def watch() -> None:
        while not server.started and not server.should_exit:   # start-up (migrations) is not idleness
            time.sleep(0.2)
            if parent is not None and os.getppid() != parent:
                server.should_exit = True
        app.last = time.monotonic()
        while not server.should_exit:
            time.sleep(0.5)
            orphaned = parent is not None and os.getppid() != parent
            idle_out = idle > 0 and app.open == 0 and time.monotonic() - app.last > idle
            if orphaned or idle_out or not home.exists():   # a removed PREFECT_HOME (tests) ends it too
                server.should_exit = True

    threading.Thread(target=watch, name="solieu-server-watch", daemon=True).start()
    server.run()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the server process (python -m solieu.prefect_server)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--idle", type=float, default=DEFAULT_IDLE)
    ap.add_argument("--parent", type=int, default=None)
    ap.add_argument("--services", action="store_true")
    args = ap.parse_args(argv)
    _serve(args.port, args.idle, args.parent, args.services)


if __name__ == "__main__":
    main()
