"""Find ratios: '16/21 xã', '07/07 phòng'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_ratios


def extract_ratio(text: str) -> list[Figure]:
    """Return the ratio figures of text (value = part, denominator = whole)."""
    return find_ratios(text)
