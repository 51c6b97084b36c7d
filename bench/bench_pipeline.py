"""Pipeline benchmark: per stage and end to end, pages/s and peak RSS, beside same-run baselines.

Usage (from the repo root): .venv/bin/python bench/bench_pipeline.py [--pages 275] [--docs 1000] [--scan-pages 4]
    [--skip e2e,batch,ocr] [--out bench/results/pipeline.json]

Each measurement runs in a fresh child process (so its peak RSS is its own):
- stages:    the sequencer's stages (LocalExecutor) on the seed PDF and on a 275-page PDF made of it repeated;
             marginal pages/s = extra pages / extra seconds between the two;
- pdftotext: the same two PDFs (baseline for reading);
- regex:     a regex-only pass for numbers over the same normalized text (baseline for extraction);
- e2e:       `solieu ingest` (the real CLI, Prefect flow, warm server, SQLite) of each PDF, and of a one-paragraph
             .txt into a new database (start-up: in-process after `import solieu.cli`, and as a whole command
             from interpreter start to exit);
- batch:     `solieu ingest` of 10 and of N synthetic one-page .txt documents: peak RSS;
- ocr:       the OCR stage (2 workers, no cache) against bare `tesseract` on the same page images, 2 at a time.
The machine has 2 cores shared with other work: compare ratios within one run, not seconds across runs; the
last column gives CPU seconds and marginal pages per CPU second, which other work stretches far less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED_PDF = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"
SEED_MD = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.md"
SCAN = ROOT / "corpus" / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"
PARAGRAPH = "Toàn huyện có 12 nhà tạm được xóa, huy động 380.000.000 đồng xây dựng 3 mô hình.\n"


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_pdf(pages: int, out: Path) -> Path:
    """Write a PDF of `pages` pages made of the seed PDF repeated."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(SEED_PDF))
    dst = pdfium.PdfDocument.new()
    while len(dst) < pages:
        take = min(len(src), pages - len(dst))
        dst.import_pages(src, list(range(take)), len(dst))
    dst.save(str(out))
    return out


# --------------------------------------------------------------------------- child scenarios


def child_stages(path: str) -> dict[str, Any]:
    """Time each sequencer stage on one file (no database)."""
    from pipeline.sequence import PROCESS_STAGES, LocalExecutor, Options, Stage, Work, run_stages

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}

    class Timed(LocalExecutor):
        def run_stage(self, stage: Stage, work: Work, options: Options) -> None:
            t0, c0 = time.perf_counter(), time.process_time()
            super().run_stage(stage, work, options)
            times[stage.name] = times.get(stage.name, 0.0) + time.perf_counter() - t0
            cpu[stage.name] = cpu.get(stage.name, 0.0) + time.process_time() - c0

    work = Work(path)
    t0, c0, m0 = time.perf_counter(), time.process_time(), time.thread_time()
    run_stages(work, Options(ocr="auto"), Timed(), stages=PROCESS_STAGES)
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert work.extracted is not None
    # the stages run in this thread; what helper threads (read-ahead, regex scans) do is in cpu_seconds only
    return {"pages": len(work.extracted.document.pages), "seconds": total, "stages": times, "cpu_seconds": total_cpu,
            "main_thread_cpu_seconds": time.thread_time() - m0, "stages_cpu": cpu,
            "figures": len(work.extracted.figures), "rss_mb": peak_rss_mb()}


def child_pdftotext(path: str) -> dict[str, Any]:
    """Time pdftotext on one PDF."""
    t0 = time.perf_counter()
    subprocess.run(["pdftotext", "-layout", path, "-"], check=True, capture_output=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024}


def child_regex(path: str) -> dict[str, Any]:
    """Time a regex-only pass for numbers with their next word over the normalized text of one file."""
    import regex

    from pipeline.normalize import normalize
    from pipeline.read import read_document

    text = normalize(read_document(path)).text
    pattern = regex.compile(r"\d[\d.,]*(?:\s+\p{L}+)?")
    t0 = time.perf_counter()
    n = sum(1 for _ in pattern.finditer(text))
    return {"seconds": time.perf_counter() - t0, "matches": n, "chars": len(text), "rss_mb": peak_rss_mb()}


def child_cli(args: list[str]) -> dict[str, Any]:
    """Run `solieu ingest …` in this process; return its wall time and peak RSS (the warm server apart)."""
    from solieu.cli import main

    t0, c0 = time.perf_counter(), time.process_time()
    try:
        main(["ingest", *args, "--no-summary"], standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    # CPU of this process (the Prefect server is another: not counted)
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "rss_mb": peak_rss_mb()}


