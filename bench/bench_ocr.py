"""OCR benchmarks: recover_text vs bare tesseract, settings (dpi/clean-up) vs accuracy, scanned public documents.

Usage (from the repo root, with .venv/bin/python):
  python bench/bench_ocr.py speed [--pages N] [--rounds R]     # time per page, pipeline vs bare CLI, interleaved
  python bench/bench_ocr.py settings [--pages N]               # word accuracy/number recall per dpi and clean-up
  python bench/bench_ocr.py docs                               # pages and OCR s/page per scanned public document
  python bench/bench_ocr.py pictures                           # Word files of pasted scans: dpi vs confidence, s/picture
Keep runs short: the machine has 2 cores shared with others, so compare ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.model import Page, RawDocument  # noqa: E402
from pipeline.ocr import (  # noqa: E402
    OCRSettings,
    clean_page,
    page_from_ocr,
    recover_text,
    run_tesseract,
)

SCAN = ROOT / "corpus" / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"
SEED = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"
PUBLIC_SCANS = [
    "daknong_dakrlap_UBND-huyen_144-BC-UBND_2019_tiep-cong-dan-thang-5.pdf",
    "daknong_krongno_UBND-huyen_237-TB-UBND_2019_ket-qua-chi-tieu-ktxh-2018.pdf",
    "daknong_So-Tai-chinh_113-BC-STC_2019_gia-thi-truong-thang-5.pdf",
    "daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.pdf",
    "daknong_HDND-tinh_05-2019-NQ-HDND_muc-chi-tiep-khach.pdf",
    "daknong_dakrlap_UBND-huyen_41-KL-UBND_2019_ket-luan-thanh-tra-ngan-sach-truong-THCS.pdf",
    "bacgiang_hiephoa_UBND-huyen_150-KH-UBND_2017_de-an-tin-hoc-cntt-truong-hoc.pdf",
]


def raw_pdf(path: Path, pages: set[int] | None = None) -> RawDocument:
    """Read a PDF's text layer with pypdfium2 into a RawDocument (enough for OCR triage)."""
    pdf = pdfium.PdfDocument(str(path))
    out = []
    for i in range(len(pdf)):
        if pages and i + 1 not in pages:
            continue
        p = pdf[i]
        text = p.get_textpage().get_text_range().replace("\r\n", "\n").replace("\r", "\n")
        w, h = p.get_size()
        out.append(Page(i + 1, text, width=w, height=h))
    pdf.close()
    return RawDocument(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), "pdf", out)


