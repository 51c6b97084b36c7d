"""Run `solieu ingest` (and query/serve) on every hostile input; print the matrix of issue 12.

    SOLIEU_CACHE_DIR=/work/cache .venv/bin/python bench/hostile_matrix.py [--out matrix.md]

Each case is a real subprocess; peak memory is its maximum resident set (wait4), time is wall-clock.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile_files as H  # noqa: E402
from tests.conftest import CORPUS, SEED_MD  # noqa: E402

SOLIEU = [sys.executable, "-m", "solieu.cli"]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 900) -> tuple[int, float, float, str]:
    """Run one command; return (exit code, seconds, peak RSS MB, what it printed)."""
    full = {**os.environ, "PREFECT_HOME": str(ROOT / ".prefect"), **(env or {})}
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out_chunks: list[str] = []
    assert p.stdout is not None
    out_chunks.append(p.stdout.read())
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.perf_counter() - t0, ru.ru_maxrss / 1024, "".join(out_chunks)


def said(out: str, *keys: str) -> str:
    """Return the lines a user sees that matter for the case (failures, skips, warnings, errors)."""
    lines = [ln.strip() for ln in out.splitlines()
             if any(k in ln for k in ("failed:", "skipped:", "Passed over", "error:", "documents:", *keys))]
    return " / ".join(lines)[:600]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", default=None, help="run only cases whose name contains this")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="solieu-matrix-"))
    db = f"sqlite:///{work / 'm.db'}"
    f = work / "files"
    f.mkdir()
    rows: list[tuple[str, str, int, float, float, str]] = []

    def case(name: str, desc: str, args: list[str], env: dict[str, str] | None = None, keys: tuple[str, ...] = (),
             url: str | None = None) -> None:
        if a.only and a.only not in name:
            return
        code, secs, mb, out = run([*SOLIEU, *args, *([] if args[0] in ("query", "serve") else
                                                      ["--db", url or db])], work, env)
        rows.append((name, desc, code, secs, mb, said(out, *keys)))
        print(f"{name}: exit {code}, {secs:.1f} s, {mb:.0f} MB: {said(out, *keys)[:300]}", flush=True)

    # 1. limits
    case("docx-1GB-xml", "3 MB-class .docx whose document.xml inflates to 1 GB",
         ["ingest", str(H.docx_bomb(f / "bomb-1g.docx", 1024))])
    case("pdf-200in-page", "339-byte-class PDF, one empty 200 × 200 inch page",
         ["ingest", str(H.huge_blank_page(f / "huge-page.pdf"))])
    case("pdf-200in-page-allowed", "the same with SOLIEU_MAX_PAGE_AREA_M2=30 (blank from its objects)",
         ["ingest", "--force", str(f / "huge-page.pdf")], env={"SOLIEU_MAX_PAGE_AREA_M2": "30"}, keys=("blank",))
    case("pdf-20000px-image", "A4 page showing a 20,000 × 20,000 px image",
         ["ingest", str(H.big_image_page(f / "image-20000.pdf"))])
    case("pdf-2000-blank", "2,000 empty pages", ["ingest", str(H.blank_pages(f / "blank-2000.pdf", 2000))])
    case("pdf-50in-speck", "50 × 50 inch page with a 1 pt speck (rendered capped at 60 Mpx)",
         ["ingest", str(H.large_page_with_a_speck(f / "speck-50in.pdf"))])
    case("pdf-page-limit", "2,000 pages with SOLIEU_MAX_PAGES=1000", ["ingest", "--force", str(f / "blank-2000.pdf")],
         env={"SOLIEU_MAX_PAGES": "1000"})
    case("time-limit", "40 text pages with SOLIEU_MAX_DOC_SECONDS=0.001",
         ["ingest", str(H.text_pages(f / "pages-40.pdf", 40))], env={"SOLIEU_MAX_DOC_SECONDS": "0.001"})
    scan = CORPUS / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"
    shutil.copy(scan, f / "scan.pdf")
    case("ocr-timeout", "scanned seed, empty OCR cache, SOLIEU_MAX_OCR_SECONDS=0.5",
         ["ingest", str(f / "scan.pdf")], env={"SOLIEU_MAX_OCR_SECONDS": "0.5", "SOLIEU_CACHE_DIR": str(work / "c")})
    # 2. text decoding
    case("utf8-4-bad-bytes", "seed text as UTF-8 with 4 invalid bytes",
         ["ingest", str(H.seed_utf8_with_bad_bytes(f / "seed-bad-utf8.txt"))])
    for enc, fn in (("tcvn3", H.seed_tcvn3), ("vni", H.seed_vni), ("cp1258", H.seed_cp1258)):
        case(f"txt-{enc}", f"seed text as {enc} bytes", ["ingest", str(fn(f / f"seed-{enc}.txt"))])
    case("docx-vntime", ".docx with .VnTime / .VnTimeH / VNI-Times runs",
         ["ingest", str(H.docx_legacy_fonts(f / "legacy-fonts.docx", [
             (".VnTime", "Kết quả năm 2021: đạt 86 mô hình"), (".VnTimeH", "ủy ban nhân dân"),
             ("VNI-Times", "Đường giao thông nông thôn 14,7 km")]))])
    # 3. links
    inbox = work / "inbox"
    inbox.mkdir()
    shutil.copy(SEED_MD, inbox / "seed.md")
    (inbox / "sheet.xls").write_bytes(b"x")
    os.symlink("/etc/passwd", inbox / "passwd.txt")
    os.symlink(work / "gone.txt", inbox / "dangling.txt")
    os.symlink("/etc", inbox / "etc")
    case("links", "folder: seed.md, sheet.xls, link to /etc/passwd, link to /etc, dangling link",
         ["ingest", str(inbox)])
    # 4. damage
    case("pdf-cut-20pct", "seed PDF with 20 % of its bytes cut from the middle",
         ["ingest", str(H.cut_pdf(f / "cut-20.pdf"))])
    # 7. messages
    (f / "a.txt").write_text("Năm 2021 huyện có 12 xã.", encoding="utf-8")
    case("missing-path", "a.txt and a path that does not exist",
         ["ingest", str(f / "a.txt"), str(f / "missing.pdf")])
    (work / "not-a-db.db").write_bytes(b"not a database" * 100)
    case("sqlite-not-a-db", "--db pointing at a file that is not SQLite", ["ingest", str(f / "a.txt")],
         url=f"sqlite:///{work / 'not-a-db.db'}")
    case("query-journal-mode", "query 'pragma journal_mode=delete'",
         ["query", "pragma journal_mode=delete", "--db", db])
    case("query-vacuum-into", "query \"vacuum into 'copy.db'\"", ["query", "vacuum into 'copy.db'", "--db", db])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        case("serve-busy-port", "serve on a port already in use",
             ["serve", "--db", db, "--port", str(s.getsockname()[1])])
    # 5. race
    if not a.only or "race" in a.only:
        race = work / "race"
        race.mkdir()
        shutil.copy(SEED_MD, race / "seed.md")
        (race / "a.txt").write_text("Năm 2021 huyện có 12 xã đạt chuẩn.", encoding="utf-8")
        url = f"sqlite:///{work / 'race.db'}"
        homes = []
        for k in range(2):
            h = work / f"home{k}"
            shutil.copytree(ROOT / ".prefect", h)
            homes.append(h)
        t0 = time.perf_counter()
        procs = [subprocess.Popen([*SOLIEU, "ingest", str(race), "--db", url], cwd=work, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PREFECT_HOME": str(h)}) for h in homes]
        for k, p in enumerate(procs):
            assert p.stdout is not None
            out = p.stdout.read()
            _, status, ru = os.wait4(p.pid, 0)
            code = os.waitstatus_to_exitcode(status)
            rows.append((f"race-sqlite-{k}", "two ingests of one folder racing on a new SQLite file", code,
                         time.perf_counter() - t0, ru.ru_maxrss / 1024, said(out)))
            print(rows[-1], flush=True)
    table = ["| case | input | exit | time s | peak MB | what the user sees |", "|---|---|---|---|---|---|"]
    for name, desc, code, secs, mb, msg in rows:
        table.append(f"| {name} | {desc} | {code} | {secs:.1f} | {mb:.0f} | {msg.replace('|', '/')} |")
    text = "\n".join(table)
    print(text)
    if a.out:
        a.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
