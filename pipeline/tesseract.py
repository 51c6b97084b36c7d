"""Tesseract and the page images it reads: invocation, clean-up (deskew), turns and rotations, number repair.

The primitives shared by the OCR stage (pipeline/ocr.py) and the reading of scanned tables
(pipeline/tables/): both import from here, so neither imports the other's module.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import regex
from PIL import Image

from core.errors import OCRUnavailable, UnreadableDocument
from pipeline import limits

LANG = "vie"
# Chosen by measurement (bench/bench_ocr.py settings): on the noisy seed scan 200 dpi + deskew gave word
# accuracy 0.991 against 0.974 at 300 dpi and 0.938 at 400, at ~0.7x the time of 300 dpi; on the public scans
# (150-400 dpi originals) 200 dpi had equal or higher mean word confidence. The vie "fast" model likes it.
DPI = 200
PSM = 3
DESKEW_MAX = 3.0            # degrees searched either way
DESKEW_STEP = 0.1
DESKEW_MIN = 0.15           # below this the page is left alone (rotating blurs it for nothing)
CLEANUP = "gray+deskew-pp1-bilinear"  # cache-key name of the clean-up recipe; change it when the recipe changes
LINE_EM = 1.0               # Tesseract line-box height per em of font size (13 pt seed body -> ~13 pt lines)
INSTALL_HINT = "install tesseract-ocr tesseract-ocr-vie (apt)"

_calls = 0
_calls_lock = threading.Lock()


def tesseract_invocations() -> int:
    """Return how many times this process ran the tesseract CLI on a page (for cache tests)."""
    return _calls


@cache
def tesseract_version() -> str:
    """Return the Tesseract version, raising OCRUnavailable when it or its Vietnamese data is missing."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise OCRUnavailable(f"Tesseract is not installed: {INSTALL_HINT}")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).splitlines()
    version = first[0].split()[-1] if first else "unknown"
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False)
    if LANG not in (langs.stdout + langs.stderr).split():
        raise OCRUnavailable(f"Tesseract has no Vietnamese data ('{LANG}'): {INSTALL_HINT}")
    return version


# --------------------------------------------------------------------------- images


def deskew_angle(img: Image.Image) -> float:
    """Return the rotation (degrees, PIL convention) that makes text lines horizontal: projection profile."""
    small = img.convert("L")
    scale = 800 / max(small.size)
    if scale < 1:
        small = small.resize((max(1, int(small.width * scale)), max(1, int(small.height * scale))),
                             Image.Resampling.BILINEAR)
    arr = np.asarray(small, dtype=np.uint8)
    ink = Image.fromarray(np.where(arr < 160, 255, 0).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())   # sharp line/gap transitions when lines are level

    # coarse search every 0.5°, then refine every 0.1° around the best coarse angle
    coarse = [k * 0.5 for k in range(-int(DESKEW_MAX * 2), int(DESKEW_MAX * 2) + 1)]
    best = max(coarse, key=sharpness)
    fine = [best + k * DESKEW_STEP for k in range(-4, 5)]
    angle: float = max(fine, key=sharpness)
    return round(angle, 2)


# Colour marks on a scan (a red seal pressed over a table, blue handwritten numbers, a highlighter): their ink is
# saturated, a print's black and a paper's yellow are not. In grey they read as rules, cell text and noise: a red
# seal over 113-BC-STC's price annex (a damaged 300 dpi colour copy) took its cell recall from 0.87 to 0.45.
COLOUR_SATURATION = 70      # max - min channel (0-255) from which a pixel is coloured ink; yellowed paper is ~30-40
COLOUR_RAMP = 40            # saturation over COLOUR_SATURATION in which a pixel goes from its grey to faded
COLOUR_MIN_SHARE = 0.0005   # coloured pixels a page needs before the colour is dropped (dust and fringes are fewer)