def bare_tesseract(img_path: Path, dpi: int) -> float:
    """Time the bare CLI on a rendered page image, same settings the pipeline uses."""
    t = time.perf_counter()
    subprocess.run(["tesseract", str(img_path), "stdout", "-l", "vie", "--psm", "3", "--dpi", str(dpi), "tsv"],
                   capture_output=True, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return time.perf_counter() - t


def speed(n_pages: int, rounds: int) -> None:
    """Interleave pipeline and bare-CLI runs on the same pages, one page at a time (one worker)."""
    settings = OCRSettings()
    pdf = pdfium.PdfDocument(str(SCAN))
    tmp = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    imgs = []
    for i in range(n_pages):
        # the bare CLI gets the page image exactly as the pipeline renders it, deskewed the same way
        img = pdf[i].render(scale=settings.dpi / 72, grayscale=True).to_pil()
        cleaned, _angle = clean_page(img)
        path = tmp / f"p{i + 1}.pgm"
        cleaned.save(path)
        imgs.append(path)
    pdf.close()
    pipe: list[float] = []
    bare: list[float] = []
    for _ in range(rounds):
        for i in range(n_pages):
            bare.append(bare_tesseract(imgs[i], settings.dpi))
            t = time.perf_counter()
            recover_text(raw_pdf(SCAN, {i + 1}), "always", workers=1, use_cache=False)
            pipe.append(time.perf_counter() - t)
    shutil.rmtree(tmp)
    mp, mb = statistics.median(pipe), statistics.median(bare)
    print(f"pages={n_pages} rounds={rounds} dpi={settings.dpi}")
    print(f"recover_text (render+clean-up+tesseract+parse+repair): median {mp:.2f} s/page, mean {statistics.mean(pipe):.2f}")
    print(f"bare tesseract CLI on the cleaned image:                median {mb:.2f} s/page, mean {statistics.mean(bare):.2f}")
    print(f"ratio pipeline/bare (median): {mp / mb:.2f}x  (target <= 1.3x)")


def _words(text: str) -> list[str]:
    return regex.findall(r"[\p{L}\p{M}\d][\p{L}\p{M}\d.,/%]*", text)


def _numbers(text: str) -> list[str]:
    return regex.findall(r"\d[\d.,/]*\d|\d", text)


def score(ocr: str, ref: str) -> tuple[float, float]:
    """Return (word accuracy, number recall) of OCR text against the reference text."""
    ow, rw = _words(ocr), _words(ref)
    sm = difflib.SequenceMatcher(None, rw, ow, autojunk=False)
    acc = sum(b.size for b in sm.get_matching_blocks()) / max(1, len(rw))
    on = _numbers(ocr)
    rn = _numbers(ref)
    left = list(on)
    hit = 0
    for n in rn:
        if n in left:
            left.remove(n)
            hit += 1
    return acc, hit / max(1, len(rn))


def settings_table(n_pages: int) -> None:
    """OCR the first pages of the noisy seed scan at several dpi/clean-up settings; compare to the seed text."""
    seed = pdfium.PdfDocument(str(SEED))
    scan = pdfium.PdfDocument(str(SCAN))
    refs = [seed[i].get_textpage().get_text_range() for i in range(n_pages)]
    configs = [(200, "none"), (200, "deskew"), (200, "deskew+otsu"), (250, "deskew"), (300, "deskew"),
               (300, "deskew+otsu"), (400, "deskew")]
    print("dpi  clean-up      word-acc  number-recall  s/page")
    for dpi, how in configs:
        accs, recs, secs = [], [], []
        for i in range(n_pages):
            t = time.perf_counter()
            img = scan[i].render(scale=dpi / 72, grayscale=True).to_pil()
            angle = 0.0
            if how.startswith("deskew"):
                img, angle = clean_page(img)
            if how.endswith("otsu"):
                img = _otsu(img)
            tsv = run_tesseract(img, dpi=dpi)
            page = page_from_ocr(i + 1, {"tsv": tsv, "angle": angle, "size": list(img.size)},
                                 OCRSettings(dpi=dpi), 595.0, 842.0)
            secs.append(time.perf_counter() - t)
            a, r = score(page.text, refs[i])
            accs.append(a)
            recs.append(r)
        print(f"{dpi:<4} {how:<13} {statistics.mean(accs):.4f}    {statistics.mean(recs):.4f}         "
              f"{statistics.mean(secs):.2f}")


def _otsu(img):  # type: ignore[no-untyped-def]
    import numpy as np
    from PIL import Image

    arr = np.asarray(img.convert("L"))
    hist = np.bincount(arr.ravel(), minlength=256).astype(float)
    total = arr.size
    sum_all = float(np.dot(np.arange(256), hist))
    w0 = s0 = 0.0
    best_t, best_v = 128, -1.0
    for t in range(256):
        w0 += hist[t]
        if w0 == 0 or w0 == total:
            continue
        s0 += t * hist[t]
        m0, m1 = s0 / w0, (sum_all - s0) / (total - w0)
        v = w0 * (total - w0) * (m0 - m1) ** 2
        if v > best_v:
            best_t, best_v = t, v
    return Image.fromarray(np.where(arr > best_t, 255, 0).astype("uint8"))


def docs() -> None:
    """Pages and OCR seconds per page for each scanned public document (all cores, no cache)."""
    import resource

    print("document                                                            pages ocr'd  s/page(wall) "
          "tesseract-cpu-s/page  figures")
    for name in PUBLIC_SCANS:
        path = ROOT / "corpus" / "public" / name
        raw = raw_pdf(path)
        t = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        out = recover_text(raw, "auto", use_cache=False)
        dt = time.perf_counter() - t
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - c0
        n_ocr = sum(1 for p in out.pages if p.source == "ocr")
        figures = _count_figures(out)
        print(f"{name[:66]:<66} {len(out.pages):>5} {n_ocr:>5}  {dt / max(1, n_ocr):>11.2f}  "
              f"{cpu / max(1, n_ocr):>8.2f}  {figures}", flush=True)


PICTURE_DOCX = ["daknong_So-LDTBXH_662-BC-LDTBXH_2019_giai-quyet-khieu-nai-to-cao-thang-4.docx"]


def pictures() -> None:
    """For Word files of pasted scans: mean word confidence per picture, Tesseract runs and s/picture per dpi."""
    import pipeline.ocr as ocr_module
    from pipeline.read import read_document
    from pipeline.tesseract import tesseract_invocations

    for name in PICTURE_DOCX:
        raw = read_document(ROOT / "corpus" / "public" / name)
        print(name)
        for dpi in (200, 300, 400):
            ocr_module.IMAGE_DPI = dpi
            runs, t = tesseract_invocations(), time.perf_counter()
            out = recover_text(raw, "auto", use_cache=False)
            dt = time.perf_counter() - t
            confs = []
            for p in out.pages:
                c = [x for x in p.confidences or [] if x is not None]
                confs.append(f"{sum(c) / max(1, len(c)):.2f}")
            print(f"  {dpi} dpi: {dt / len(out.pages):5.1f} s/picture, {tesseract_invocations() - runs} Tesseract runs, "
                  f"confidence per picture {' '.join(confs)}; {_count_figures(out)}", flush=True)


def _count_figures(raw: RawDocument) -> str:
    """Run the later stages on the recovered document and count figures (prose, table, repaired, low conf)."""
    try:
        from pipeline.extract import extract_stage
        from pipeline.normalize import normalize
        from pipeline.structure import find_structure
    except ImportError as exc:  # the later stages belong to other modules; the OCR numbers stand alone
        return f"n/a ({exc})"
    doc = normalize(raw)
    ex = extract_stage(doc, find_structure(doc), raw)
    flags = [f for fig in ex.figures for f in (getattr(fig, "flags", None) or [])]
    return (f"figures={len(ex.figures)} ocr_low_confidence={flags.count('ocr_low_confidence')} "
            f"ocr_repaired={flags.count('ocr_repaired')}")


def main() -> None:
    """Run the chosen benchmark."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["speed", "settings", "docs", "pictures"])
    ap.add_argument("--pages", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    if args.what == "speed":
        speed(args.pages, args.rounds)
    elif args.what == "settings":
        settings_table(args.pages)
    elif args.what == "pictures":
        pictures()
    else:
        docs()


if __name__ == "__main__":
    main()
