"""Match a figure to one indicator of extractors/data/vi/indicators.yaml, with how sure the match is."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import regex

from extractors.vocab import VocabularyError, load

#: How sure a match is, by where the phrase was found.
CONFIDENCE = {"subject": 0.9, "row": 0.8, "left": 0.6}
#: Kinds whose subject is the thing counted: when it names no indicator, the words before it do not either.
COUNTED = ("count", "ratio")
#: How far left of the figure (characters, same clause) the words may name its indicator.
LEFT_WINDOW = 80


@dataclass(frozen=True)
class Indicator:
    """One shared indicator: a stable id, its Vietnamese name, the figure kinds and unit it takes."""

    id: str
    name: str
    kinds: tuple[str, ...]
    unit: str
    synonyms: tuple[str, ...]


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).lower().replace("-", " ").split())


@cache
def indicators() -> tuple[Indicator, ...]:
    """Return the curated indicators, in file order."""
    data = load("indicators.yaml")
    out: list[Indicator] = []
    seen: set[str] = set()
    for entry in data or []:
        try:
            ind = Indicator(id=entry["id"], name=entry["name"], kinds=tuple(entry["kinds"]), unit=entry["unit"],
                            synonyms=tuple(_norm(s) for s in [entry["name"], *entry.get("synonyms", [])]))
        except (KeyError, TypeError) as exc:
            raise VocabularyError(f"indicators.yaml: entry {entry!r} lacks {exc}; give id, name, kinds, unit, "
                                  "synonyms") from exc
        if ind.id in seen:
            raise VocabularyError(f"indicators.yaml: id '{ind.id}' appears twice; ids must be unique")
        seen.add(ind.id)
        out.append(ind)
    return tuple(out)


def by_id(ident: str) -> Indicator | None:
    """Return the indicator with this id or Vietnamese name, or None."""
    key = _norm(ident)
    return next((i for i in indicators() if i.id == ident or _norm(i.name) == key), None)


@cache
def _phrase_re() -> regex.Pattern[str]:
    phrases = sorted({s for i in indicators() for s in i.synonyms}, key=len, reverse=True)
    alts = "|".join(regex.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return regex.compile(
        rf"""
        (?<!\p{{L}})        # a whole word
        (?P<p>{alts})       # one indicator phrase, longest first
        (?!\p{{L}})         # not the start of a longer word
        """,
        regex.VERBOSE,
    )


def _owners(kind: str) -> dict[str, Indicator]:
    # Phrase -> indicator taking this kind; an earlier entry keeps a phrase two entries share.
    out: dict[str, Indicator] = {}
    for ind in indicators():
        if kind in ind.kinds:
            for s in ind.synonyms:
                out.setdefault(s, ind)
    return out


def _best(text: str, owners: dict[str, Indicator], *, last: bool) -> Indicator | None:
    hits = [(m.start(), len(m["p"]), _norm(m["p"])) for m in _phrase_re().finditer(text)]
    hits = [h for h in hits if h[2] in owners]
    if not hits:
        return None
    # Before a figure the nearest words name it (the last phrase); in a label the longest phrase does.
    key = (lambda h: (h[0] + h[1], h[1])) if last else (lambda h: (h[1], -h[0]))
    return owners[max(hits, key=key)[2]]


def match_indicator(kind: str, subject: str | None = None, row: str | None = None,
                    left: str | None = None) -> tuple[str, float] | None:
    """Return (indicator id, confidence) for a figure of this kind, from its subject, row label or left words."""
    owners = _owners(kind)
    if not owners:
        return None
    for where, text in (("subject", subject), ("row", row)):
        if text:
            ind = _best(_norm(text), owners, last=False)
            if ind is not None:
                return ind.id, CONFIDENCE[where]
    if left and not (subject and kind in COUNTED):
        tail = _norm(left[-LEFT_WINDOW:])
        cut = max(tail.rfind(c) for c in ";.:\n")
        ind = _best(tail[cut + 1:] if cut >= 0 else tail, owners, last=True)
        if ind is not None:
            return ind.id, CONFIDENCE["left"]
    return None
