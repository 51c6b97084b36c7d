"""Find volumes: '1.200 m3'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_volume(text: str) -> list[Figure]:
    """Return the volume figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "volume")
