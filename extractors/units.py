"""Read the unit phrase of a table header or ĐVT cell: "Triệu đồng" -> money, VND, 1e6.

The words are those prose reads after a number (units.yaml, scales.yaml, count_nouns.yaml), so a header
and a sentence give one unit the same kind and factor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.chars import FROM_SUPERSCRIPT, SUPERSCRIPT_DIGITS
from extractors.vocab import table_key, table_vocabulary

_COUNTED = re.compile(r"^(\d+(?:\.\d{3})*)\s*(?=[^\W\d_])")          # "1000con", "1.000 tấn"
_PLAIN_NOUN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+){0,2}")           # "Nghìn cây": a counted noun
_POWER_OF_TEN = re.compile(rf"^10(?:([{SUPERSCRIPT_DIGITS}]{{1,2}})|\^(\d{{1,2}}))\s*")  # "10⁶ m³", "10^6 m3"


@dataclass(frozen=True)
class UnitSpec:
    """What a unit phrase means: kind, canonical unit, factor to it, and the rate denominator."""

    kind: str
    unit: str
    factor: Decimal | int      # "mm" is 0.001 m
    per: str | None = None


def parse_unit(text: str) -> UnitSpec | None:
    """Read a unit phrase of a header or ĐVT cell: "Triệu đồng" -> money, VND, 1e6."""
    v = table_vocabulary()
    whole = table_key(text)
    if whole in v.units:                       # "Tỷ lệ (%)": a unit phrase with its own brackets
        entry = v.units[whole]
        return UnitSpec(entry.kind, entry.unit, entry.factor)
    t = whole.strip(" .:()")
    t = re.sub(r"^\((.*)\)$", r"\1", t).strip()
    if not t:
        return None
    if t in v.units:
        entry = v.units[t]
        return UnitSpec(entry.kind, entry.unit, entry.factor)
    base, _, rest = t.partition("/")
    base = base.strip()
    per = " ".join(rest.replace(" /", "/").split()) or None
    factor: Decimal | int = 1
    power = _POWER_OF_TEN.match(base)
    if power:                                  # a power of ten, not the number 106
        factor, base = 10 ** int((power.group(1) or power.group(2)).translate(FROM_SUPERSCRIPT)), base[power.end():]
    counted = None if power else _COUNTED.match(base)
    if counted:
        factor, base = int(counted.group(1).replace(".", "")), base[counted.end():].strip()
    for scale, mult in sorted(v.scales.items(), key=lambda kv: -len(kv[0])):
        if base.startswith(scale) and (len(base) == len(scale) or not base[len(scale)].isalpha()):
            factor, base = factor * mult, base[len(scale):].strip(" .")
            break
    if base in v.units:
        entry = v.units[base]
        return UnitSpec(entry.kind, entry.unit, factor * entry.factor, per)
    if base in v.count_nouns or (base and _PLAIN_NOUN.fullmatch(base) and factor > 1):
        return UnitSpec("count", "count", factor, per)
    return None
