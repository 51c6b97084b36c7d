"""Find references to other documents: 'Công văn số 324-CV/BDVTU ngày 08/11/2021 của Ban Dân vận Tỉnh ủy'."""

from __future__ import annotations

from extractors.citations import Layout, find_references, unique_references
from extractors.doc_number import own_number
from extractors.model import Reference

__all__ = ["Layout", "extract_references", "unique_references"]


def extract_references(text: str, layout: Layout | None = None, *, own: str | None = "auto",
                       unique: bool = False) -> list[Reference]:
    """Return the references to other documents in text, in order: one per mention, or per number if unique."""
    # own: the document's own number is metadata, never a reference ("auto": read it from the header).
    if own == "auto":
        own = own_number(text)
    return find_references(text, layout, own=own, unique=unique)
