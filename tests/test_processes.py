"""Processes killed for real (SIGKILL): the Prefect server dies with its parent, the run is closed as interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline import schema
from pipeline.load import open_db
from pipeline.sequence import LocalExecutor, ingest
from tests.conftest import ROOT

pytestmark = pytest.mark.flow


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:   # a child of ours that exited is a zombie until reaped
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.2)
    return False


def _answers(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


PARENT = """
import json, os, sys, time
from pathlib import Path
from solieu.prefect_server import local_prefect_server
with local_prefect_server(Path(sys.argv[1]) / "server.log", services=False) as api:
    kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    print(json.dumps({"api": api, "server": int(kids[0])}), flush=True)
    time.sleep(600)
"""


def test_a_server_solieu_starts_dies_when_its_parent_is_killed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path)
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(tmp_path)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        info = json.loads(parent.stdout.readline())
        assert _answers(info["api"])
        parent.send_signal(signal.SIGKILL)    # no atexit, no finally: only the kernel and the server can act
        parent.wait(timeout=30)
        assert _gone(info["server"], 60), "the Prefect server outlived its SIGKILLed parent"
        assert not _answers(info["api"])
    finally:
        parent.kill()


def test_a_warm_server_is_reused_and_stops_itself_when_idle(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from solieu.prefect_server import STATE_FILE, warm_server

    monkeypatch.setenv("SOLIEU_PREFECT_IDLE", "3")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    api = warm_server(tmp_path)
    pid = json.loads((tmp_path / STATE_FILE).read_text())["pid"]
    assert warm_server(tmp_path) == api, "a second command reuses the running server"
    assert _gone(pid, 60), "an idle warm server stops by itself"
    assert not _answers(api)


RUNNER = """
import sys, time
from pipeline.load import open_db, start_run
start_run(open_db(sys.argv[1]), ["inbox"])
print("started", flush=True)
time.sleep(600)
"""


def test_a_run_left_running_by_a_killed_process_is_closed_as_interrupted(tmp_path: Path, sqlite_url: str) -> None:
    dead = subprocess.Popen([sys.executable, "-c", RUNNER, sqlite_url], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    assert dead.stdout is not None and dead.stdout.readline().strip() == "started"
    dead.send_signal(signal.SIGKILL)
    dead.wait(timeout=30)
    alive = subprocess.Popen([sys.executable, "-c", RUNNER, sqlite_url], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert alive.stdout is not None and alive.stdout.readline().strip() == "started"
        (tmp_path / "a.txt").write_text("Toàn huyện có 12 nhà tạm.\n", encoding="utf-8")
        summary = ingest([str(tmp_path / "a.txt")], sqlite_url, LocalExecutor())
        with open_db(sqlite_url).connect() as conn:
            runs = dict(conn.execute(select(schema.ingest_runs.c.pid, schema.ingest_runs.c.status)).all())
        assert runs[dead.pid] == "interrupted"
        assert runs[alive.pid] == "running", "a live run of another process is left alone"
        assert runs[os.getpid()] == "ok" and summary.count("loaded") == 1
    finally:
        alive.kill()
        alive.wait()