def _saturation(rgb: Image.Image) -> Image.Image:
    """Return each pixel's brightest channel less its darkest (0 for grey) as an L image; PIL's C loops, not numpy."""
    from PIL import ImageChops

    r, g, b = rgb.split()
    return ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(r, g), b),
                               ImageChops.darker(ImageChops.darker(r, g), b))


def has_colour_marks(img: Image.Image) -> bool:
    """Say whether a colour page image holds enough saturated ink (a seal, a pen) to be dropped before reading."""
    if img.mode not in ("RGB", "RGBA", "P", "CMYK", "YCbCr"):
        return False
    small = img.convert("RGB").reduce(2)         # a seal's ring is tens of pixels wide: half the pixels see it
    hist = _saturation(small).histogram()
    return sum(hist[COLOUR_SATURATION + 1:]) > COLOUR_MIN_SHARE * small.width * small.height


def drop_colour(img: Image.Image) -> Image.Image:
    """Return a page image in grey with its saturated colour ink faded towards white; grey images as they are.

    A coloured pixel takes the grey of its brightest channel, halfway to white: a red or blue mark then lies above
    every ink threshold, while black print under it (not saturated) keeps its grey.
    """
    if not has_colour_marks(img):
        return img.convert("L")
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    hi, lo = arr.max(axis=2), arr.min(axis=2)
    lum = arr @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    faded = 255 - (255 - hi) / 2
    low = COLOUR_SATURATION - 20      # JPEG colour noise round black print (30-50) is left alone
    weight = np.clip((hi - lo - low) / COLOUR_RAMP, 0, 1)
    return Image.fromarray((lum + (faded - lum) * weight).clip(0, 255).astype(np.uint8))


def render_gray(pdf: Any, index: int, dpi: int, check: Callable[[Any, int], None] | None = None
                ) -> tuple[Image.Image, tuple[float, float]]:
    """Render page `index` (0-based) in grey for reading, colour marks dropped; return it and its size (pt).

    Takes PDFIUM_LOCK for the pdfium calls only: the colour check and drop (numpy, PIL) run outside it, so other
    threads' reads and renders are not held up by them. A page without colour ink is pdfium's own grey render,
    as before (the OCR cache keys stay the same). `check(page, number)` runs on the loaded page first (limits).
    """
    from pipeline.pdfium import PDFIUM_LOCK

    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            w, h = page.get_size()
            if check is not None:
                check(page, index + 1)          # before pdfium decodes a 400-megapixel image
            scale = limits.render_scale(w, h, dpi)
            bitmap = page.render(scale=scale)
            try:
                colour = bitmap.to_pil().copy()
            finally:
                bitmap.close()
        except BaseException:
            page.close()
            raise
    try:
        marks = has_colour_marks(colour)
    except BaseException:
        with PDFIUM_LOCK:
            page.close()
        raise
    with PDFIUM_LOCK:
        try:
            if not marks:
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    gray = bitmap.to_pil().copy().convert("L")
                finally:
                    bitmap.close()
        finally:
            page.close()
    return (drop_colour(colour) if marks else gray), (w, h)


def clean_page(img: Image.Image) -> tuple[Image.Image, float]:
    """Grayscale and deskew a rendered page; return the image and the rotation applied."""
    # No binarization: Tesseract's own Otsu did as well or better than ours on the seed scan at 200 dpi
    # (bench_ocr.py settings); bilinear rotation is 3x faster than bicubic and read the same or better.
    gray = img.convert("L")
    angle = deskew_angle(gray)
    if abs(angle) < DESKEW_MIN:
        return gray, 0.0
    return gray.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255), angle


def turn_image(img: Image.Image, turn: int) -> Image.Image:
    """Turn an image by a quarter-turn multiple (degrees counter-clockwise, PIL convention), size swapped."""
    return img.rotate(turn, expand=True) if turn % 360 else img


