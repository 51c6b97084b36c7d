"""extract(): every figure in a Vietnamese text, with what it is about and what is doubtful about it."""

from __future__ import annotations

import bisect
from decimal import Decimal
from typing import Any, Protocol

import regex

from extractors.checks import check_sums, flag_implausible, resolve_separators
from extractors.count_open import find_open_counts, open_count_words
from extractors.domain import domain_of
from extractors.model import Figure
from extractors.registry import PRIORITY, scan
from extractors.subject import (
    MIN_NAMING_SYLLABLES,
    clause_before,
    noun_phrase_after,
    place_of,
    subject_of,
    verb_before,
)
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
_PLAN_AFTER = regex.compile(r"\s*(?P<plan>(?i:kế\s+hoạch|dự\s+toán))(?!\p{L})")   # the plan or the budget estimate
#: Appended to a subject taken over by a percent of plan, so it is not read as the measure itself.
OF_PLAN = "so với kế hoạch"


def _attribute_of(text: str, prev: Figure | None, fig: Figure) -> str | None:
    """Return prev's subject when fig only qualifies it: "14,9km đường với tổng … là 182.000.000 đồng"."""
    if prev is None or not prev.subject or prev.kind == fig.kind:
        return None
    between = text[prev.char_end:fig.char_start].lstrip()
    # prev's subject may add its verb to the noun after it ("đường thắp sáng"): compare that noun
    noun = noun_phrase_after(text, prev.char_end) or prev.subject
    if noun in prev.subject and between.startswith(noun) and _WITH.match(between, len(noun)):
        return prev.subject
    return None


#: Only a copula and "tỷ lệ" between a count and a percent: "14 vụ việc đạt tỷ lệ 100%", "113 đơn vị (đạt 100%)".
_RATE_LINK = regex.compile(r"""
    ^(?:[ \t]+\p{Ll}+){0,2}                                # the end of the count's noun ("3.450 trẻ| em")
    [\s(,]*                                               # a comma or an opening bracket
    (?:(?i:đạt|chiếm|bằng|tương\s+ứng|là)\s+)+           # a copula, maybe two ("tương ứng là")
    (?:(?i:tỷ\s+lệ|tỉ\s+lệ)\s*)?                         # "tỷ lệ" (the rate)
    (?:(?i:là)\s*)?$
    """, regex.VERBOSE)
#: A short label opening a bracket after a figure: "57,1% (kế hoạch 55,27%)", "(cùng kỳ 12 vụ)".
_ASIDE_LABEL = regex.compile(r"^\s*\(\s*(?P<label>\p{Ll}+(?:\s+\p{L}+){0,3}?)\s*:?\s*$")
#: A noun phrase before a bracket holding only a figure: "đạt 70% kế hoạch của huyện (150 lao động)".
_ASIDE_HEAD = regex.compile(r"^\s*(?P<head>\p{Ll}+(?:\s+\p{L}+){0,5}?)\s*\(\s*$")


def _rate_of(text: str, prev: Figure | None, fig: Figure) -> str | None:
    """Return "tỷ lệ" + a count's subject for a percent that only rates it: "14 vụ việc … đạt tỷ lệ 100%"."""
    if prev is None or not prev.subject or fig.unit != "percent" or prev.kind == "percent":
        return None
    if _PLAN_UNIT.search(fig.raw) or _PLAN_AFTER.match(text, fig.char_end):
        return None                        # "đạt 100%KH": a share of the plan, not of the things counted
    if prev.kind not in ("count", "ratio") and noun_phrase_after(text, fig.char_end):
        return None                        # "120 tỷ đồng, đạt 105% dự toán": a share of what it names
    if not _RATE_LINK.match(text[prev.char_end:fig.char_start]):
        return None
    words = prev.subject.split()
    return prev.subject if words[0].lower() in ("tỷ", "tỉ") else f"tỷ lệ {prev.subject}"


def _aside_of(text: str, prev: Figure | None, fig: Figure) -> str | None:
    """Return the subject of a figure in a bracket after another: the same measure under a label, or the
    phrase the bracket restates ("57,1% (kế hoạch 55,27%)", "70% kế hoạch của huyện (150 lao động)")."""
    if prev is None:
        return None
    between = text[prev.char_end:fig.char_start]
    if len(between) > 60 or "\n" in between:
        return None
    close = regex.match(r"\s*\)", text[fig.char_end:])
    m = _ASIDE_LABEL.match(between)
    if m and prev.subject and close and (prev.kind, prev.unit) == (fig.kind, fig.unit):
        words = prev.subject.split()
        while len(words) > 2 and words[-1].lower() in vocabulary().change_words:
            words.pop()                    # "…, tăng 12 ca (cùng kỳ 33 ca)": the measure, not its change
        return f"{' '.join(words)} ({m.group('label')})"
    m = _ASIDE_HEAD.match(between)
    if m and close and not regex.search(r"\d", m.group("head")):
        head = m.group("head")
        return head if len(head.split()) >= 2 else None
    return None


