"""The Prefect ingest flow: pipeline.sequence's ingest, with one task per document and one per stage."""

from __future__ import annotations

import itertools
import queue
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from pipeline.sequence import (
    STAGES,
    IngestSummary,
    Options,
    Outcome,
    ProgressHook,
    Stage,
    Work,
    failure_message,
    ingest,
    io_flake,
)

__all__ = ["IngestSummary", "Outcome", "PrefectExecutor", "dask_task_runner", "failure_message", "ingest_flow",
           "run_ingest", "set_progress_hook"]

T = TypeVar("T")
R = TypeVar("R")
_progress: ProgressHook | None = None


def set_progress_hook(hook: ProgressHook | None) -> None:
    """Install (or remove) the callback told about each finished document."""
    global _progress
    _progress = hook


def progress_hook() -> ProgressHook | None:
    """Return the installed progress callback."""
    # The flow reads the hook through this function, not the global: Dask pickles the flow's function by
    # value (its name is the Flow object's), globals it names included, and a progress bar holds locks.
    return _progress


def _opaque(value: T) -> T:
    """Hand a value to a task without Prefect walking through it (typed as the value itself)."""
    # Prefect would otherwise walk every per-character box of a document looking for futures, which cost
    # ~20 s per document (measured with py-spy on the seed PDF).
    return cast(T, opaque(value))


def _retry_io(_task: object, _run: object, state: object) -> bool:
    """Retry only errors that a second try can fix: I/O or a locked database, even when wrapped."""
    try:
        state.result()  # type: ignore[attr-defined]
    except Exception as exc:
        return io_flake(exc)
    return False


def _stage_task(stage: Stage) -> Any:
    """Wrap one stage in a Prefect task of the stage's name (I/O stages retried)."""
    def run(work: Work, options: Options) -> None:
        stage.run(work, options)

    run.__doc__ = stage.run.__doc__
    if stage.retry_io:
        return task(name=stage.task, cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1,
                    retry_condition_fn=_retry_io)(run)
    return task(name=stage.task, cache_policy=NO_CACHE)(run)


#: One Prefect task per stage, built from the sequencer's own list.
STAGE_TASKS: dict[str, Any] = {s.name: _stage_task(s) for s in STAGES}


class Sealed:
    """A value handed to a task as is: Prefect does not walk into it, Dask does not read it as a task graph.

    (Prefect's own `opaque` is a namedtuple, and Dask takes a tuple starting with a callable for a task.)
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


@task(name="ingest-document", cache_policy=NO_CACHE)
def ingest_document(fn: Sealed, item: Sealed) -> Any:
    """Run every stage on one file (a failure is recorded and returned, not raised)."""
    return fn.value(item.value)


class PrefectExecutor:
    """Runs each document as a Prefect task on the flow's task runner, each stage as a nested task."""

    def __init__(self, window: int = 16) -> None:
        self.window = max(1, window)

    def map(self, fn: Callable[[T], R], items: list[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Submit one ingest-document task per item, at most `window` unfinished at once; yield results as they come."""
        # A future keeps its task run's state and result: submitting a whole batch at once held every one of
        # them until the end (RSS grew with the batch). Only a window of futures is alive at a time now.
        finished: queue.SimpleQueue[PrefectFuture[Any]] = queue.SimpleQueue()
        pending: dict[PrefectFuture[Any], T] = {}
        todo = iter(items)
        while True:
            for item in itertools.islice(todo, self.window - len(pending)):
                fut = ingest_document.submit(Sealed(fn), Sealed(item))
                pending[fut] = item
                fut.add_done_callback(finished.put)
            if not pending:
                return
            fut = finished.get()
            item = pending.pop(fut)
            try:
                yield item, fut.result()
            except Exception as exc:
                yield item, exc

    def run_stage(self, stage: Stage, work: Work, options: Options) -> None:
        """Run the stage's task in the document's task (Prefect records and retries it)."""
        STAGE_TASKS[stage.name](_opaque(work), _opaque(options))


@flow(name="ingest", log_prints=False, validate_parameters=False)
def ingest_flow(paths: list[str], db_url: str, ocr: str = "auto", force: bool = False,
                workers: int | None = None) -> IngestSummary:
    """Ingest every supported file under paths into the dataset at db_url."""
    # a few documents queued per worker keep every worker busy; more would only hold memory
    executor = PrefectExecutor(window=4 * max(workers or 2, 2))
    return ingest(paths, db_url, executor, ocr=ocr, force=force, workers=workers, progress=progress_hook())


#: Worker processes of the LocalCluster started when --runner dask is given no scheduler address.
DASK_LOCAL_WORKERS = 2


def dask_task_runner(address: str | None = None, workers: int | None = None) -> TaskRunner[Any]:
    """Return a DaskTaskRunner on the scheduler at address, else on a LocalCluster of worker processes.

    Each document is one task: the file is read, OCR'd, extracted and loaded inside it, so only a path goes
    to a worker and only an Outcome comes back (an open PDF handle would not pickle). Workers report to the
    Prefect server named by PREFECT_API_URL (inherited by local workers; set it on remote ones).
    """
    from prefect_dask import DaskTaskRunner  # imports dask.distributed: only for Dask runs

    if address:
        return DaskTaskRunner(address=address)
    n = max(1, workers or DASK_LOCAL_WORKERS)
    # one thread per worker process: the per-document work is CPU-bound Python (the GIL) and Tesseract
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs={"n_workers": n, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


def run_ingest(paths: list[str], db_url: str, *, ocr: str = "auto", force: bool = False,
               workers: int | None = None, task_runner: TaskRunner[Any] | None = None,
               heartbeats: bool = True) -> IngestSummary:
    """Run the ingest flow; documents run `workers` at a time on a thread pool unless a task runner is given.

    A Dask runner (dask_task_runner) plugs in here as another task_runner. heartbeats=False stops the flow
    run's heartbeat events: nothing reads them on solieu's own local server (it runs no automations), and
    the heartbeat thread, asleep in one-second steps, holds up the end of every run by up to a second.
    """
    runner: Any = task_runner or ThreadPoolTaskRunner(max_workers=max(1, workers or 2))
    updates = {} if heartbeats else {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    with temporary_settings(updates=updates):
        result: IngestSummary = ingest_flow.with_options(task_runner=runner)(paths, db_url, ocr, force, workers)
    return result
