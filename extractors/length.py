"""Find lengths: '900m', '14,9km'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_length(text: str) -> list[Figure]:
    """Return the length figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "length")
