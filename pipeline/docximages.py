"""Find the page images of a Word file whose pages are pasted scans (no text), in document order."""

from __future__ import annotations

import io
from typing import Any

from core.config import limit
from pipeline import limits
from pipeline.model import PageImage

A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
EMU_PER_PT = 12700

# A pasted scan is a page or a strip of one (the 662-BC strips are 1,180 × 380+ px); a logo, a stamp or a
# signature is smaller. Only images this large count as pages.
MIN_PAGE_IMAGE_SIDE = 300
MIN_PAGE_IMAGE_PX = 250_000
# Body text below this many visible characters per page image is a caption or page number, not the report.
MAX_TEXT_PER_IMAGE = 100
# Formats Pillow decodes; Word also embeds EMF/WMF drawings, which are vector art, not scans.
RASTER = frozenset({"JPEG", "PNG", "GIF", "BMP", "TIFF", "MPO"})


def _references(body: Any) -> list[tuple[str, Any]]:
    """Return (relationship id, element) of every image the body shows, in document order."""
    out: list[tuple[str, Any]] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag == MC_FALLBACK:   # a Fallback repeats its Choice's picture
                continue
            if tag == A_BLIP and child.get(f"{R}embed"):
                out.append((child.get(f"{R}embed"), child))
            elif tag == V_IMAGEDATA and child.get(f"{R}id"):
                out.append((child.get(f"{R}id"), child))
            walk(child)

    walk(body)
    return out


def picture_count(body: Any) -> int:
    """Return how many pictures the body shows (any size), without decoding them."""
    return len(_references(body))


def _extent_pt(el: Any) -> tuple[float, float] | None:
    """Return the size (points) a picture is shown at in the document, from its wp:inline/wp:anchor extent."""
    node = el
    while node is not None:
        if node.tag in (f"{WP}inline", f"{WP}anchor"):
            ext = node.find(f"{WP}extent")
            if ext is not None and ext.get("cx") and ext.get("cy"):
                return int(ext.get("cx")) / EMU_PER_PT, int(ext.get("cy")) / EMU_PER_PT
            return None
        node = node.getparent()
    return None


def page_images(document: Any, name: str) -> list[PageImage]:
    """Return the scan-sized raster images shown in a python-docx Document's body, in order (pixels checked)."""
    from PIL import Image

    cap = limit("image_mpx") * 1e6
    part = document.part
    out: list[PageImage] = []
    for rid, el in _references(document.element.body):
        target = part.related_parts.get(rid)
        blob = getattr(target, "blob", None)
        if not blob:
            continue
        try:
            with Image.open(io.BytesIO(blob)) as img:   # reads the header only: size before any pixels
                fmt, (w, h) = img.format, img.size
        except Image.DecompressionBombError as e:    # Pillow's own cap (~179 Mpx), met before ours can look
            raise limits.over("image_mpx", f"{name}: picture {len(out) + 1} is too large ({e})") from e
        except Exception:   # Pillow raises many kinds for a picture it cannot read (EMF, damaged)
            continue
        if fmt not in RASTER or min(w, h) < MIN_PAGE_IMAGE_SIDE or w * h < MIN_PAGE_IMAGE_PX:
            continue
        if w * h > cap:
            raise limits.over("image_mpx", f"{name}: picture {len(out) + 1} is {w:,} × {h:,} pixels "
                              f"({w * h / 1e6:,.0f} Mpx)")
        ext = _extent_pt(el)
        out.append(PageImage(data=blob, width_px=w, height_px=h,
                             width_pt=ext[0] if ext else None, height_pt=ext[1] if ext else None))
    return out


def is_image_only(visible_chars: int, images: list[PageImage]) -> bool:
    """Say whether a Word body is its page images: images present and (almost) no text beside them."""
    return bool(images) and visible_chars < MAX_TEXT_PER_IMAGE * len(images)
