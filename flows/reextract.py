"""The Prefect re-extraction flow: one task per stored document, figures recomputed from the stored text."""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.load import open_db, start_run
from pipeline.reextract import reextract_document, stale_documents
from pipeline.sequence import IngestSummary, Outcome, failure_message, record_run


@task(name="reextract-document", cache_policy=NO_CACHE)
def reextract_task(db_url: str, doc_id: int, run_id: int) -> Outcome:
    """Re-extract one stored document (a failure is returned as an outcome, the stored figures kept)."""
    t0 = time.perf_counter()
    try:
        done = reextract_document(open_db(db_url), doc_id, run_id=run_id)
    except Exception as exc:
        error, message = failure_message(exc)
        return Outcome(f"document {doc_id}", "failed", stage="reextract", error=error, message=message,
                       seconds=time.perf_counter() - t0)
    return Outcome(done.document, "loaded", figures=done.loaded.figures, seconds=done.seconds, replaced=True,
                   diff=done.loaded.diff)


@flow(name="reextract", log_prints=False, validate_parameters=False)
def reextract_flow(db_url: str, everything: bool = False) -> IngestSummary:
    """Re-extract the figures of stale documents (every document if everything) from their stored text."""
    t0 = time.perf_counter()
    engine = open_db(db_url)
    ids = stale_documents(engine, everything=everything)
    run_id = start_run(engine, ["reextract --all" if everything else "reextract"])
    outcomes: list[Outcome] = []
    try:
        futures = [reextract_task.submit(db_url, i, run_id) for i in ids]
        for fut in as_completed(futures):
            outcomes.append(fut.result())
    finally:
        seconds = time.perf_counter() - t0
        record_run(engine, run_id, outcomes, seconds)
    return IngestSummary(run_id, outcomes, 0, seconds)


def run_reextract(db_url: str, *, everything: bool = False, workers: int | None = None) -> IngestSummary:
    """Run the re-extraction flow on a thread pool of `workers` (default 2)."""
    runner: Any = ThreadPoolTaskRunner(max_workers=max(1, workers or 2))
    result: IngestSummary = reextract_flow.with_options(task_runner=runner)(db_url, everything)
    return result
