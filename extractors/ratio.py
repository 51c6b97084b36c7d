"""Find ratios: '16/21 xã', '07/07 phòng', and achieved/planned pairs with a unit: '62.372/52.786 ha'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measured_ratios, find_ratios


def extract_ratio(text: str) -> list[Figure]:
    """Return the ratio figures of text (value = part, denominator = whole, unit of both)."""
    return find_ratios(text) + find_measured_ratios(text)
