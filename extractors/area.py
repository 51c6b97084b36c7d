"""Find areas: '440 m²', '5 ha'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_area(text: str) -> list[Figure]:
    """Return the area figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "area")