def turn_point(x: float, y: float, turn: int, size: tuple[int, int]) -> tuple[float, float]:
    """Map a point of an image of `size` to the image turn_image(…, turn) makes of it."""
    w, h = size
    t = turn % 360
    if t == 90:
        return y, w - x
    if t == 270:
        return h - y, x
    if t == 180:
        return w - x, h - y
    return x, y


def unturn_point(x: float, y: float, turn: int, turned_size: tuple[int, int]) -> tuple[float, float]:
    """Map a point of a turned image (of turned_size) back to the image before the turn."""
    tw, th = turned_size
    t = turn % 360
    if t == 90:
        return th - y, x
    if t == 270:
        return y, tw - x
    if t == 180:
        return tw - x, th - y
    return x, y


def unrotate(x: float, y: float, angle: float, size: tuple[int, int]) -> tuple[float, float]:
    """Map a point of an image rotated by `angle` (PIL's rotate) back onto the unrotated image."""
    # PIL's rotate maps each output pixel to the input through this affine transform (Image.rotate)
    a = -math.radians(angle)
    cx, cy = size[0] / 2, size[1] / 2
    dx, dy = x - cx, y - cy
    return math.cos(a) * dx + math.sin(a) * dy + cx, -math.sin(a) * dx + math.cos(a) * dy + cy


_TESSERACT_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def run_tesseract(img: Image.Image, *, lang: str = LANG, psm: int = PSM, dpi: int = DPI,
                  config: dict[str, str] | None = None) -> str:
    """Run the tesseract CLI on one image (one thread) and return its TSV output (config: -c variables)."""
    global _calls
    exe = shutil.which("tesseract")
    if exe is None:
        raise OCRUnavailable(f"Tesseract is not installed: {INSTALL_HINT}")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    # One process-wide limit: documents OCR'd at once (the flow's threads) share the cores.
    with _TESSERACT_SLOTS, tempfile.TemporaryDirectory(prefix="solieu-ocr-") as tmp:
        path = Path(tmp) / "page.pgm"
        img.save(path)                         # PGM: no compression cost, read directly by Leptonica
        variables = [arg for k, v in (config or {}).items() for arg in ("-c", f"{k}={v}")]
        proc = limits.run_bounded([exe, str(path), "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
                                   *variables, "tsv"], limit_name="ocr_seconds", what="OCR of a page image",
                                  capture_output=True, env=env)
    with _calls_lock:
        _calls += 1
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnreadableDocument(
            f"Tesseract could not read a page image ({msg[-1] if msg else proc.returncode}); "
            "check the file, or ingest it with --ocr never to keep its text layer"
        )
    return proc.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------- number repair (OCR text only)

_CONFUSABLE = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "§": "8"}
_WELL_FORMED = regex.compile(
    r"""^(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?   # 380.000.000 or 1.234,5
        |\d+(?:,\d+)?                       # 31,2 or 2021
        |\d{1,3}(?:,\d{3}){2,}              # 125,500,000: Tesseract turned dots into commas
        )$""",
    regex.VERBOSE,
)
_REPEATED_COMMA_GROUPS = regex.compile(r"^\d{1,3}(?:,\d{3}){2,}$")


def repair_number(token: str) -> str | None:
    """Return the repaired form of a numeric-looking OCR token, or None when not clearly a number/unchanged."""
    digits = sum(c.isdigit() for c in token)
    confusables = sum(c in _CONFUSABLE for c in token)
    if digits < 1 or len(token) < 2:
        return None
    # more confusables than digits is only trusted inside a grouped number ("1O.5OO")
    if confusables > digits and not (digits >= 2 and regex.search(r"[.,]", token)):
        return None
    fixed = "".join(_CONFUSABLE.get(c, c) for c in token)
    if not _WELL_FORMED.match(fixed):
        return None
    if _REPEATED_COMMA_GROUPS.match(fixed):
        # two decimal commas cannot be: the commas are thousands dots misread
        fixed = fixed.replace(",", ".")
    return fixed if fixed != token else None
