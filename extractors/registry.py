"""The kinds of figure, in the order that breaks ties, and scan(): one pass over text finds them all."""

from __future__ import annotations

from extractors.model import Figure
from extractors.quantity import MEASURE_KINDS, find_measured_ratios, find_measures, find_ratios

#: Order matters only for ties: an earlier kind wins a span of the same length.
PRIORITY: tuple[str, ...] = ("money", "area", "volume", "length", "mass", "labour", "percent", "ratio", "count")


def scan(text: str) -> list[Figure]:
    """Return every candidate figure of text, overlaps included.

    A pass costs about the same whatever it finds, so the unit-based kinds and the counts are read by one
    pattern with all their units and nouns; ratios ("16/21 xã", "62.372/52.786 ha") by their own two.
    """
    measured = tuple(k for k in PRIORITY if k in (*MEASURE_KINDS, "count"))
    return find_measures(text, measured) + find_ratios(text) + find_measured_ratios(text)
