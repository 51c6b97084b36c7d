"""Doubt made visible: separator ambiguity, implausible values, parts that do not add up to their total."""

from __future__ import annotations

from decimal import Decimal

import regex

from extractors.model import Figure
from extractors.vocab import PlausibilityRule, vocabulary

#: A reading this many times larger than every unambiguous figure of the same unit in the document is suspect.
PROFILE_RATIO = Decimal(1000)

#: A figure written "465.4 tỷ đồng" (a dot and one or two digits) shows the author writes decimals with a dot.
_DOT_DECIMAL = regex.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.,])")


def plausibility_rule(fig: Figure) -> PlausibilityRule | None:
    """Return the first plausibility rule for the figure's unit whose cues match its subject (or no cues)."""
    context = f"{fig.subject or ''} {fig.raw}".lower()
    for rule in vocabulary().plausibility:
        if rule.unit != fig.unit:
            continue
        if not rule.cues or any(c in context for c in rule.cues):
            return rule
    return None


def plausible(fig: Figure, value: Decimal) -> bool:
    """Say whether value is a sane reading of this figure."""
    rule = plausibility_rule(fig)
    if rule is None:
        return True
    return rule.min <= abs(value) <= rule.max


def uses_dot_decimals(figures: list[Figure]) -> bool:
    """Say whether any figure of the document is written with a dot as decimal mark ("465.4 tỷ đồng")."""
    return any(f.ambiguous and f.alt_value is None and _DOT_DECIMAL.search(f.raw) for f in figures)


def resolve_separators(figures: list[Figure]) -> None:
    """Pick the plausible reading of each ambiguous number and flag it; leave clean numbers alone."""
    dot_habit = uses_dot_decimals(figures)
    largest: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for f in figures:
        if not f.ambiguous and f.value is not None:
            largest[f.unit] = max(largest.get(f.unit, Decimal(0)), abs(f.value))
            counts[f.unit] = counts.get(f.unit, 0) + 1
    for f in figures:
        if not f.ambiguous:
            continue
        if f.value is None or f.alt_value is None:
            f.add_flag("ambiguous_separator")       # "465.4", "1,234.5": breaks the convention outright
            continue
        conv, alt = f.value, f.alt_value
        conv_ok = plausible(f, conv)
        if counts.get(f.unit, 0) >= 2 and largest[f.unit] > 0 and abs(conv) > largest[f.unit] * PROFILE_RATIO:
            conv_ok = False                          # out of all proportion with the document's other figures
        if not conv_ok and plausible(f, alt):
            f.value, f.alt_value = alt, conv
            f.add_flag("ambiguous_separator")
        elif dot_habit:
            f.add_flag("ambiguous_separator")
        else:
            f.alt_value = None                       # the convention's reading stands, nothing to doubt


def flag_implausible(figures: list[Figure]) -> None:
    """Flag values outside the sane range for their unit and subject."""
    for f in figures:
        for v in (f.value, f.min, f.max):
            if v is not None and not plausible(f, v):
                f.add_flag("implausible")
                break


def check_sums(figures: list[Figure]) -> None:
    """Flag totals (and their parts) whose parts do not add up: several parts must sum to the total."""
    parts: dict[int, list[Figure]] = {}
    for f in figures:
        if f.part_of is not None:
            parts.setdefault(f.part_of, []).append(f)
    for idx, members in parts.items():
        total = figures[idx]
        if total.value is None or any(p.value is None for p in members):
            continue
        s = sum((p.value for p in members if p.value is not None), Decimal(0))
        if s > total.value or (len(members) >= 2 and s != total.value):
            total.add_flag("sum_mismatch")
            for p in members:
                p.add_flag("sum_mismatch")
