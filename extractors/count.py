"""Find counts of named things: '86 mô hình', '131 tổ hòa giải', 'hai mươi lăm mô hình'."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import find_counts


def extract_count(text: str) -> list[Figure]:
    """Return the count figures of text (raw = number + counted noun)."""
    return find_counts(text)
