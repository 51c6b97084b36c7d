"""Settings resolved once: database URL, cache folders, Prefect's offline environment."""

from __future__ import annotations

import os
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
