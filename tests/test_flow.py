"""The real Prefect ingest flow, run in-process under prefect_test_harness."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import SEED_MD

pytestmark = pytest.mark.flow


def test_flow_runs_each_stage_as_a_task_and_reports_progress(prefect_harness: None, tmp_path: Path,
                                                              sqlite_url: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.ingest import run_ingest, set_progress_hook

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED_MD, inbox / "a.md")
    (inbox / "b.txt").write_text("Toàn huyện có 12 nhà tạm được xóa.\n", encoding="utf-8")
    (inbox / "slides.pptx").write_bytes(b"PK")  # met while walking a folder: passed over, not a failure
    seen: list[tuple[str, str]] = []
    set_progress_hook(lambda p, s: seen.append((Path(p).name, s)))
    try:
        summary = run_ingest([str(inbox)], sqlite_url, workers=2)
    finally:
        set_progress_hook(None)
    assert [o.status for o in summary.outcomes] == ["loaded", "loaded"]
    assert sorted(seen) == [("a.md", "loaded"), ("b.txt", "loaded")]
    assert summary.passed_over == 1
    assert summary.outcomes[1].kinds == {"count": 1}

    # Task runs reach the server as events, after the flow returns: poll for them a while.
    stages = {"ingest-document", "read", "recover-text", "normalize", "extract", "load"}
    names: set[str] = set()
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
        run = next(r for r in runs if r.state is not None and r.state.is_completed())
        deadline = time.monotonic() + 60
        while not stages <= names and time.monotonic() < deadline:
            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
            names = {t.name.rsplit("-", 1)[0] for t in tasks}
            time.sleep(0.5)
    assert stages <= names

    again = run_ingest([str(inbox)], sqlite_url)
    assert [o.status for o in again.outcomes] == ["current", "current"]
    forced = run_ingest([str(inbox / "b.txt")], sqlite_url, force=True)
    assert [o.status for o in forced.outcomes] == ["loaded"]
