"""extract(): every figure in a Vietnamese text, with what it is about and what is doubtful about it."""

from __future__ import annotations

import bisect
from typing import Any, Protocol

import regex

from extractors.checks import check_sums, flag_implausible, resolve_separators
from extractors.domain import domain_of
from extractors.model import Figure
from extractors.registry import EXTRACTORS, scan
from extractors.subject import place_of, subject_of
from extractors.vocab import vocabulary


class Layout(Protocol):
    """What extract() asks of a document's structure (pipeline.model.Structure satisfies it)."""

    def section_path(self, offset: int) -> str | None: ...
    def heading_titles(self, offset: int) -> list[str]: ...
    def footnote_at(self, offset: int) -> str | None: ...
    def block_at(self, offset: int) -> Any: ...


_SENTENCE_BREAK = regex.compile(
    r"""
    \n[ \t]*\n\s*                                         # a blank line ends every sentence
    | \n(?=[ \t]*(?:[-+•*–]|\d{1,2}\.\s|[IVX]+\.\s|\p{Lu}))  # a new line starting a list item, a label or a capital
    | (?<=[.!?…])[ \t]+(?=[\p{Lu}“"(\d\-])                # an end mark followed by a new sentence
    """,
    regex.VERBOSE,
)
_TRONG_DO = regex.compile(r"(?<!\p{L})(?i:trong\s+đó)(?!\p{L})")
_SUPERSCRIPT_LEAD = regex.compile(r"[¹²³⁰⁴-⁹]+\s")
#: How far back (in characters) a "trong đó" may look for its total.
TOTAL_REACH = 600


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentences; a sentence never crosses a blank line."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _non_figure_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for pat in vocabulary().non_figures.values() for m in pat.finditer(text)]
    return sorted(spans)


def _overlaps(spans: list[tuple[int, int]], starts: list[int], a: int, b: int) -> bool:
    i = bisect.bisect_left(starts, b)
    # Spans are sorted by start; any span starting before b may reach into [a, b).
    for k in range(i - 1, -1, -1):
        s, e = spans[k]
        if e > a and s < b:
            return True
        if k < i - 64:                     # non-figure spans are short: no need to look far back
            break
    return False


def _candidates(text: str) -> list[Figure]:
    order = {kind: i for i, kind in enumerate(EXTRACTORS)}
    found = scan(text)
    for f in found:
        f.confidence = 1.0 - order.get(f.kind, len(order)) * 1e-6   # tie-break by registry order, reset later
    return found


def _resolve_overlaps(found: list[Figure]) -> list[Figure]:
    """Keep the longest figure where spans overlap (an earlier registry kind wins a tie)."""
    found.sort(key=lambda f: (-(f.char_end - f.char_start), -f.confidence, f.char_start))
    starts: list[int] = []                 # kept spans, sorted by start and never overlapping each other
    ends: list[int] = []
    kept: list[Figure] = []
    for f in found:
        i = bisect.bisect_left(starts, f.char_end)
        if i > 0 and ends[i - 1] > f.char_start:
            continue                       # the kept span starting last before f's end reaches into f
        starts.insert(i, f.char_start)
        ends.insert(i, f.char_end)
        kept.append(f)
    kept.sort(key=lambda f: f.char_start)
    for f in kept:
        f.confidence = 1.0
    return kept


_WITH = regex.compile(r"\s*(?i:với)(?!\p{L})")


def _attribute_of(text: str, prev: Figure | None, fig: Figure) -> str | None:
    """Return prev's subject when fig only qualifies it: "14,9km đường với tổng … là 182.000.000 đồng"."""
    if prev is None or not prev.subject or prev.kind == fig.kind:
        return None
    between = text[prev.char_end:fig.char_start].lstrip()
    if between.startswith(prev.subject) and _WITH.match(between, len(prev.subject)):
        return prev.subject
    return None


def _in_footnote(text: str, layout: Layout | None, offset: int, para_start: int) -> bool:
    if layout is not None:
        return layout.footnote_at(offset) is not None
    return _SUPERSCRIPT_LEAD.match(text, para_start) is not None


def _link_parts(text: str, figures: list[Figure]) -> None:
    """Link figures after "trong đó" (of which) to the total stated just before it."""
    starts = [f.char_start for f in figures]
    for m in _TRONG_DO.finditer(text):
        pos = m.start()
        paren = text[max(0, pos - 2):pos].strip() == "("
        if paren:
            close = text.find(")", m.end())
            end = close if close >= 0 else len(text)
        else:
            stop = regex.compile(r"\n\s*\n|[.!?](?=\s|$)").search(text, m.end())
            end = stop.start() if stop else len(text)
        first = bisect.bisect_left(starts, m.end())
        parts = [i for i in range(first, len(figures)) if figures[i].char_start < end]
        if not parts:
            continue
        head = figures[parts[0]]
        floor = max(0, pos - TOTAL_REACH)
        blank = text.rfind("\n\n", floor, pos)
        floor = blank if blank >= 0 else floor
        total = None
        for i in range(first - 1, -1, -1):
            t = figures[i]
            if t.char_end > pos or t.char_start < floor:
                if t.char_start < floor:
                    break
                continue
            if t.kind == head.kind and t.unit == head.unit:
                total = i
                break
        if total is None:
            continue
        for i in parts:
            p = figures[i]
            if p.kind == head.kind and p.unit == head.unit and p.part_of is None:
                p.part_of = total


def extract(text: str, layout: Layout | None = None) -> list[Figure]:
    """Return every figure stated in text, in text order, with subject, place, section, domain and flags."""
    found = _candidates(text)
    masks = _non_figure_spans(text)
    mask_starts = [s for s, _ in masks]
    found = [f for f in found if not _overlaps(masks, mask_starts, f.char_start, f.char_end)]
    if layout is not None:
        found = [f for f in found if getattr(layout.block_at(f.char_start), "kind", None) != "table"]
    figures = _resolve_overlaps(found)

    sentences = sentence_spans(text)
    sent_starts = [s for s, _ in sentences]
    prev_in_sentence: dict[int, Figure] = {}
    for f in figures:
        si = max(bisect.bisect_right(sent_starts, f.char_start) - 1, 0)
        s_start, s_end = sentences[si] if sentences else (0, len(text))
        f.sentence = text[s_start:s_end].strip()
        prev = prev_in_sentence.get(si)
        floor = max(s_start, prev.char_end) if prev is not None else s_start
        f.subject = _attribute_of(text, prev, f) or subject_of(text, f, floor)
        f.place = place_of(text, f, s_start, s_end)
        clause_start = max(text.rfind(";", s_start, f.char_start) + 1, s_start)
        headings = layout.heading_titles(f.char_start) if layout is not None else []
        f.domain = domain_of(text[clause_start:f.char_start], headings)
        if layout is not None:
            f.section = layout.section_path(f.char_start)
        para_start = text.rfind("\n", 0, f.char_start) + 1
        if _in_footnote(text, layout, f.char_start, para_start):
            f.add_flag("in_footnote")
        prev_in_sentence[si] = f

    _link_parts(text, figures)
    resolve_separators(figures)
    flag_implausible(figures)
    check_sums(figures)
    return figures
