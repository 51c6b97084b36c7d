"""Serve the ingest flow on a schedule: each tick ingests what is new or changed in an inbox folder."""

from __future__ import annotations

from flows.ingest import ingest_flow


def serve_nightly(inbox: str, db_url: str, *, cron: str | None = "0 2 * * *", interval: int | None = None,
                  ocr: str = "auto", workers: int | None = None) -> None:
    """Serve the 'nightly' deployment until SIGINT/SIGTERM; unchanged files are skipped by the flow."""
    ingest_flow.serve(
        name="nightly",
        cron=None if interval else cron,
        interval=interval,
        parameters={"paths": [inbox], "db_url": db_url, "ocr": ocr, "force": False, "workers": workers},
        description=f"Ingest what is new or changed under {inbox} into {db_url.split('@')[-1]}",
        pause_on_shutdown=False,
        print_starting_message=False,
    )
