"""Hostile files (issue 12): bounded, safe and honest whatever the shelf holds. Every case is a real file."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import LimitExceeded, UnreadableDocument
from pipeline.discover import discover, unsupported_message
from pipeline.ocr import recover_text, render_page, run_tesseract
from pipeline.pdfcheck import DAMAGED
from pipeline.read import read_document
from pipeline.run import process_file
from solieu.scoring import score_extracted
from tests import hostile_files as H
from tests.conftest import ROOT, SEED_GOLD, SEED_MD

SOLIEU = [sys.executable, "-m", "solieu.cli"]


#: One Prefect home for every run here: a new one costs its database migration (20-70 s on a busy machine).
PREFECT_HOME = ROOT / ".prefect"


def solieu(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user does."""
    full_env = {**os.environ, "PREFECT_HOME": str(PREFECT_HOME), **(env or {})}
    return subprocess.run([*SOLIEU, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Make every hostile file once."""
    d = tmp_path_factory.mktemp("hostile")
    return {
        "bomb": H.docx_bomb(d / "bomb.docx", 120),
        "liar": H.docx_bomb(d / "liar.docx", 120, lie=True),
        "huge": H.huge_blank_page(d / "huge-page.pdf"),
        "blank2000": H.blank_pages(d / "blank-2000.pdf", 2000),
        "image": H.big_image_page(d / "image-20000.pdf"),
        "speck": H.large_page_with_a_speck(d / "speck-50in.pdf"),
        "pages": H.text_pages(d / "pages-40.pdf", 40),
        "cut": H.cut_pdf(d / "cut-20.pdf"),
        "tcvn3": H.seed_tcvn3(d / "seed-tcvn3.txt"),
        "vni": H.seed_vni(d / "seed-vni.txt"),
        "cp1258": H.seed_cp1258(d / "seed-cp1258.txt"),
        "badutf8": H.seed_utf8_with_bad_bytes(d / "seed-bad-utf8.txt"),
    }


@pytest.fixture()
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Let a test set SOLIEU_MAX_* limits for itself."""
    return monkeypatch


# --------------------------------------------------------------------------- 1. limits


def test_docx_bomb_is_refused_before_parsing_naming_the_limit(hostile: dict[str, Path]) -> None:
    with pytest.raises(LimitExceeded) as e:
        read_document(hostile["bomb"])
    msg = str(e.value)
    assert "word/document.xml inflates to 119 MB" in msg and "SOLIEU_MAX_ZIP_MEMBER_MB=400" in msg


def test_docx_whose_directory_lies_about_sizes_is_damaged_not_inflated(hostile: dict[str, Path]) -> None:
    # the directory says 1 KB: zip readers stop there (bad CRC) instead of inflating 120 MB
    with pytest.raises(UnreadableDocument, match=r"not a readable Word \.docx file"):
        read_document(hostile["liar"])


def test_docx_under_a_raised_limit_is_read(hostile: dict[str, Path], env: pytest.MonkeyPatch) -> None:
    env.setenv("SOLIEU_MAX_ZIP_MEMBER_MB", "1000")
    env.setenv("SOLIEU_MAX_ZIP_TOTAL_MB", "1000")
    raw = read_document(hostile["bomb"])
    assert "Huyện có 12 xã." in raw.pages[0].text[:200]


def test_huge_page_is_refused_by_area_and_read_fast_when_allowed(hostile: dict[str, Path],
                                                                  env: pytest.MonkeyPatch) -> None:
    with pytest.raises(LimitExceeded, match=r"200 × 200 inches .* SOLIEU_MAX_PAGE_AREA_M2="):
        read_document(hostile["huge"])
    env.setenv("SOLIEU_MAX_PAGE_AREA_M2", "30")
    t0 = time.perf_counter()
    ex = process_file(hostile["huge"])        # every stage: table rules must not render the page either
    # blank is decided from the page's objects (none), not from a 1.6-gigapixel render (50 s, 7.9 GB before)
    assert time.perf_counter() - t0 < 30
    assert "blank" in (ex.document.pages[0].triage_reason or "")
    assert any("blank" in w for w in ex.document.warnings)


def test_two_thousand_blank_pages_are_blank_without_rendering(hostile: dict[str, Path]) -> None:
    out = recover_text(read_document(hostile["blank2000"]), "auto")
    assert out.warnings == ["pages 1-2000 had no text layer and are blank (nothing to OCR)"]


def test_page_count_limit(hostile: dict[str, Path], env: pytest.MonkeyPatch) -> None:
    env.setenv("SOLIEU_MAX_PAGES", "1000")
    with pytest.raises(LimitExceeded, match=r"2,000 pages.*SOLIEU_MAX_PAGES=4000"):
        read_document(hostile["blank2000"])


def test_giant_image_is_refused_before_it_is_decoded(hostile: dict[str, Path]) -> None:
    raw = read_document(hostile["image"])
    with pytest.raises(LimitExceeded, match=r"20,000 × 20,000 pixel image .* SOLIEU_MAX_IMAGE_MPX="):
        recover_text(raw, "auto")


def test_large_page_renders_at_a_capped_size(hostile: dict[str, Path], env: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    env.setenv("SOLIEU_MAX_RENDER_MPX", "20")
    pdf = pdfium.PdfDocument(str(hostile["speck"]))
    try:
        img, size = render_page(pdf, 1, 200)
    finally:
        pdf.close()
    assert size == (3600, 3600)
    assert img.width * img.height <= 20e6 and img.width > 4000     # 10,000² at 200 dpi, capped to ~4,470²
    out = recover_text(read_document(hostile["speck"]), "auto")
    assert "blank" in (out.pages[0].triage_reason or "")


def test_time_limit_per_document(hostile: dict[str, Path], env: pytest.MonkeyPatch) -> None:
    env.setenv("SOLIEU_MAX_DOC_SECONDS", "0.000001")
    with pytest.raises(LimitExceeded, match=r"stopped after .* reading page \d+ of 40.*SOLIEU_MAX_DOC_SECONDS="):
        read_document(hostile["pages"])


def test_tesseract_is_killed_on_timeout(env: pytest.MonkeyPatch) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("L", (2400, 3300), 255)
    draw = ImageDraw.Draw(img)
    for y in range(100, 3200, 40):
        draw.text((100, y), "Huyen co 12 xa dat chuan nong thon moi " * 4, fill=0)
    env.setenv("SOLIEU_MAX_OCR_SECONDS", "0.05")
    t0 = time.perf_counter()
    with pytest.raises(LimitExceeded, match=r"tesseract ran for more than .*SOLIEU_MAX_OCR_SECONDS="):
        run_tesseract(img)
    assert time.perf_counter() - t0 < 5


# --------------------------------------------------------------------------- 2. text decoding


@pytest.mark.parametrize("key, encoding", [("tcvn3", "TCVN3"), ("vni", "VNI"), ("cp1258", "Windows-1258")],
                         ids=["tcvn3-iconv-TCVN5712-1", "vni", "cp1258-iconv"])
def test_legacy_text_file_is_recognised_and_scores_on_the_seed_gold(hostile: dict[str, Path], key: str,
                                                                    encoding: str) -> None:
    ex = process_file(hostile[key], ocr="never")
    assert any(encoding in w for w in ex.document.warnings)
    assert "kƠt" not in ex.document.text and "kết quả" in ex.document.text.lower()
    assert score_extracted(SEED_GOLD, ex)["figures"]["f1"] >= 0.95


def test_utf8_with_four_bad_bytes_stays_utf8_with_a_warning(hostile: dict[str, Path]) -> None:
    ex = process_file(hostile["badutf8"], ocr="never")
    assert ex.document.text.count("\ufffd") == 4
    assert any(w.startswith("4 byte sequences are not valid UTF-8") for w in ex.document.warnings)
    assert score_extracted(SEED_GOLD, ex)["figures"]["f1"] >= 0.95


DOCX_FONTS = [
    pytest.param(".VnTime", "Kết quả thực hiện năm 2021: đạt 86 mô hình", "Kết quả thực hiện năm 2021: đạt 86 mô hình",
                 id="VnTime-tcvn3"),
    pytest.param(".VnTimeH", "ủy ban nhân dân", "ỦY BAN NHÂN DÂN", id="VnTimeH-capitals"),
    pytest.param("VNI-Times", "Đường giao thông nông thôn 14,7 km", "Đường giao thông nông thôn 14,7 km",
                 id="VNI-Times"),
    pytest.param("Times New Roman", "Tổng vốn 1.234 tỷ đồng", "Tổng vốn 1.234 tỷ đồng", id="unicode-font-untouched"),
]


@pytest.mark.parametrize("font, text, expected", DOCX_FONTS)
def test_docx_runs_in_legacy_fonts_are_decoded(tmp_path: Path, font: str, text: str, expected: str) -> None:
    raw = read_document(H.docx_legacy_fonts(tmp_path / "f.docx", [(font, text)]))
    assert raw.pages[0].text.strip() == expected


# --------------------------------------------------------------------------- 3. nothing outside the inputs


def test_links_leaving_the_inputs_and_dangling_links_are_named_not_followed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("Huyện có 12 xã.", encoding="utf-8")
    (inbox / "sheet.xls").write_bytes(b"x")
    os.symlink("/etc/passwd", inbox / "passwd.txt")
    os.symlink("/etc", inbox / "sub" / "etc")
    os.symlink(tmp_path / "gone.txt", inbox / "dangling.txt")
    os.symlink(inbox / "a.txt", inbox / "alias.txt")             # inside the inputs: followed
    found = discover([str(inbox)])
    assert found.files == [str(inbox / "a.txt"), str(inbox / "alias.txt")]
    why = dict(found.skipped_links)
    assert "leaves the input folders (to /etc/passwd)" in why[str(inbox / "passwd.txt")]
    assert "leaves the input folders" in why[str(inbox / "sub" / "etc")]
    assert "dangling" in why[str(inbox / "dangling.txt")]
    assert found.passed_over_files == [str(inbox / "sheet.xls")]
    res = solieu("ingest", str(inbox), "--db", f"sqlite:///{tmp_path / 'd.db'}", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passwd.txt (link that leaves the input folders (to /etc/passwd): not followed)" in res.stdout
    assert "dangling.txt (dangling link" in res.stdout
    assert f"Passed over 1 files of other types: {inbox / 'sheet.xls'}" in res.stdout
    con = sqlite3.connect(tmp_path / "d.db")
    assert not [t for (t,) in con.execute("select text from texts") if "root:" in t]


# --------------------------------------------------------------------------- 4. damage


def test_pdf_with_a_fifth_cut_out_is_flagged_and_its_pages_checked(hostile: dict[str, Path]) -> None:
    ex = process_file(hostile["cut"])
    assert any(w.startswith(DAMAGED) and "fetch a fresh copy" in w for w in ex.document.warnings)
    checked = [p for p in ex.document.pages if "damaged" in (p.triage_reason or "")]
    assert len(checked) >= 5
    assert score_extracted(SEED_GOLD, ex)["figures"]["f1"] >= 0.85


def test_sound_pdfs_are_not_called_damaged() -> None:
    for pdf in sorted((ROOT / "corpus").rglob("*.pdf")):
        assert not any(w.startswith(DAMAGED) for w in read_document(pdf).warnings), pdf


# --------------------------------------------------------------------------- 5. concurrency


@pytest.fixture()
def race_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.md").write_bytes(SEED_MD.read_bytes())
    (inbox / "a.txt").write_text("Năm 2021 huyện có 12 xã đạt chuẩn nông thôn mới.", encoding="utf-8")
    return inbox


def _race(inbox: Path, url: str, tmp_path: Path) -> list[subprocess.CompletedProcess[str]]:
    import shutil

    warm = solieu("ingest", "--help", cwd=tmp_path)      # the shared Prefect home exists (see PREFECT_HOME)
    assert warm.returncode == 0
    procs = []
    for k in range(2):
        work = tmp_path / f"run{k}"
        work.mkdir(exist_ok=True)
        # each run its own Prefect home (two ephemeral servers on one Prefect database would race on their
        # own), copied from a migrated one so that neither pays the migration
        if PREFECT_HOME.exists():
            shutil.copytree(PREFECT_HOME, work / ".prefect", dirs_exist_ok=True)
        procs.append(subprocess.Popen([*SOLIEU, "ingest", str(inbox), "--db", url], cwd=work, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      env={**os.environ, "PREFECT_HOME": str(work / ".prefect")}))
    out = []
    for p in procs:
        so, se = p.communicate(timeout=600)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, so, se))
    return out


def _counts(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from pipeline import schema
    from pipeline.load import dispose_all, open_db

    with open_db(url).connect() as conn:
        docs = conn.execute(select(func.count()).select_from(schema.documents)).scalar_one()
        fails = conn.execute(select(func.count()).select_from(schema.failures)).scalar_one()
    dispose_all()
    return docs, fails


def _assert_race_is_honest(inbox: Path, url: str, tmp_path: Path) -> None:
    runs = _race(inbox, url, tmp_path)
    for r in runs:
        assert r.returncode == 0, r.stdout + r.stderr
        assert "failed" not in r.stdout.replace("0 failed", ""), r.stdout
    assert _counts(url) == (2, 0)
    again = solieu("ingest", str(inbox), "--db", url, cwd=tmp_path)
    assert again.returncode == 0 and "2 already current" in again.stdout
    assert _counts(url) == (2, 0)


def test_two_ingests_racing_on_a_new_sqlite_dataset(race_inbox: Path, tmp_path: Path) -> None:
    _assert_race_is_honest(race_inbox, f"sqlite:///{tmp_path / 'race.db'}", tmp_path)


@pytest.mark.postgres
def test_two_ingests_racing_on_postgresql(race_inbox: Path, tmp_path: Path, postgres_url: str) -> None:
    from sqlalchemy import create_engine, text

    base = postgres_url.split("?")[0].rsplit("/", 1)[0]
    query = postgres_url.split("?", 1)[1]
    admin = create_engine(f"{base}/postgres?{query}", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS solieu_race"))
        conn.execute(text("CREATE DATABASE solieu_race"))
    admin.dispose()
    _assert_race_is_honest(race_inbox, f"{base}/solieu_race?{query}", tmp_path)


def test_a_failure_recorded_earlier_is_cleared_when_the_file_loads(tmp_path: Path) -> None:
    from pipeline.load import dispose_all, load_document, open_db, record_failure

    url = f"sqlite:///{tmp_path / 'f.db'}"
    f = tmp_path / "a.txt"
    f.write_text("Năm 2021 huyện có 12 xã.", encoding="utf-8")
    ex = process_file(f)
    engine = open_db(url)
    record_failure(engine, document=str(f), sha256=ex.document.sha256, stage="load", error="DatabaseError",
                   message="nothing of it was written, re-run the ingest", run_id=None)
    load_document(engine, ex)
    dispose_all()
    assert _counts(url) == (1, 0)


# --------------------------------------------------------------------------- 6. read-only query

WRITES = [
    "insert into failures(document, stage, error, message, at) values ('x', 's', 'e', 'm', '2020-01-01')",
    "update documents set title = 'x'",
    "delete from figures",
    "replace into failures(document) values ('x')",
    "create table z(a)",
    "create index zi on documents(title)",
    "create view v as select 1",
    "drop table figures",
    "alter table documents add column z text",
    "with d as (select 1) delete from failures",
    "pragma journal_mode=delete",
    "pragma user_version=5",
    "pragma foreign_keys=off",
    "pragma wal_checkpoint(truncate)",
    "pragma query_only=0",
    "attach database 'other.db' as o",
    "vacuum",
    "vacuum into 'copy.db'",
    "reindex",
    "analyze",
    "begin immediate",
    "savepoint s",
]
PG_WRITES = [
    *[w for w in WRITES if not w.startswith(("pragma", "attach", "vacuum into", "begin", "savepoint", "replace"))],
    "SET TRANSACTION READ WRITE",
    "select nextval('documents_id_seq')",
    "with d as (delete from failures returning 1) select count(*) from d",
    "truncate failures",
    "create temporary table t(a int)",
]


@pytest.fixture(scope="module")
def small_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.load import checkpoint, dispose_all, load_document, open_db

    work = tmp_path_factory.mktemp("ro")
    (work / "a.txt").write_text("Năm 2021 huyện có 12 xã đạt chuẩn nông thôn mới.", encoding="utf-8")
    url = f"sqlite:///{work / 'ro.db'}"
    load_document(open_db(url), process_file(work / "a.txt"))     # what `solieu ingest` leaves: WAL, checkpointed
    checkpoint(url)
    dispose_all()
    return work / "ro.db"


def query(*args: str) -> tuple[int, str]:
    """Run `solieu query` in this process (no Prefect is involved): (exit code, everything it printed)."""
    from click.testing import CliRunner

    from solieu.cli import main

    res = CliRunner().invoke(main, ["query", *args])
    return res.exit_code, res.output


def _snapshot(db: Path) -> tuple[bytes, str, list[str]]:
    mode = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("pragma journal_mode").fetchone()[0]
    return db.read_bytes(), mode, sorted(p.name for p in db.parent.iterdir() if p.suffix == ".db")


@pytest.mark.parametrize("sql", WRITES)
def test_query_refuses_every_write_on_sqlite_and_leaves_the_file_alone(small_sqlite: Path, sql: str) -> None:
    before = _snapshot(small_sqlite)
    code, out = query(sql, "--db", f"sqlite:///{small_sqlite}")
    assert code == 2, out
    assert "read-only" in out
    assert _snapshot(small_sqlite) == before
    assert before[1] == "wal"


def test_query_still_reads_on_sqlite(small_sqlite: Path) -> None:
    for sql in ("select count(*) as n from documents", "pragma journal_mode",
                "pragma table_info(documents)"):
        code, out = query(sql, "--db", f"sqlite:///{small_sqlite}", "--format", "jsonl")
        assert code == 0, (sql, out)


@pytest.mark.postgres
def test_query_refuses_every_write_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from pipeline.load import dispose_all, open_db, record_failure

    engine = open_db(postgres_url)
    record_failure(engine, document="x.pdf", sha256=None, stage="read", error="E", message="m", run_id=None)

    def state() -> list[object]:
        with engine.connect() as conn:
            return [conn.execute(text(q)).all() for q in (
                "select count(*) from failures", "select count(*) from figures",
                "select table_name, column_name from information_schema.columns where table_schema='public' "
                "order by 1, 2", "select indexname from pg_indexes where schemaname='public' order by 1")]

    before = state()
    for sql in PG_WRITES:
        code, out = query(sql, "--db", postgres_url)
        assert code == 2, (sql, out)
        assert state() == before, sql
    dispose_all()


# --------------------------------------------------------------------------- 7. messages


def test_serve_on_a_busy_port_says_so_without_announcing(small_sqlite: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = solieu("serve", "--db", f"sqlite:///{small_sqlite}", "--port", str(port), cwd=small_sqlite.parent)
    assert res.returncode == 2
    assert "Serving" not in res.stdout and "choose another with --port" in res.stderr


@pytest.mark.parametrize("ext", [".xls", ".rtf", ".odt", ".doc"])
def test_unsupported_message_fits_the_format(ext: str) -> None:
    msg = unsupported_message(f"x{ext}")
    assert ext in msg and (".doc " not in msg or ext == ".doc")
    assert ("spreadsheet" in msg) == (ext == ".xls")


def test_sqlite_open_error_speaks_of_files_not_servers(tmp_path: Path) -> None:
    (tmp_path / "not-a-db.db").write_bytes(b"this is not a database" * 100)
    res = solieu("export", "documents", "--db", f"sqlite:///{tmp_path / 'not-a-db.db'}", cwd=tmp_path)
    res2 = solieu("ingest", str(SEED_MD), "--db", f"sqlite:///{tmp_path / 'not-a-db.db'}", cwd=tmp_path)
    for r in (res, res2):
        assert r.returncode != 0
        assert "server is running" not in r.stderr and "SQLite" in r.stderr, r.stderr


def test_one_missing_path_is_a_recorded_failure_and_the_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Năm 2021 huyện có 12 xã.", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'm.db'}"
    res = solieu("ingest", str(tmp_path / "a.txt"), str(tmp_path / "missing.pdf"), "--db", url, cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 loaded" in res.stdout and "missing.pdf [discover] no such file or folder" in res.stdout
    fails = [json.loads(x) for x in solieu("export", "failures", "--db", url, cwd=tmp_path).stdout.splitlines()]
    assert [Path(f["document"]).name for f in fails] == ["missing.pdf"]


# --------------------------------------------------------------------------- a batch goes on


def test_a_batch_with_every_hostile_file_records_each_and_loads_the_rest(hostile: dict[str, Path],
                                                                        tmp_path: Path) -> None:
    import shutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for key in ("bomb", "huge", "image", "blank2000", "tcvn3", "badutf8"):
        shutil.copy(hostile[key], inbox)
    url = f"sqlite:///{tmp_path / 'b.db'}"
    res = solieu("ingest", str(inbox), "--db", url, cwd=tmp_path, env={"SOLIEU_MAX_PAGES": "1000"})
    assert res.returncode == 1, res.stdout + res.stderr
    assert "6 documents: 2 loaded, 0 already current, 4 failed" in res.stdout
    for name, knob in (("bomb.docx", "SOLIEU_MAX_ZIP_MEMBER_MB"), ("huge-page.pdf", "SOLIEU_MAX_PAGE_AREA_M2"),
                       ("image-20000.pdf", "SOLIEU_MAX_IMAGE_MPX"), ("blank-2000.pdf", "SOLIEU_MAX_PAGES")):
        line = next(ln for ln in res.stdout.splitlines() if name in ln)
        assert "LimitExceeded" in line and knob in line, line


@pytest.fixture(autouse=True)
def _no_engines_left() -> Iterator[None]:
    yield
    from pipeline.load import dispose_all

    dispose_all()
