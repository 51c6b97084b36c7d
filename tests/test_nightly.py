"""`solieu nightly` for real: a dedicated Prefect server, a served deployment, ticks, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import ROOT

pytestmark = pytest.mark.flow


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("select count(*) from documents")).scalar_one())
    except Exception:
        return 0
    finally:
        engine.dispose()


def _wait_for(cond: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(1)
    return False


def test_nightly_ingests_new_files_on_each_tick_and_stops_on_sigterm(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Toàn huyện có 12 nhà tạm.\n", encoding="utf-8")
    db = tmp_path / "nightly.db"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / ".prefect")
    proc = subprocess.Popen(
        [sys.executable, "-m", "solieu.cli", "nightly", "--inbox", str(inbox), "--db", f"sqlite:///{db}",
         "--interval", "5"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert _wait_for(lambda: _documents(db) == 1, 240), "the first tick never ingested the inbox"
        (inbox / "b.txt").write_text("Xây dựng 3 mô hình.\n", encoding="utf-8")
        assert _wait_for(lambda: _documents(db) == 2, 120), "a later tick missed the new file"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert proc.returncode == 0, out
    assert "Serving nightly ingestion" in out and "Stopped." in out
