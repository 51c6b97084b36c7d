"""Per-document safety limits: check sizes, pages, pixels and time before allocating, and say which knob to turn."""

from __future__ import annotations

import math
import subprocess
import threading
import time
import zipfile
from collections.abc import Sequence
from typing import Any

from core.config import LIMITS, limit
from core.errors import LimitExceeded

MB = 1 << 20
PT_PER_M = 72 / 0.0254


def over(name: str, what: str) -> LimitExceeded:
    """Return the error for a document over limit `name`: which limit, by how much, how to raise it."""
    lim = LIMITS[name]
    return LimitExceeded(f"{what}: over the limit on {lim.what} ({_num(lim.value())} {lim.unit}); "
                         f"{lim.advice()}, or remove the file from the batch")


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.3g}"


# --------------------------------------------------------------------------- zip packages (.docx)


def check_zip(name: str, data: bytes) -> None:
    """Refuse a zip package whose members inflate past the limits, reading at most the limit of each member.

    The central directory's sizes are checked first (cheap), then every member is inflated in chunks and counted,
    because a crafted directory can lie about sizes; nothing is kept in memory.
    """
    import io

    member_max = limit("zip_member_mb") * MB
    total_max = limit("zip_total_mb") * MB
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return          # the reader reports a damaged package in its own words
    with zf:
        infos = zf.infolist()
        declared = sum(i.file_size for i in infos)
        for i in infos:
            if i.file_size > member_max:
                raise over("zip_member_mb", f"{name}: its part {i.filename} inflates to {i.file_size / MB:,.0f} MB")
        if declared > total_max:
            raise over("zip_total_mb", f"{name}: its parts inflate to {declared / MB:,.0f} MB")
        total = 0
        for i in infos:
            seen = 0
            try:
                with zf.open(i) as fh:
                    while chunk := fh.read(1 << 20):
                        seen += len(chunk)
                        total += len(chunk)
                        if seen > member_max:
                            raise over("zip_member_mb", f"{name}: its part {i.filename} inflates to more than "
                                       f"{member_max / MB:,.0f} MB (its directory said {i.file_size:,} bytes)")
                        if total > total_max:
                            raise over("zip_total_mb", f"{name}: its parts inflate to more than "
                                       f"{total_max / MB:,.0f} MB")
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                continue   # a damaged or encrypted member: the reader decides what to say about it
            except Exception as e:  # zlib.error and friends on a corrupt stream
                if isinstance(e, LimitExceeded):
                    raise
                continue


# --------------------------------------------------------------------------- PDF pages


def check_page_count(name: str, n: int) -> None:
    """Refuse a PDF with more pages than the limit."""
    if n > limit("pages"):
        raise over("pages", f"{name}: {n:,} pages")


def check_page_size(name: str, number: int, width_pt: float, height_pt: float) -> None:
    """Refuse a PDF page larger than the area limit (a 200-inch page is 26 m²)."""
    area = max(width_pt, 0.0) * max(height_pt, 0.0) / PT_PER_M ** 2
    if area > limit("page_area_m2"):
        raise over("page_area_m2", f"{name}: page {number} is {width_pt / 72:.0f} × {height_pt / 72:.0f} inches "
                   f"({area:.1f} m²)")


def render_scale(width_pt: float, height_pt: float, dpi: float) -> float:
    """Return the render scale (pixels per point) for dpi, lowered so the image stays under the pixel limit."""
    scale = dpi / 72
    pixels = width_pt * scale * height_pt * scale
    cap = limit("render_mpx") * 1e6
    if pixels > cap > 0:
        scale *= math.sqrt(cap / pixels) * 0.999     # pdfium rounds the bitmap size up
    return scale


def page_is_empty(pdf_page: Any) -> bool:
    """Say whether a pypdfium2 page draws nothing on its page box: no objects, or none inside it (no rendering).

    Call under PDFIUM_LOCK. Annotations are not page objects: a page with annotations is not called empty.
    """
    import pypdfium2.raw as c

    raw = pdf_page.raw
    if c.FPDFPage_GetAnnotCount(raw) > 0:
        return False
    n = c.FPDFPage_CountObjects(raw)
    if n <= 0:
        return True
    w, h = pdf_page.get_size()
    for obj in pdf_page.get_objects(max_depth=1):
        try:
            x0, y0, x1, y1 = obj.get_bounds()
        except Exception:
            return False
        if x1 > 0 and y1 > 0 and x0 < w and y0 < h and (x1 - x0) * (y1 - y0) > 0:
            return False
    return True


def check_images(name: str, number: int, pdf_page: Any) -> None:
    """Refuse to render a page holding an image larger than the image-pixel limit (call under PDFIUM_LOCK)."""
    import ctypes

    import pypdfium2.raw as c

    cap = limit("image_mpx") * 1e6
    for obj in pdf_page.get_objects(filter=[c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        w, h = ctypes.c_uint(), ctypes.c_uint()
        if c.FPDFImageObj_GetImagePixelSize(obj.raw, ctypes.byref(w), ctypes.byref(h)) and w.value * h.value > cap:
            raise over("image_mpx", f"{name}: page {number} holds a {w.value:,} × {h.value:,} pixel image "
                       f"({w.value * h.value / 1e6:,.0f} Mpx)")


# --------------------------------------------------------------------------- time


_started: dict[str, float] = {}
_started_lock = threading.Lock()


def start_clock(key: str) -> None:
    """Start (or restart) the per-document clock of key (the document's path)."""
    with _started_lock:
        _started[key] = time.monotonic()


def check_clock(key: str, where: str) -> None:
    """Raise LimitExceeded when the document's time limit has run out (checked between pages)."""
    with _started_lock:
        t0 = _started.get(key)
    if t0 is None:
        return
    spent = time.monotonic() - t0
    if spent > limit("doc_seconds"):
        raise over("doc_seconds", f"{key}: stopped after {spent:.0f} s {where}")


def stop_clock(key: str) -> None:
    """Forget the clock of a finished document."""
    with _started_lock:
        _started.pop(key, None)


def run_bounded(cmd: Sequence[str], *, limit_name: str, what: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """Run a subprocess, killing it when it exceeds the named time limit (then raise LimitExceeded)."""
    seconds = limit(limit_name)
    try:
        return subprocess.run(list(cmd), timeout=seconds, check=False, **kwargs)
    except subprocess.TimeoutExpired as e:   # subprocess.run has killed and reaped the child
        raise over(limit_name, f"{what}: {cmd[0].rsplit('/', 1)[-1]} ran for more than {seconds:.0f} s "
                   "and was stopped") from e
