"""extract(): every figure in a Vietnamese text, with what it is about and what is doubtful about it."""

from __future__ import annotations

import bisect
from decimal import Decimal
from typing import Any, Protocol

import regex

from extractors.checks import check_sums, flag_implausible, resolve_separators
from extractors.count_open import find_open_counts
from extractors.domain import domain_of
from extractors.model import Figure
from extractors.registry import PRIORITY, scan
from extractors.subject import clause_before, noun_phrase_after, place_of, subject_of
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
    order = {kind: i for i, kind in enumerate(PRIORITY)}
    found = scan(text)
    for f in found:
        f.confidence = 1.0 - order.get(f.kind, len(order)) * 1e-6   # tie-break by PRIORITY, reset later
    return found


def _resolve_overlaps(found: list[Figure]) -> list[Figure]:
    """Keep the longest figure where spans overlap (an earlier kind of PRIORITY wins a tie)."""
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
#: A percent of plan: "106%KH", "95,7⁄KH" (OCR), or "70% kế hoạch".
_PLAN_UNIT = regex.compile(r"(?i:KH)$")
_PLAN_AFTER = regex.compile(r"\s*(?i:kế\s+hoạch)(?!\p{L})")
#: Appended to a subject taken over by a percent of plan, so it is not read as the measure itself.
OF_PLAN = "so với kế hoạch"


def _attribute_of(text: str, prev: Figure | None, fig: Figure) -> str | None:
    """Return prev's subject when fig only qualifies it: "14,9km đường với tổng … là 182.000.000 đồng"."""
    if prev is None or not prev.subject or prev.kind == fig.kind:
        return None
    between = text[prev.char_end:fig.char_start].lstrip()
    if between.startswith(prev.subject) and _WITH.match(between, len(prev.subject)):
        return prev.subject
    return None


def _same_measure(text: str, prev: Figure | None, fig: Figure, own: str | None) -> str | None:
    """Return prev's subject when fig only rates it: "đạt 7.906,7 tỷ đồng, đạt 106%KH" (of plan)."""
    if prev is None or not prev.subject:
        return None
    between = text[prev.char_end:fig.char_start]
    clause = clause_before(text, fig.char_start, prev.char_end)
    if ";" in between:
        return None
    if own and own.lower() in vocabulary().change_words and prev.kind == fig.kind and prev.unit == fig.unit:
        return f"{prev.subject} {own}"     # "Tỷ lệ hộ nghèo … còn 8,69%, giảm 3,24%": the change of prev's measure
    if clause and clause != noun_phrase_after(text, prev.char_end):
        return None                        # a clause of its own names what fig measures
    # Only filler, or the words that qualify prev ("100%KH tỉnh giao và đạt 70% kế hoạch"), lie between.
    if fig.unit == "percent" and (_PLAN_UNIT.search(fig.raw) or _PLAN_AFTER.match(text, fig.char_end)):
        if prev.subject.endswith(OF_PLAN):
            return prev.subject
        return f"{prev.subject} — {OF_PLAN}"
    return None if own else prev.subject


#: An item of a breakdown in brackets after a count, its noun left out: "7 đơn vị (4 trực tuyến, 3 trực tiếp)".
_ELIDED_ITEM = regex.compile(r"""
    (?<=[(,;]\s*)                                         # the bracket's start or the previous item's end
    (?P<n>\d{1,6})                                       # a plain count: "4"
    \s+(?P<what>\p{Ll}+(?:\s\p{Ll}+){0,3})               # what kind of the counted thing: "trực tuyến"
    (?=\s*[,;)])                                          # up to the item's end
    """, regex.VERBOSE)


def _elided_parts(text: str, figures: list[Figure]) -> list[tuple[Figure, Figure, str]]:
    """Read "7 đơn vị (4 trực tuyến, 3 trực tiếp)": counts of the total's noun; return (part, total, kind)."""
    out: list[tuple[Figure, Figure, str]] = []
    starts = [f.char_start for f in figures]
    for total in figures:
        if total.kind != "count" or not total.subject:
            continue
        open_at = text.find("(", total.char_end, total.char_end + 80)
        if open_at < 0 or regex.search(r"[.,;:!?\n\d]", text[total.char_end:open_at]):
            continue                       # the bracket must close the total's own noun phrase
        close = text.find(")", open_at, open_at + 200)
        if close < 0:
            continue
        items = list(_ELIDED_ITEM.finditer(text, open_at + 1, close + 1))
        if len(items) < 2:
            continue                       # a breakdown has parts; one bracketed number is a remark
        i = bisect.bisect_left(starts, open_at)
        if i < len(figures) and figures[i].char_start < close:
            continue                       # the bracket holds figures of its own ("gồm 01 vụ việc cũ …")
        for m in items:
            part = Figure(kind="count", value=Decimal(int(m.group("n"))), unit="count", raw=m.group(0),
                          char_start=m.start(), char_end=m.end())
            out.append((part, total, m.group("what")))
    return out


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
                p.subject = _part_of_measure(figures[total].subject, p.subject)


def _part_of_measure(total: str | None, part: str | None) -> str | None:
    """Return a part's subject under its total's measure: "Tỷ lệ hộ nghèo …; trong đó: ĐBDTTS còn 17,03%"."""
    v = vocabulary()
    if not total or not part or not any(total.lower().startswith(h + " ") for h in v.measure_heads):
        return part
    if part.lower() in v.bare_nouns:
        return part                        # "…, trong đó nữ 400 người": the bare noun is not what the part is
    words = total.split()
    while len(words) > 2 and words[-1].lower() in v.change_words:
        words.pop()                        # "Tỷ lệ hộ nghèo giảm": the measure, not its change
    if {w.lower() for w in words} & {w.lower() for w in part.split()}:
        return part                        # "Số hộ nghèo …, trong đó hộ DTTS": the part names its own measure
    return f"{' '.join(words)} {part}"


def extract(text: str, layout: Layout | None = None) -> list[Figure]:
    """Return every figure stated in text, in text order, with subject, place, section, domain and flags."""
    found = _candidates(text)
    found += find_open_counts(text, found)   # NLP: counts of nouns no list names
    masks = _non_figure_spans(text)
    mask_starts = [s for s, _ in masks]
    found = [f for f in found if not _overlaps(masks, mask_starts, f.char_start, f.char_end)]
    if layout is not None:
        found = [f for f in found if getattr(layout.block_at(f.char_start), "kind", None) != "table"]
    figures = _resolve_overlaps(found)
    elided = _elided_parts(text, figures)
    if elided:
        figures = sorted([*figures, *(p for p, _, _ in elided)], key=lambda f: f.char_start)

    sentences = sentence_spans(text)
    sent_starts = [s for s, _ in sentences]
    prev_in_sentence: dict[int, Figure] = {}
    for f in figures:
        si = max(bisect.bisect_right(sent_starts, f.char_start) - 1, 0)
        s_start, s_end = sentences[si] if sentences else (0, len(text))
        f.sentence = text[s_start:s_end].strip()
        prev = prev_in_sentence.get(si)
        floor = max(s_start, prev.char_end) if prev is not None else s_start
        own = subject_of(text, f, floor)
        f.subject = _attribute_of(text, prev, f) or _same_measure(text, prev, f, own) or own
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
    for part, total, what in elided:
        part.part_of = next(i for i, f in enumerate(figures) if f is total)
        part.subject = f"{total.subject} {what}" if total.subject else what
    resolve_separators(figures)
    flag_implausible(figures)
    check_sums(figures)
    return figures
