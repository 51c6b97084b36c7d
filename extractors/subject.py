"""What a figure is about: its subject phrase (in the document's words) and the place it is attributed to."""

from __future__ import annotations

from functools import cache

import regex

from extractors.model import Figure
from extractors.vocab import alternation, vocabulary

#: Longest subject taken from a clause, in syllables (the words nearest the number are kept).
MAX_CLAUSE_SYLLABLES = 16
#: Longest noun phrase taken after a number or unit, in syllables.
MAX_NOUN_SYLLABLES = 6

_PUNCT_STOP = regex.compile(r"[.,;:!?()\[\]“”\"…\n]|\s[-–]\s")


@cache
def _place_regex() -> regex.Pattern[str]:
    prefixes = alternation(list(vocabulary().places))
    return regex.compile(rf"""
    (?<!\p{{L}})(?i:{prefixes})                           # xã, thị trấn, huyện ...
    (?:\s+(?:\p{{Lu}}[\p{{L}}]*|\d+))+                    # a capitalized name ("Bình Minh") or a number
    """, regex.VERBOSE | regex.V1)


@cache
def _word_set_regex(kind: str, anchored: str) -> regex.Pattern[str]:
    words = getattr(vocabulary(), kind)
    alt = alternation(list(words))
    if anchored == "start":
        return regex.compile(rf"^(?:{alt})(?!\p{{L}})\s*", regex.IGNORECASE | regex.V1)
    return regex.compile(rf"(?<!\p{{L}})(?:{alt})\s*$", regex.IGNORECASE | regex.V1)


def _syllables(s: str) -> list[str]:
    return s.split()


def noun_phrase_after(text: str, pos: int, limit: int = 200) -> str | None:
    """Return the noun phrase starting at pos (up to a stop word or punctuation), or None."""
    window = text[pos:pos + limit]
    lead = len(window) - len(window.lstrip(" \t"))
    window = window[lead:]
    if not window or not regex.match(r"\p{L}", window):
        return None
    cut = _PUNCT_STOP.search(window)
    if cut:
        window = window[:cut.start()]
    stops = set(vocabulary().stop_words)
    words: list[str] = []
    tokens = window.split()
    i = 0
    while i < len(tokens) and len(words) < MAX_NOUN_SYLLABLES:
        one = tokens[i].lower()
        two = " ".join(tokens[i:i + 2]).lower()
        if one in stops or two in stops:
            break
        words.append(tokens[i])
        i += 1
    return " ".join(words) or None


def _strip_clause(s: str) -> str:
    s = " ".join(s.split()).strip(" ,;:-–(")
    lead = _word_set_regex("lead_words", "start")
    trail = _word_set_regex("trail_words", "end")
    for _ in range(6):
        before = s
        s = lead.sub("", s).strip(" ,;:-–(")
        s = trail.sub("", s).strip(" ,;:-–(")
        if s == before:
            break
    return s


def _without_place(s: str) -> str:
    """Drop a trailing place phrase ("... của xã Bình Minh") from a clause subject."""
    m = None
    for found in _place_regex().finditer(s):
        m = found
    if m is not None and not s[m.end():].strip(" ,;:"):
        head = s[:m.start()].rstrip()
        head = regex.sub(r"(?i)(?<!\p{L})(?:của|tại|ở|thuộc)$", "", head).rstrip(" ,;:")
        return head
    return s


def clause_before(text: str, start: int, floor: int) -> str | None:
    """Return the clause that leads up to offset start (not before floor), trimmed to its subject words."""
    seg_floor = floor
    region = text[floor:start]
    for m in regex.finditer(r"[;:(\n]|,", region):
        seg_floor = floor + m.end()
    subject = _without_place(_strip_clause(text[seg_floor:start]))
    if not subject and seg_floor > floor:
        # The nearest comma segment was only a place or filler ("…Trạm Cây Trâm, xã Bình Long là"):
        # take the segment before it.
        prev_region = text[floor:seg_floor - 1]
        prev_floor = floor
        for m in regex.finditer(r"[;:(\n]|,", prev_region):
            prev_floor = floor + m.end()
        subject = _without_place(_strip_clause(text[prev_floor:seg_floor - 1]))
    words = _syllables(subject)
    if not words:
        return None
    return " ".join(words[-MAX_CLAUSE_SYLLABLES:])


def subject_of(text: str, fig: Figure, floor: int) -> str | None:
    """Return the subject of fig: the counted noun phrase, the noun after the unit, or the clause before."""
    meta = set(vocabulary().meta_nouns)
    if fig.kind in ("count", "ratio") and fig.subject:
        noun = " ".join(fig.subject.split())
        if not text[fig.char_end:fig.char_end + 1].isspace():
            return noun
        rest = noun_phrase_after(text, fig.char_end)
        return f"{noun} {rest}" if rest else noun
    after = noun_phrase_after(text, fig.char_end)
    if after and after.lower() not in meta and not any(after.lower().startswith(m + " ") for m in meta):
        return after
    return clause_before(text, fig.char_start, floor)


def place_of(text: str, fig: Figure, sent_start: int, sent_end: int) -> str | None:
    """Return the nearest place named before the figure in its sentence, else the first after it in its clause."""
    before = None
    for m in _place_regex().finditer(text, sent_start, fig.char_start):
        before = m
    if before is not None:
        return " ".join(before.group(0).split())
    clause_end = sent_end
    stop = regex.compile(r"[;.]").search(text, fig.char_end, sent_end)
    if stop:
        clause_end = stop.start()
    after = _place_regex().search(text, fig.char_end, clause_end)
    return " ".join(after.group(0).split()) if after else None
