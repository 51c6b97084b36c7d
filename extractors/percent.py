"""Find percentages: '100%', '95%KH', 'năm phần trăm'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_percent(text: str) -> list[Figure]:
    """Return the percent figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "percent")
