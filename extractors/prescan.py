"""Scan a document's text ahead with its costliest patterns on another core, for the extractors to pick up.

The `regex` engine releases the GIL while it matches with concurrent=True, so a thread can run the
document-wide scans (measures, open counts, non-figures, references: most of the extraction's time) while
the caller's thread does other work (finding tables, then the extraction's own Python). A scan ahead gives
exactly the matches a scan now would: same pattern, same text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any

#: Texts shorter than this are scanned when asked (a thread would cost more than it saves).
MIN_CHARS = 20_000
#: Texts scanned ahead at a time (a document that failed before being extracted drops out this way).
MAX_TEXTS = 4

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
# text -> {id(pattern): (pattern, its matches to come)}; the pattern is kept so its id is not reused
_ahead: OrderedDict[str, dict[int, tuple[Any, Future[list[Any]]]]] = OrderedDict()


def _scan(pattern: Any, text: str) -> list[Any]:
    return list(pattern.finditer(text, concurrent=True))


def scan_ahead(text: str, patterns: Iterable[Any]) -> None:
    """Start scanning text with each pattern (in this order) on a worker thread, unless text is short."""
    global _pool
    if len(text) < MIN_CHARS:
        return
    with _lock:
        if text in _ahead:
            return
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="solieu-prescan")
        jobs = {id(p): (p, _pool.submit(_scan, p, text)) for p in patterns}
        _ahead[text] = jobs
        while len(_ahead) > MAX_TEXTS:
            _, dropped = _ahead.popitem(last=False)
            for _p, fut in dropped.values():
                fut.cancel()


def scanned(pattern: Any, text: str) -> Iterable[Any]:
    """Return pattern's matches in text, in order: the ones scanned ahead if there are, else found now."""
    if len(text) >= MIN_CHARS:
        with _lock:
            job = _ahead.get(text, {}).get(id(pattern))
        if job is not None and job[0] is pattern:
            try:
                return job[1].result()
            except CancelledError:          # dropped for a newer text before it ran: scan now
                pass
    matches: Iterable[Any] = pattern.finditer(text)
    return matches


def release(text: str) -> None:
    """Forget the scans of text (its extraction is done)."""
    with _lock:
        jobs = _ahead.pop(text, None)
    for _p, fut in (jobs or {}).values():
        fut.cancel()