#: Only a comma or "và" between two counts: items of one list under one verb ("xử lý 12 tập thể, 25 cá nhân").
_LIST_LINK = regex.compile(r"^(?:[ \t]+\p{Ll}+){0,3}[ \t]*(?:,|(?i:và)|,[ \t]*(?i:và))[ \t]*$")  # prev's noun may end it


def _parallel_of(text: str, prev: Figure | None, fig: Figure, own: str | None) -> str | None:
    """Return a bare count's noun with the verb of the count it is listed after: "xử lý 12 tập thể, 25 cá nhân"."""
    if prev is None or own is None or prev.kind != "count" or fig.kind != "count" \
            or not fig.subject or not own.startswith(fig.subject):
        return None                        # fig's own subject is not its noun phrase: it says more
    if not _LIST_LINK.match(text[prev.char_end:fig.char_start]) or len(own.split()) >= MIN_NAMING_SYLLABLES:
        return None
    verb = verb_before(text, prev)
    return f"{own} {verb}" if verb else None


def _same_measure(text: str, prev: Figure | None, fig: Figure, own: str | None) -> str | None:
    """Return prev's subject when fig only rates it: "đạt 7.906,7 tỷ đồng, đạt 106%KH" (of plan)."""
    if prev is None or not prev.subject:
        return None
    between = text[prev.char_end:fig.char_start]
    clause = clause_before(text, fig.char_start, prev.char_end)
    if ";" in between:
        return None
    change = vocabulary().change_words
    if prev.kind == fig.kind and prev.unit == fig.unit:
        if own and own.lower() in change:
            return f"{prev.subject} {own}"  # "Tỷ lệ hộ nghèo … còn 8,69%, giảm 3,24%": the change of prev's measure
        if clause and clause.lower() in change and ";" not in between:
            return f"{prev.subject} {clause}"   # "… là 45 ca, tăng 12 ca": the count's noun repeats the measure's
    if clause and clause != noun_phrase_after(text, prev.char_end):
        return None                        # a clause of its own names what fig measures
    # Only filler, or the words that qualify prev ("100%KH tỉnh giao và đạt 70% kế hoạch"), lie between.
    plan = _PLAN_AFTER.match(text, fig.char_end)
    if fig.unit == "percent" and (_PLAN_UNIT.search(fig.raw) or plan):
        of = f"so với {' '.join(plan.group('plan').lower().split())}" if plan else OF_PLAN
        if prev.subject.endswith(of):
            return prev.subject
        return f"{prev.subject} — {of}"
    return None if own else prev.subject


#: An item of a breakdown in brackets after a count, its noun left out: "7 đơn vị (4 trực tuyến, 3 trực tiếp)".
_ELIDED_ITEM = regex.compile(r"""
    (?<=[(,;:]\s*)                                        # the bracket's start or the previous item's end
    (?P<n>\d{1,6})                                       # a plain count: "4"
    \s+(?P<what>\p{Ll}+(?:\s\p{Ll}+){0,3})               # what kind of the counted thing: "trực tuyến"
    (?=\s*(?:[,;)]|\.(?!\d)|$))                            # up to the item's end
    """, regex.VERBOSE)
#: A list of parts after a count, its noun left out: "05 đơn, trong đó: 03 khiếu nại, 02 tố cáo".
_PARTS_OPENER = regex.compile(r"[ \t]*[,;]?[ \t]*(?i:trong\s+đó|bao\s+gồm|gồm\s+có|gồm)[ \t]*:?[ \t]*(?=\d)")


def _elided_parts(text: str, figures: list[Figure]) -> list[tuple[Figure, Figure, str]]:
    """Read "7 đơn vị (4 trực tuyến, 3 trực tiếp)": counts of the total's noun; return (part, total, kind)."""
    out: list[tuple[Figure, Figure, str]] = []
    starts = [f.char_start for f in figures]
    for total in figures:
        if total.kind != "count" or not total.subject:
            continue
        opener = _PARTS_OPENER.match(text, total.char_end)
        if opener is not None:
            # "05 đơn, trong đó: 03 khiếu nại, 02 tố cáo": the list runs to the sentence's end
            open_at = opener.end() - 1
            stop = regex.compile(r"\.(?!\d)|\n|$").search(text, opener.end())
            close = stop.start() if stop else len(text)
        else:
            open_at = text.find("(", total.char_end, total.char_end + 80)
            if open_at < 0 or regex.search(r"[.,;:!?\n\d]", text[total.char_end:open_at]):
                continue                   # the bracket must close the total's own noun phrase
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
        return part                        # "…, trong đó 400 người": the bare noun is not what the part is
    bare = next((b for b in sorted(v.bare_nouns, key=len, reverse=True) if part.lower().startswith(b + " ")), None)
    words = total.split()
    while len(words) > 2 and words[-1].lower() in v.change_words:
        words.pop()                        # "Tỷ lệ hộ nghèo giảm": the measure, not its change
    if {w.lower() for w in words} & {w.lower() for w in part.split()}:
        return part                        # "Số hộ nghèo …, trong đó hộ DTTS": the part names its own measure
    if bare is not None:
        part = part[len(bare) + 1:]        # "…, trong đó nữ 400 người" ("người nữ"): the measure's "nữ"
    return f"{' '.join(words)} {part}"


