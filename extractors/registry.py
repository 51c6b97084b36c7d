"""The figure extractors, one per kind; extract() runs them all and resolves overlaps."""

from __future__ import annotations

from collections.abc import Callable

from extractors.area import extract_area
from extractors.count import extract_count
from extractors.labour import extract_labour
from extractors.length import extract_length
from extractors.mass import extract_mass
from extractors.model import Figure
from extractors.money import extract_money
from extractors.percent import extract_percent
from extractors.quantity import MEASURE_KINDS, find_measures
from extractors.ratio import extract_ratio
from extractors.volume import extract_volume

Extractor = Callable[[str], list[Figure]]

#: Order matters only for ties: an earlier kind wins a span of the same length.
EXTRACTORS: dict[str, Extractor] = {
    "money": extract_money,
    "area": extract_area,
    "volume": extract_volume,
    "length": extract_length,
    "mass": extract_mass,
    "labour": extract_labour,
    "percent": extract_percent,
    "ratio": extract_ratio,
    "count": extract_count,
}


def scan(text: str) -> list[Figure]:
    """Run every registered extractor over text; the measured kinds share one regex pass.

    A pass costs about the same whatever it finds, so the seven unit-based kinds and the counts are read by
    one pattern with all their units and nouns (the kind modules above each run the same grammar for one kind).
    """
    measured = tuple(k for k in EXTRACTORS if k in (*MEASURE_KINDS, "count"))
    found = find_measures(text, measured) if measured else []
    for kind, fn in EXTRACTORS.items():
        if kind not in measured:
            found.extend(fn(text))
    return found
