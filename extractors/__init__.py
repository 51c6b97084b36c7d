"""Vietnamese figure, reference and metadata extraction: pure functions over text.

    from extractors import extract, parse_quantity
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from extractors.model import EXTRACTOR_VERSION, Figure, Metadata, Quantity, Reference

if TYPE_CHECKING:
    from extractors.figures import extract
    from extractors.metadata import extract_metadata
    from extractors.quantity import parse_quantity
    from extractors.references import extract_references

# Imported on first use: the extractors load and validate vocabularies that plain imports should not pay for.
_LAZY = {
    "extract": "extractors.figures",
    "parse_quantity": "extractors.quantity",
    "extract_metadata": "extractors.metadata",
    "extract_references": "extractors.references",
}

__all__ = [
    "EXTRACTOR_VERSION", "Figure", "Metadata", "Quantity", "Reference",
    "extract", "extract_metadata", "extract_references", "parse_quantity",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'extractors' has no attribute {name!r}")
