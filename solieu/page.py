"""Draw a figure's page from its source PDF with the figure's box highlighted (CLI `solieu page`, the browser)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from core.errors import SolieuError, UsageError

#: Highlight colour (RGBA): a translucent fill and an opaque outline.
FILL = (255, 200, 0, 90)
OUTLINE = (220, 0, 0, 255)


class PageUnavailable(SolieuError):
    """The figure has no page to draw (plain-text source, missing or changed file)."""


@dataclass
class FigurePlace:
    """Where a figure sits: its source file, its content hash, 1-based page, box in PDF points."""

    figure_id: str
    path: str
    sha256: str
    page: int
    bbox: tuple[float, float, float, float] | None


def locate(engine: Engine, figure_id: str) -> FigurePlace:
    """Return where a figure is, or raise a clear error when it has no page."""
    from pipeline.schema import documents, figures

    with engine.connect() as conn:
        row = conn.execute(
            select(figures.c.document, figures.c.sha256, figures.c.page, figures.c.bbox, documents.c.format)
            .join(documents, documents.c.id == figures.c.document_id).where(figures.c.id == figure_id)
        ).first()
    if row is None:
        raise UsageError(f"no figure '{figure_id}' in the dataset; find ids with `solieu export figures`")
    if row.format != "pdf" or row.page is None:
        raise PageUnavailable(f"figure {figure_id} comes from {row.document}, a .{row.format} file with no pages; "
                              "only figures of PDF sources (text layer or scan) have a page to draw")
    bbox = tuple(float(v) for v in row.bbox) if row.bbox else None
    return FigurePlace(figure_id, row.document, row.sha256, int(row.page), bbox)  # type: ignore[arg-type]


def resolve_source(place: FigurePlace, root: Path | None = None) -> Path:
    """Return the source file (relative paths against root or the working folder), checking its bytes."""
    path = Path(place.path)
    if not path.is_absolute() and root is not None:
        path = root / path
    if not path.exists():
        raise PageUnavailable(f"the source file {path} is not there; run from the folder you ingested from "
                              "or pass --root FOLDER")
    if hashlib.sha256(path.read_bytes()).hexdigest() != place.sha256:
        raise PageUnavailable(f"{path} has changed since it was ingested (other bytes); re-ingest it so that "
                              "boxes and pages match")
    return path


def render_page(path: Path | str | bytes, page: int, bbox: tuple[float, float, float, float] | None, *,
                dpi: int = 110, pad: float = 2.0) -> Any:
    """Render page (1-based) of a PDF as a PIL image with bbox ([x0, top, x1, bottom], points) highlighted."""
    from PIL import Image, ImageDraw

    from pipeline.pdfium import PDFIUM_LOCK, open_pdf

    scale = dpi / 72
    with open_pdf(path) as pdf, PDFIUM_LOCK:
        if not 1 <= page <= len(pdf):
            raise PageUnavailable(f"page {page} is not in the PDF ({len(pdf)} pages); re-ingest the document")
        image = pdf[page - 1].render(scale=scale).to_pil().convert("RGBA")
    if bbox is not None:
        x0, top, x1, bottom = bbox
        box = [(x0 - pad) * scale, (top - pad) * scale, (x1 + pad) * scale, (bottom + pad) * scale]
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        draw.rectangle(box, fill=FILL, outline=OUTLINE, width=max(2, dpi // 50))
        image = Image.alpha_composite(image, overlay)
    return image.convert("RGB")


def figure_page_png(engine: Engine, figure_id: str, *, root: Path | None = None, dpi: int = 110,
                    cache_dir: Path | None = None) -> bytes:
    """Return the PNG bytes of a figure's page with its box highlighted (what the browser serves).

    cache_dir: keep each image there, named by content hash, page, box and resolution, and serve it again
    without rendering (the source's bytes are still checked).
    """
    place = locate(engine, figure_id)
    source = resolve_source(place, root)
    cached: Path | None = None
    if cache_dir is not None:
        box = hashlib.sha256(repr(place.bbox).encode()).hexdigest()[:12]
        cached = Path(cache_dir) / f"{place.sha256[:16]}-p{place.page}-{box}-{dpi}.png"
        if cached.exists():
            return cached.read_bytes()
    image = render_page(source, place.page, place.bbox, dpi=dpi)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    png = buf.getvalue()
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(png)
        tmp.replace(cached)   # atomic: two requests at once never serve half a file
    return png
