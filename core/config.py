"""Settings resolved once: database URL, cache folders, Prefect's offline environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.versions import pipeline_version

#: Changes with the reading/OCR/normalizing code and data (a hash of them): re-ingest then replaces old rows.
PIPELINE_VERSION = pipeline_version()
DEFAULT_DB = "sqlite:///data/solieu.db"


def db_url(explicit: str | None = None) -> str:
    """Return the SQLAlchemy URL to use: --db, else $SOLIEU_DB, else data/solieu.db."""
    return explicit or os.environ.get("SOLIEU_DB") or DEFAULT_DB


def prepare_prefect_env(home: Path | None = None) -> None:
    """Point Prefect at a project-local, offline, ephemeral setup unless the user configured one."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # The first ephemeral start runs migrations and took ~20 s here; the default 20 s timeout was hit once.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_HOME", str(home or Path.cwd() / ".prefect"))


@dataclass(frozen=True)
class Limit:
    """One per-document safety limit: its name, the environment variable that sets it, default and unit."""

    name: str
    env: str
    default: float
    unit: str
    what: str

    def value(self) -> float:
        """Return the limit in force: the environment variable when set to a number, else the default."""
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            v = float(raw)
        except ValueError:
            return self.default
        return v if v > 0 else self.default

    def advice(self) -> str:
        """Say how to raise this limit."""
        return f"to read it anyway, raise the limit: {self.env}={_fmt(self.value() * 4)} (now {_fmt(self.value())})"


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


# Defaults: a 500-page scanned report and an A0 plan at 300 dpi pass; a 1 GB XML bomb, a 200-inch page or a
# 400-megapixel image do not reach the allocator.
LIMITS: dict[str, Limit] = {lim.name: lim for lim in (
    Limit("zip_member_mb", "SOLIEU_MAX_ZIP_MEMBER_MB", 100, "MB",
          "decompressed size of one member of a .docx package (document.xml, footnotes.xml …)"),
    Limit("zip_total_mb", "SOLIEU_MAX_ZIP_TOTAL_MB", 300, "MB", "decompressed size of a whole .docx package"),
    Limit("pages", "SOLIEU_MAX_PAGES", 5000, "pages", "pages in one PDF"),
    Limit("page_area_m2", "SOLIEU_MAX_PAGE_AREA_M2", 2, "m²",
          "area of one PDF page (A0 is 1 m²)"),
    Limit("render_mpx", "SOLIEU_MAX_RENDER_MPX", 60, "megapixels",
          "pixels of one rendered page image (A0 at 200 dpi is ~62 Mpx); larger pages render at lower dpi"),
    Limit("image_mpx", "SOLIEU_MAX_IMAGE_MPX", 150, "megapixels",
          "pixels of one image embedded in a page that must be rendered for OCR"),
    Limit("doc_seconds", "SOLIEU_MAX_DOC_SECONDS", 1800, "s", "time spent reading and OCR'ing one document"),
    Limit("ocr_seconds", "SOLIEU_MAX_OCR_SECONDS", 300, "s", "time one Tesseract process may take on one page"),
    Limit("convert_seconds", "SOLIEU_MAX_CONVERT_SECONDS", 300, "s",
          "time one conversion process (LibreOffice) may take on one file"),
)}


def limit(name: str) -> float:
    """Return the value in force of the named limit (see LIMITS)."""
    return LIMITS[name].value()
