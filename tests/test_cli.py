"""The `solieu` command as a user runs it: real subprocesses, real Prefect flow, real SQLite files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, SEED_GOLD, SEED_MD, SEED_PDF

SOLIEU = [sys.executable, "-m", "solieu.cli"]
# One Prefect home for the module: its warm server is started by the first ingest and reused by the others.
PREFECT_HOME = Path(tempfile.mkdtemp(prefix="solieu-cli-prefect-"))


@pytest.fixture(scope="module", autouse=True)
def _stop_warm_server() -> Iterator[None]:
    yield
    from solieu.prefect_server import stop_warm_server

    stop_warm_server(PREFECT_HOME)
    shutil.rmtree(PREFECT_HOME, ignore_errors=True)


def solieu(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI and return the finished process."""
    full_env = {**os.environ, "PREFECT_HOME": str(PREFECT_HOME), **(env or {})}
    return subprocess.run([*SOLIEU, *args], cwd=cwd or ROOT, env=full_env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Ingest the seed report (PDF and Markdown) once through the real CLI."""
    work = tmp_path_factory.mktemp("cli")
    inbox = work / "inbox"
    inbox.mkdir()
    shutil.copy(SEED_PDF, inbox)
    shutil.copy(SEED_MD, inbox)
    url = f"sqlite:///{work / 'solieu.db'}"
    res = solieu("ingest", str(inbox), "--db", url, cwd=work)
    assert res.returncode == 0, res.stderr + res.stdout
    assert "2 loaded" in res.stdout
    return url


def test_second_ingest_adds_nothing_and_says_so(seed_db: str, tmp_path: Path) -> None:
    inbox = Path(seed_db.removeprefix("sqlite:///")).parent / "inbox"
    res = solieu("ingest", str(inbox), "--db", seed_db, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "0 loaded, 2 already current" in res.stdout
    assert "Nothing new" in res.stdout


def test_eval_scores_the_seed_pdf_above_the_floor(seed_db: str) -> None:
    res = solieu("eval", str(SEED_GOLD), "--db", seed_db, "--json")
    assert res.returncode == 0, res.stderr
    reports = {Path(r["document"]).suffix: r for r in json.loads(res.stdout)}
    assert reports[".pdf"]["figures"]["f1"] >= 0.90
    text = solieu("eval", str(SEED_GOLD), "--db", seed_db).stdout
    assert "figures: P" in text and "references:" in text


def test_export_formats_carry_exact_values(seed_db: str, tmp_path: Path) -> None:
    out = tmp_path / "figures.parquet"
    assert solieu("export", "figures", "--db", seed_db, "--format", "parquet", "--out", str(out)).returncode == 0
    frame = pd.read_parquet(out)
    assert {"id", "document", "kind", "value", "unit", "raw", "char_start", "char_end", "flags"} <= set(frame.columns)
    money = frame[frame["raw"].str.startswith("380.000.000")]
    assert str(money["value"].iloc[0]).rstrip("0").rstrip(".") == "380000000"
    csv = solieu("export", "figures", "--db", seed_db, "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("id,document,sha256,page,kind,value")
    lines = [json.loads(x) for x in solieu("export", "documents", "--db", seed_db).stdout.splitlines()]
    assert {d["doc_number"] for d in lines} == {"374-BC/HU"}


def test_query_reads_and_refuses_writes(seed_db: str) -> None:
    res = solieu("query", "select count(*) as n from documents", "--db", seed_db, "--format", "jsonl")
    assert res.returncode == 0 and json.loads(res.stdout) == {"n": 2}
    for sql in ("delete from figures", "  UPDATE figures SET value = 0", "drop table figures"):
        bad = solieu("query", sql, "--db", seed_db)
        assert bad.returncode == 2, sql
        assert "read-only" in bad.stderr
        assert "Traceback" not in bad.stderr
    # A write hidden behind a CTE is stopped by the database itself.
    sneaky = solieu("query", "with x as (select 1) delete from figures", "--db", seed_db)
    assert sneaky.returncode == 2 and "read-only" in sneaky.stderr
    assert json.loads(solieu("query", "select count(*) as n from figures", "--db", seed_db,
                             "--format", "jsonl").stdout)["n"] > 0


def test_a_bad_file_is_recorded_and_the_rest_load(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED_MD, inbox / "good.md")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    (inbox / "table.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    res = solieu("ingest", str(inbox), str(inbox / "table.xls"), "--db", url, cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 loaded" in res.stdout and "2 failed" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr
    failures = [json.loads(x) for x in solieu("export", "failures", "--db", url).stdout.splitlines()]
    by_doc = {Path(f["document"]).name: f for f in failures}
    assert set(by_doc) == {"broken.pdf", "table.xls"}
    assert by_doc["broken.pdf"]["stage"] == "read" and by_doc["broken.pdf"]["message"]
    assert by_doc["table.xls"]["error"] == "UnreadableDocument"   # .xls is read; these 4 bytes are no workbook
    docs = solieu("export", "documents", "--db", url).stdout.splitlines()
    assert len(docs) == 1


def test_usage_errors_exit_2_with_one_line() -> None:
    res = solieu("ingest", "/no/such/folder")
    assert res.returncode == 2
    assert "no such file or folder" in res.stderr and "Traceback" not in res.stderr
    assert solieu("export", "nonsense").returncode == 2


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    res = solieu("query", "select 1", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert res.returncode == 1
    assert "solieu ingest" in res.stderr and "Traceback" not in res.stderr


def test_same_bytes_at_two_paths_are_one_document(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "a").mkdir(parents=True)
    (inbox / "b").mkdir()
    for d in ("a", "b"):
        (inbox / d / "report.txt").write_text("Toàn huyện có 12 nhà tạm.\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'd.db'}"
    res = solieu("ingest", str(inbox), "--db", url, "--workers", "2", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 loaded" in res.stdout and "1 duplicates" in res.stdout
    docs = [json.loads(x) for x in solieu("export", "documents", "--db", url).stdout.splitlines()]
    assert [Path(d["document"]).parent.name for d in docs] == ["a"]
    figs = [json.loads(x) for x in solieu("export", "figures", "--db", url).stdout.splitlines()]
    assert [(f["raw"], f["page"], f["bbox"]) for f in figs] == [("12 nhà tạm", None, None)]


def test_eval_fails_when_the_gold_document_is_not_in_the_dataset(seed_db: str, tmp_path: Path) -> None:
    gold = tmp_path / "other.json"
    gold.write_text(json.dumps({"document": "corpus/x/not-there.pdf", "figures": []}), encoding="utf-8")
    res = solieu("eval", str(gold), "--db", seed_db)
    assert res.returncode == 1 and "no such document" in res.stdout


@pytest.mark.postgres
def test_query_cannot_write_to_postgresql(postgres_url: str) -> None:
    from sqlalchemy import func, select

    from pipeline import schema
    from pipeline.load import dispose_all, open_db, record_failure

    engine = open_db(postgres_url)
    record_failure(engine, document="x.pdf", sha256=None, stage="read", error="E", message="m", run_id=None)
    for sql in ("SET TRANSACTION READ WRITE; DELETE FROM failures; COMMIT; SELECT 1 AS x",
                "with d as (delete from failures returning 1) select count(*) from d"):
        res = solieu("query", sql, "--db", postgres_url)
        assert res.returncode == 2, (sql, res.stdout, res.stderr)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.failures)).scalar_one() >= 1
    dispose_all()


def test_serve_shows_the_dataset_read_only_on_loopback(seed_db: str) -> None:
    import socket
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*SOLIEU, "serve", "--db", seed_db, "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/solieu"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/documents.json?_shape=array", timeout=2) as r:
                    docs = json.loads(r.read())
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and proc.poll() is None, "serve did not come up"
                time.sleep(0.5)
        assert {d["doc_number"] for d in docs} == {"374-BC/HU"}
        sql = urllib.parse.quote("select kind, count(*) as n from figures group by kind")
        with urllib.request.urlopen(f"{base}.json?sql={sql}&_shape=array", timeout=10) as r:
            kinds = {row["kind"]: row["n"] for row in json.loads(r.read())}
        assert kinds["money"] >= 8
        bad = urllib.parse.quote("delete from figures")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}.json?sql={bad}", timeout=10)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Stopping `solieu serve` stops the web server too: nothing answers on the port any more.
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/documents.json", timeout=2)


def test_export_out_dash_is_standard_output(seed_db: str, tmp_path: Path) -> None:
    res = solieu("export", "documents", "--db", seed_db, "--out", "-", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert {json.loads(x)["doc_number"] for x in res.stdout.splitlines()} == {"374-BC/HU"}
    assert not (tmp_path / "-").exists(), "'-' means standard output, not a file named '-'"


def test_an_ingest_command_leaves_its_flow_and_task_runs_completed_on_the_server(seed_db: str) -> None:
    # The command ends with os._exit after its exit handlers (solieu.cli.run) and sends no heartbeats:
    # the server must still hold its run, one task per stage, each finished.
    import time
    import urllib.request

    api = json.loads((PREFECT_HOME / "solieu-server.json").read_text(encoding="utf-8"))["api"]

    def post(path: str, body: dict[str, object]) -> list[dict[str, object]]:
        req = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            result: list[dict[str, object]] = json.load(resp)
            return result

    deadline = time.monotonic() + 30          # the server records task-run states from events, a moment later
    while True:
        flows = [r for r in post("/flow_runs/filter", {"limit": 200}) if r["state_type"] == "COMPLETED"]
        tasks = post("/task_runs/filter", {"flow_runs": {"id": {"any_": [r["id"] for r in flows]}}, "limit": 200})
        names = {str(t["name"]).rsplit("-", 1)[0] for t in tasks if t["state_type"] == "COMPLETED"}
        if {"ingest-document", "read", "extract", "load"} <= names or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert flows, "no completed ingest flow run on the server"
    assert {"ingest-document", "read", "recover-text", "normalize", "structure", "tables", "extract",
            "load"} <= names
