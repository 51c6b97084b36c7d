"""Find sums of money: '380.000.000 đồng', 'hơn 2 tỷ đồng', '11.000 đồng/kg'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_measures


def extract_money(text: str) -> list[Figure]:
    """Return the money figures of text (qualifier, range and rate included in raw)."""
    return find_measures(text, "money")
