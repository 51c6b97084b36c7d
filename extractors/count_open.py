"""Open-vocabulary counts: a number followed by a noun phrase is a count whatever the noun ("28 trạm y tế").

The regex grammar finds the numbers (exactly, as everywhere else); the NLP layer (extractors.nlp) says whether
the word after one is a noun and whether the word before it makes the number an identifier ("lớp 3", "Tổ 5").
The non-figure rules (non_figures.yaml: dates, document numbers, "Quốc lộ 1", quoted names …) still apply in
extract(), and open_counts.yaml lists the nouns that never make a count (time units, measures, multipliers).
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import cache

import regex

from extractors.model import Figure
from extractors.numbers import parse_number
from extractors.quantity import qualifier_source
from extractors.vocab import alternation, load, vocabulary

#: How far after a number the tagged window reaches (characters); a noun phrase's head is near its number.
WINDOW_AFTER = 48
#: How far before a number the tagged window reaches (characters), to see the word before it.
WINDOW_BEFORE = 32
#: pyvi tags that make the word before a number a noun: the number is then part of a name ("lớp 3 trường").
_NOUN_TAGS = frozenset({"N", "Nc", "Np", "Ny", "Nu", "Nb"})
#: Where a window stops: an end mark, a bracket, a line break, or a comma that is not a decimal mark.
_WINDOW_STOP = regex.compile(r"[.;:!?()\[\]“”\"\n|]|,(?!\d)")


@dataclass(frozen=True)
class OpenCountWords:
    """The words of open_counts.yaml."""

    not_counted: frozenset[str]
    count_after: frozenset[str]
    predicate_openers: frozenset[str]
    not_appended: frozenset[str]
    list_openers: frozenset[str]


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).lower().split())


@cache
def open_count_words() -> OpenCountWords:
    """Load open_counts.yaml once (checked against the one vocabulary schema)."""
    data = load("open_counts.yaml")
    return OpenCountWords(**{key: frozenset(_norm(w) for w in words) for key, words in data.items()})


@cache
def _candidate_regex() -> regex.Pattern[str]:
    scale = alternation(list(vocabulary().scale_words))
    return regex.compile(rf"""
    (?:(?<![\p{{L}}\p{{N}}])(?P<qual>(?i:{qualifier_source()}))[ \t]+)?  # hơn, trên, khoảng …
    (?P<n>
      (?<![\p{{L}}\p{{N}}.,/\-–])                         # not glued to a code, a word, a date or a range
      (?<!\d[ \t]*[,;&][ \t]*)                             # not the last of a list of numbers ("01, 02, 03")
      (?<!\d[ \t]*(?:[-–]|(?i:đến|tới|và|hoặc))[ \t]*)      # nor a range's or a pair's end ("mục 1 đến 4 nêu")
      \d+(?:[.,]\d+)*(?![.,]?\d)                          # digits only: "một cửa" is no count
      (?:[ \t]+(?i:{scale})(?!\p{{L}}))?                  # "1,2 nghìn"
    )
    (?=[ \t]+\p{{L}})                                     # a word follows
    """, regex.VERBOSE | regex.V1)


def _inside_breakdown(text: str, pos: int, count_ends: list[int]) -> bool:
    """Say whether pos is inside "(…)" right after a count: "03 người (01 hiệu trưởng; …)" is read elsewhere."""
    open_at = text.rfind("(", max(0, pos - 200), pos)
    if open_at < 0 or text.rfind(")", open_at, pos) >= 0:
        return False
    i = bisect.bisect_right(count_ends, open_at) - 1
    if i < 0:
        return False
    between = text[count_ends[i]:open_at]
    return len(between) <= 80 and not regex.search(r"[.,;:!?\n\d]", between)


_NEXT_WORD = regex.compile(r"[ \t]+(\p{L}+)")


def _may_be_counted(text: str, end: int, words: OpenCountWords) -> bool:
    """Say, before any tagging, whether the word after a number could be a counted noun (tagging is dearer)."""
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False
    w = m.group(1)
    if not (w[0].islower() or (w.isupper() and len(w) >= 2)):
        return False                       # a name or a title ("3 Kim Đồng", "45 Quyết định")
    low = w.lower()
    return low not in words.not_counted and low not in _stop_words()


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(w for w in vocabulary().stop_words if " " not in w)


def _word_like(s: str) -> bool:
    """Say whether a token can be a counted noun: letters only, not a lone Latin letter ("3.359 x 2.000").

    A lone Vietnamese letter is a word ("3 ổ dịch"); a lone ASCII letter is a variable or a sign.
    """
    letters = s.replace(" ", "")
    return letters.isalpha() and (len(letters) >= 2 or not letters.isascii())


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(text.rfind("\n", 0, start) + 1, start - WINDOW_BEFORE)
    stops = list(_WINDOW_STOP.finditer(text, lo, start))
    if stops:
        lo = stops[-1].end()
    stop = _WINDOW_STOP.search(text, end, min(len(text), end + WINDOW_AFTER))
    hi = stop.start() if stop else min(len(text), end + WINDOW_AFTER)
    return lo, hi


#: A form's answer: "Số đơn nhận được: 05" — a label naming a number of things, a colon, a bare number ending it.
_FORM_ANSWER = regex.compile(r"""
    (?m)^[ \t]*(?:[-+•*–~][ \t]*)?                         # the line, maybe a list item
    (?P<label>(?i:tổng\s+số|số\s+lượng|số)[ \t]+\p{L}[^\n:;.]{0,80}?)  # "Số đơn nhận được", "Tổng số hộ"
    [ \t]*:[ \t]*
    (?P<n>\d{1,3}(?:\.\d{3})*|\d{1,6})                    # a whole number: a count, never a phone or code
    (?=[ \t]*(?:[.;,]|$))                                 # and nothing after it on its line but an end mark
    """, regex.VERBOSE | regex.V1)


def _form_answers(text: str) -> list[Figure]:
    """Return the counts a form states after its labels: "Số đơn nhận được: 05" -> 5, "đơn nhận được"."""
    out: list[Figure] = []
    for m in _FORM_ANSWER.finditer(text):
        reading = parse_number(m.group("n"))
        if reading is None:
            continue
        what = regex.sub(r"^(?i:tổng\s+số|số\s+lượng|số)\s+", "", m.group("label")).strip()
        out.append(Figure(kind="count", value=reading.value, unit="count", raw=m.group("n"),
                          char_start=m.start("n"), char_end=m.end("n"), subject=what))
    return out


def find_open_counts(text: str, found: list[Figure]) -> list[Figure]:
    """Return counts of any noun at numbers no other figure covers ("15 cầu treo"), and forms' answers."""
    held = sorted((f.char_start, f.char_end) for f in found)
    forms = [f for f in _form_answers(text)
             if not any(a < f.char_end and f.char_start < b for a, b in held)]
    spans = sorted([*held, *((f.char_start, f.char_end) for f in forms)])
    starts = [s for s, _ in spans]
    count_ends = sorted(f.char_end for f in found if f.kind == "count")
    words = open_count_words()
    cands: list[regex.Match[str]] = []
    for m in _candidate_regex().finditer(text):
        a, b = m.start("n"), m.end("n")
        i = bisect.bisect_left(starts, b)
        if i > 0 and max(e for _, e in spans[max(0, i - 8):i]) > a:
            continue                       # a figure of the regex grammar holds this number
        if not _may_be_counted(text, b, words) or _inside_breakdown(text, a, count_ends):
            continue
        cands.append(m)
    if not cands:
        return forms                       # no NLP needed: the pipeline is not even loaded

    from extractors.nlp import count_matcher, tag_windows

    windows = [_window(text, m.start("n"), m.end("n")) for m in cands]
    docs = tag_windows(text[lo:hi] for lo, hi in windows)
    matcher = count_matcher()
    out: list[Figure] = []
    for m, (lo, _), doc in zip(cands, windows, docs, strict=True):
        first = next((t for t in doc if t.idx == m.start("n") - lo), None)
        if first is None:
            continue                       # the segmenter glued the number to something: not a plain count
        # The longest match starting at the number: a scale word may lie between ("1,2 nghìn cột đèn").
        noun = max(((e, doc[e - 1]) for _, s, e in matcher(doc) if s == first.i), default=(0, None),
                   key=lambda x: x[0])[1]
        if noun is None or noun.idx + lo < m.end("n"):
            continue
        if _norm(noun.text) in words.not_counted or not _word_like(noun.text):
            continue
        if first.i > 0:
            prev = doc[first.i - 1]
            if prev.tag_ in _NOUN_TAGS and _norm(prev.text) not in words.count_after:
                continue                   # "lớp 3 trường", "Tổ 5 thôn": the number names, it does not count
            if prev.tag_ == "M":
                continue                   # two numbers in a row: a table row, not a count
        reading = parse_number(m.group("n"))
        if reading is None:
            continue
        end = lo + noun.idx + len(noun.text)
        q = m.group("qual")
        fig = Figure(kind="count", value=reading.value, unit="count", raw=text[m.start():end],
                     char_start=m.start(), char_end=end, subject=noun.text,
                     qualifier=vocabulary().qualifiers.get(_norm(q)) if q else None)
        fig.ambiguous = reading.ambiguous
        if reading.alt_value is not None:
            fig.alt_value = reading.alt_value
        out.append(fig)
    return [*forms, *out]
