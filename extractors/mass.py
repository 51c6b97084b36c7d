"""Find masses: '31,2 tấn', '5 tạ', '200 kg'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_mass(text: str) -> list[Figure]:
    """Return the mass figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "mass")