#: A token of OCR noise: a letter run glued to digits or symbols ("L2)", "F7", "1»", "L=g"), or a lone symbol.
_NOISE_TOKEN = regex.compile(r"""
    ^(?:\p{L}+\d+[\p{S}\p{Ps}\p{Pe}\p{Pi}\p{Pf}¿¡=<>]\S*          # "L2)", "L1}"; never "CO2", "PM2.5", "F0"
      | \p{L}+[\p{S}¿¡=<>]\S*                                 # "L¿", "L=g", "trn=="; never "e)" nor "lần1"
      | [\p{S}¿¡=<>«»„]+\d+\p{L}*                             # "<2", "»3"
      | \d+[\p{S}\p{Pi}\p{Pf}»«}{\]\[]\S*                        # "1»", "3®"
      | [\p{S}\p{Pi}\p{Pf}»«„*<>=]+)$                            # "»”", "„", "*"
    """, regex.VERBOSE)
#: A line this long (in tokens) with this share of noise tokens is OCR of a form's rules and numbering, not text.
NOISE_LINE_TOKENS = 8
NOISE_LINE_SHARE = 0.2


def _noise_lines(text: str, figures: list[Figure]) -> set[int]:
    """Return the starts of the lines holding figures that are OCR noise ("14 16 TT tr L¿ L2) L=g 2 26 … 1%")."""
    noisy: set[int] = set()
    seen: dict[int, bool] = {}
    for f in figures:
        start = text.rfind("\n", 0, f.char_start) + 1
        if start not in seen:
            end = text.find("\n", f.char_end)
            tokens = text[start:end if end >= 0 else len(text)].split()
            bad = sum(1 for t in tokens if _NOISE_TOKEN.match(t))
            seen[start] = len(tokens) >= NOISE_LINE_TOKENS and bad >= NOISE_LINE_SHARE * len(tokens)
        if seen[start]:
            noisy.add(start)
    return noisy


#: A name right after a count: capitalized words, maybe after a unit word ("tỉnh Đắk Nông"), then no list going on.
_ONE_NAME = regex.compile(r"""
    [ \t]+(?:\p{Ll}+(?:[ \t]+\p{Ll}+)?[ \t]+)?                 # "tỉnh", "thị trấn"
    (?>\p{Lu}[\p{L}'’]*(?:[ \t]+\p{Lu}[\p{L}'’]*)*)              # "Đắk Nông", "Đăk Wer", the whole name
    (?![ \t]*(?:[,;/&]|(?i:và|hoặc)(?!\p{L})))                  # not the first of a list of names
    """, regex.VERBOSE)


def _one_named_territory(text: str, fig: Figure) -> bool:
    """Say whether a count of territories is followed by one name: "6 xã Đăk Wer", "trên 3 địa bàn tỉnh Đắk Nông".

    Several territories cannot be one named place: the number names it ("thôn 6 xã …") or is noise.
    """
    if fig.kind != "count" or fig.value is None or fig.value < 2 or not fig.subject:
        return False
    noun = " ".join(fig.subject.lower().split())
    places = set(vocabulary().places)
    abstract = open_count_words().territorial_nouns
    if noun not in places | abstract or not text[fig.char_start:fig.char_end].lower().endswith(noun):
        return False
    m = _ONE_NAME.match(text, fig.char_end)
    if m is None:
        return False
    words = text[fig.char_end:m.end()].split()
    name = words
    if words[0][0].islower():
        # "3 địa bàn tỉnh Đắk Nông": an area named by its unit; "12 xã huyện Đắk Mil" are communes of a district
        unit = " ".join(words[:2]).lower() if " ".join(words[:2]).lower() in places else words[0].lower()
        if noun not in abstract or unit not in places:
            return False
        name = words[len(unit.split()):]
    regions = open_count_words().region_words
    return not any(w.lower() in regions for w in name)   # "5 tỉnh Tây Nguyên": a region's provinces


def extract(text: str, layout: Layout | None = None) -> list[Figure]:
    """Return every figure stated in text, in text order, with subject, place, section, domain and flags."""
    found = _candidates(text)
    found += find_open_counts(text, found)   # NLP: counts of nouns no list names
    masks = _non_figure_spans(text)
    mask_starts = [s for s, _ in masks]
    found = [f for f in found if not _overlaps(masks, mask_starts, f.char_start, f.char_end)]
    found = [f for f in found if not _one_named_territory(text, f)]
    noisy = _noise_lines(text, found)
    if noisy:
        found = [f for f in found if text.rfind("\n", 0, f.char_start) + 1 not in noisy]
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
        f.subject = (_attribute_of(text, prev, f) or _rate_of(text, prev, f) or _aside_of(text, prev, f)
                     or _same_measure(text, prev, f, own) or _parallel_of(text, prev, f, own) or own)
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
