"""Find labour: '979 ngày công'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_labour(text: str) -> list[Figure]:
    """Return the labour figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "labour")