def whole_command(path: str, url: str, env: dict[str, str]) -> float:
    """Return the wall time of a whole `solieu ingest` command: interpreter start, imports, run, exit."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "solieu.cli", "ingest", path, "--db", url, "--no-summary"], cwd=ROOT,
                   env={**os.environ, **env}, check=True, capture_output=True)
    return time.perf_counter() - t0


def child_ocr(path: str, pages: int) -> dict[str, Any]:
    """Time the OCR stage (2 workers, no cache) and bare tesseract on the same rendered page images."""
    import pypdfium2 as pdfium

    from pipeline.ocr import DPI, recover_text, render_page
    from pipeline.read import read_document

    raw = read_document(path)
    raw.pages = raw.pages[:pages]
    t0 = time.perf_counter()
    recover_text(raw, "always", workers=2, use_cache=False)
    ours = time.perf_counter() - t0
    tmp = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    pdf = pdfium.PdfDocument(path)
    images = []
    for n in range(1, pages + 1):
        img, _ = render_page(pdf, n, DPI)
        images.append(tmp / f"p{n}.png")
        img.save(images[-1])
    pdf.close()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def bare(image: Path) -> None:
        subprocess.run(["tesseract", str(image), "stdout", "-l", "vie", "--dpi", str(DPI), "tsv"],
                       check=True, capture_output=True, env=env)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(bare, images))
    tess = time.perf_counter() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    return {"pages": pages, "ours_s_per_page": ours / pages, "tesseract_s_per_page": tess / pages,
            "ratio": ours / tess, "rss_mb": peak_rss_mb()}


CHILDREN = {"stages": child_stages, "pdftotext": child_pdftotext, "regex": child_regex}


# --------------------------------------------------------------------------- parent


def run_child(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one scenario in a fresh Python process and return its JSON result."""
    proc = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmark and write its JSON and table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=275)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--scan-pages", type=int, default=4)
    ap.add_argument("--skip", default="", help="comma-separated: stages,baselines,e2e,e2e-pdf,batch,ocr "
                                               "(e2e-pdf: the start-up rows of e2e only)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pipeline.json")
    ap.add_argument("--child", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    if args.child:
        name, rest = args.child[0], args.child[1:]
        if name == "cli":
            out = child_cli(rest)
        elif name == "ocr":
            out = child_ocr(rest[0], int(rest[1]))
        else:
            out = CHILDREN[name](rest[0])
        print(json.dumps(out))
        return
    skip = set(filter(None, args.skip.split(",")))
    work = Path(tempfile.mkdtemp(prefix="solieu-bench-"))
    big = build_pdf(args.pages, work / f"seed-x{args.pages}.pdf")
    small = work / SEED_PDF.name
    shutil.copy(SEED_PDF, small)
    env = {"PREFECT_HOME": str(work / ".prefect"), "SOLIEU_CACHE_DIR": str(work / "cache"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    res: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load": os.getloadavg()}, "pages": args.pages}
    rows: list[tuple[str, str, str, str, str]] = []

    def marginal(key: str, t_small: float, t_big: float, p_small: int, p_big: int) -> float:
        rate = (p_big - p_small) / max(t_big - t_small, 1e-9)
        res.setdefault("marginal_pages_per_s", {})[key] = rate
        return rate

    def cpu_marginal(key: str, small: dict[str, Any], big: dict[str, Any], p_small: int, p_big: int) -> str:
        """Return the marginal pages per CPU second (a busy machine stretches wall time, far less CPU time)."""
        if "cpu_seconds" not in small:
            return ""
        rate = (p_big - p_small) / max(big["cpu_seconds"] - small["cpu_seconds"], 1e-9)
        res.setdefault("marginal_pages_per_cpu_s", {})[key] = rate
        return f"{big['cpu_seconds']:.2f} cpu-s {rate:.0f} p/cpu-s"

    try:
        if "stages" not in skip:
            s_small = run_child("stages", str(small))
            s_big = run_child("stages", str(big))
            res["stages"] = {"small": s_small, "big": s_big}
            for stage, t in s_big["stages"].items():
                extra = t - s_small["stages"].get(stage, 0.0)
                rate = (s_big["pages"] - s_small["pages"]) / max(extra, 1e-9)
                c_big, c_small = s_big["stages_cpu"][stage], s_small["stages_cpu"].get(stage, 0.0)
                c_rate = (s_big["pages"] - s_small["pages"]) / max(c_big - c_small, 1e-9)
                rows.append((f"stage {stage}", f"{t:.2f} s", f"{rate:.0f} p/s marginal", "",
                             f"{c_big:.2f} cpu-s {c_rate:.0f} p/cpu-s"))
            rate = marginal("stages", s_small["seconds"], s_big["seconds"], s_small["pages"], s_big["pages"])
            rows.append(("all stages but load", f"{s_big['seconds']:.2f} s", f"{rate:.0f} p/s marginal",
                         f"{s_big['rss_mb']:.0f} MB",
                         cpu_marginal("stages", s_small, s_big, s_small["pages"], s_big["pages"])))
            main_rate = (s_big["pages"] - s_small["pages"]) / max(
                s_big["main_thread_cpu_seconds"] - s_small["main_thread_cpu_seconds"], 1e-9)
            res.setdefault("marginal_pages_per_cpu_s", {})["stages_main_thread"] = main_rate
            rows.append(("  of which the stages' own thread", "", "", "",
                         f"{s_big['main_thread_cpu_seconds']:.2f} cpu-s {main_rate:.0f} p/cpu-s"))
        if "baselines" not in skip:
            p_small, p_big = run_child("pdftotext", str(small)), run_child("pdftotext", str(big))
            res["pdftotext"] = {"small": p_small, "big": p_big}
            rate = marginal("pdftotext", p_small["seconds"], p_big["seconds"], 10, args.pages)
            rows.append(("baseline pdftotext", f"{p_big['seconds']:.2f} s", f"{rate:.0f} p/s marginal",
                         f"{p_big['rss_mb']:.0f} MB", cpu_marginal("pdftotext", p_small, p_big, 10, args.pages)))
            rx = run_child("regex", str(big))
            res["regex"] = rx
            rows.append(("baseline regex-only pass", f"{rx['seconds']:.3f} s",
                         f"{args.pages / max(rx['seconds'], 1e-9):.0f} p/s", f"{rx['matches']} matches", ""))
        if "e2e" not in skip:
            one = work / "one.txt"
            one.write_text(PARAGRAPH, encoding="utf-8")
            first = run_child("cli", str(one), "--db", f"sqlite:///{work / 'start0.db'}", env=env)
            again = run_child("cli", str(one), "--db", f"sqlite:///{work / 'start1.db'}", env=env)
            whole = [whole_command(str(one), f"sqlite:///{work / f'start-cmd{i}.db'}", env) for i in range(3)]
            res["startup"] = {"first_command": first, "warm": again, "warm_whole_command_s": whole}
            rows.append(("ingest one .txt, new db, server cold", f"{first['seconds']:.2f} s", "", "", ""))
            rows.append(("ingest one .txt, new db, server warm", f"{again['seconds']:.2f} s", "", "", ""))
            rows.append(("  same, whole `solieu ingest` command", f"{sorted(whole)[1]:.2f} s",
                         f"median of 3 (min {min(whole):.2f})", "", ""))
        if "e2e" not in skip and "e2e-pdf" not in skip:
            e_small = run_child("cli", str(small), "--db", f"sqlite:///{work / 'e2e-small.db'}", env=env)
            e_big = run_child("cli", str(big), "--db", f"sqlite:///{work / 'e2e-big.db'}", env=env)
            res["e2e"] = {"small": e_small, "big": e_big}
            rate = marginal("e2e", e_small["seconds"], e_big["seconds"], 10, args.pages)
            rows.append(("end to end (CLI, Prefect, SQLite)", f"{e_big['seconds']:.2f} s",
                         f"{rate:.0f} p/s marginal", f"{e_big['rss_mb']:.0f} MB",
                         cpu_marginal("e2e", e_small, e_big, 10, args.pages)))
        if "batch" not in skip:
            batch: dict[str, Any] = {}
            for n in (10, args.docs):
                folder = work / f"batch{n}"
                folder.mkdir()
                for i in range(n):   # distinct bytes: otherwise they are one document and its duplicates
                    (folder / f"d{i:05d}.txt").write_text(f"Báo cáo số {i}.\n{PARAGRAPH}", encoding="utf-8")
                batch[str(n)] = run_child("cli", str(folder), "--db", f"sqlite:///{work / f'batch{n}.db'}", env=env)
                rows.append((f"batch of {n} .txt documents", f"{batch[str(n)]['seconds']:.1f} s",
                             f"{n / batch[str(n)]['seconds']:.1f} docs/s", f"{batch[str(n)]['rss_mb']:.0f} MB", ""))
            batch["rss_ratio"] = batch[str(args.docs)]["rss_mb"] / batch["10"]["rss_mb"]
            res["batch"] = batch
            rows.append((f"peak RSS {args.docs} docs / 10 docs", f"{batch['rss_ratio']:.2f}", "", "", ""))
        if "ocr" not in skip:
            o = run_child("ocr", str(SCAN), str(args.scan_pages))
            res["ocr"] = o
            rows.append(("OCR stage, 2 workers", f"{o['ours_s_per_page']:.2f} s/page", f"x{o['ratio']:.2f} of bare",
                         f"{o['rss_mb']:.0f} MB", ""))
            rows.append(("baseline bare tesseract, 2 at a time", f"{o['tesseract_s_per_page']:.2f} s/page", "", "", ""))
    finally:
        with __import__("contextlib").suppress(Exception):
            from solieu.prefect_server import stop_warm_server

            stop_warm_server(work / ".prefect")
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
    width = max(len(r[0]) for r in rows) if rows else 10
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:>14}  {r[2]:>20}  {r[3]:>10}  {r[4]}")
    print(f"(load average {res['machine']['load'][0]:.1f} on {res['machine']['cpus']} cores; JSON: {args.out})")


if __name__ == "__main__":
    main()
