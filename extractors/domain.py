"""Which domain of the report a figure belongs to: kinh tế, văn hóa - xã hội, quốc phòng - an ninh ..."""

from __future__ import annotations

from functools import cache

import regex

from extractors.vocab import vocabulary


def _words(s: str) -> str:
    """Lower-case s and reduce punctuation (hyphens, commas) to single spaces: 'văn hóa- xã hội' -> 'văn hóa xã hội'."""
    return " ".join(regex.sub(r"[^\p{L}\p{N}]+", " ", s.lower()).split())


@cache
def _cues() -> list[tuple[str, str]]:
    pairs = [(_words(cue), dom) for dom, cues in vocabulary().domains.items() for cue in cues]
    return sorted(pairs, key=lambda p: -len(p[0]))


def domain_in(s: str) -> str | None:
    """Return the domain whose cue occurs last in s (the longest cue at a position wins), or None."""
    norm = f" {_words(s)} "
    best: tuple[int, int, str] | None = None
    for cue, dom in _cues():
        pos = norm.rfind(f" {cue} ")
        if pos < 0:
            continue
        end = pos + len(cue)
        key = (end, len(cue), dom)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


_FIELD = regex.compile(r"(?i)(?<!\p{L})lĩnh\s+vực(?!\p{L})")


def domain_label(clause: str) -> str | None:
    """Return the domain a clause labels its figure with: "lĩnh vực kinh tế 03 …", "văn hóa - xã hội: 74 …".

    A domain word elsewhere in the clause names an actor or a goal ("hệ thống chính trị huyện đã kêu gọi"),
    not the figure's domain, so only these two label shapes count.
    """
    last = None
    for m in _FIELD.finditer(clause):
        last = m
    if last is not None:
        return domain_in(clause[last.end():])
    stripped = clause.rstrip()
    if stripped.endswith(":"):
        head = regex.split(r"[;,.(]", stripped[:-1])[-1]
        return domain_in(head)
    return None


def domain_of(clause: str, headings: list[str]) -> str | None:
    """Return the domain a clause labels its figure with, else the one named by its innermost heading."""
    found = domain_label(clause)
    if found:
        return found
    for title in reversed(headings):
        found = domain_in(title)
        if found:
            return found
    return None
