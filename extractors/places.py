"""Places: the province and district a document is about, and place names spelled canonically."""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

from extractors.casing import is_upper, prose_case
from extractors.vocab_meta import District, fold, fold_chars, vocab

# A district named by its level word: "huyện Hiệp Hòa", "Huyện ủy Bình Sơn", "HUYỆN KRÔNG NÔ".
DISTRICT = regex.compile(
    r"""
    (?<![\p{L}])                          # a whole word
    (?i:huyện|thị\s+xã|quận)              # the level word, any case
    (?:[^\S\n]+(?i:ủy|uỷ))?               # "Huyện ủy X" names the district too
    [^\S\n]+                              # then its proper name:
    (?P<name>\p{Lu}[\p{L}'’‘`´°\-]*       #   capitalised words ("Đắk R'Lấp", "Krông Nô"); OCR reads
        (?:[^\S\n]+\p{Lu}[\p{L}'’‘`´°\-]*){0,3})   #   the apostrophe as ’ ‘ ` ´ or °
    """,
    regex.VERBOSE,
)

# A header whose body is a province's or a city's: no district to look for in the prose.
PROVINCE_LEVEL = regex.compile(
    r"""
    (?i)(?<![\p{L}])                      # a whole word, any case
    (?:tỉnh|thành\s+phố)                  # "tỉnh", "thành phố"
    (?![\p{L}])                           # ends at a word boundary
    """,
    regex.VERBOSE,
)


def place_of(body: str) -> str | None:
    """Return the level and canonical name of the province or district a body's name ends with."""
    m = DISTRICT.search(body)
    district = district_in(body, province_in(body, need_level=False)) if m else None
    if m and district:
        level = " ".join(m.group()[:m.start("name") - m.start()].split()).lower()   # "huyện", "thị xã"
        if fold(level).endswith(" uy"):
            return f"{level.split()[0].capitalize()} ủy {district}"   # a Party committee: "Huyện ủy X"
        return f"{level} {district}"
    folded = fold_chars(body)
    for pm in _province_regex().finditer(folded):
        level = fold(pm.group("level") or "")
        key = " ".join(regex.split(r"[\s\-–]+", pm.group("p")))
        province = _province_by_fold().get(key)
        written = _PROVINCE_LEVELS.get(level)
        if province and written:
            return f"{written} {province}"
    return None


#: Words that start the next unit's name, so they end a district's (not folded: "Thanh Trì" is a name).
_LEVEL_WORDS = frozenset({"tỉnh", "tp", "tp.", "huyện", "quận", "xã", "phường"})
#: A province's level words as prose writes them, by their folded form.
_PROVINCE_LEVELS = {"tinh": "tỉnh", "thanh pho": "thành phố", "tinh uy": "Tỉnh ủy", "thanh uy": "Thành ủy"}


def _squash(s: str) -> str:
    """Return a place-name key that ignores case, diacritics, spaces and apostrophes ('Đăk R°Láp' -> 'dakrlap')."""
    return regex.sub(r"[^a-z0-9]", "", fold(s))


@cache
def _districts_by_key() -> dict[str, list[District]]:
    out: dict[str, list[District]] = {}
    for d in vocab().districts:
        out.setdefault(_squash(d.name), []).append(d)
    return out


def _within_one(a: str, b: str) -> bool:
    """Return whether a and b differ by at most one inserted, deleted or replaced character."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:] if i < len(b) else True


def _known_district(words: list[str], province: str | None = None) -> tuple[str, int] | None:
    """Return (canonical name, words used) of the known district the words start with; one OCR slip allowed."""
    table = _districts_by_key()
    keys = [(k, _squash(" ".join(words[:k]))) for k in range(min(len(words), 4), 0, -1)]
    for k, key in keys:
        if key in table:
            return table[key][0].name, k
    for k, key in keys:
        if len(key) >= 6:                   # short names are too easy to hit by accident
            # a near miss in another province is a different district ("Mường Lát" is not "Mường La")
            near = {d.name for other, ds in table.items() if _within_one(other, key) for d in ds
                    if province is None or d.province == province}
            if len(near) == 1:
                return near.pop(), k
    return None


def province_of_district(name: str) -> str | None:
    """Return the province of a known district, unless its name is shared with another province."""
    if name in vocab().shared_district_names:
        return None
    provinces = {d.province for d in _districts_by_key().get(_squash(name), [])}
    return provinces.pop() if len(provinces) == 1 else None


def canonical_places(issuer: str, province: str | None = None) -> str:
    """Spell the district and province an issuer names as the table does ('huyện Đăk R°Láp' -> "huyện Đắk R'Lấp")."""
    m = DISTRICT.search(issuer)
    if m:
        words = m.group("name").split()
        known = _known_district(words, province)
        if known:
            # words after the district's name are OCR noise of the next line ("HIỆP HÒA KÉ HOẠCH")
            issuer = issuer[:m.start("name")] + known[0] + issuer[m.end("name"):]
    folded = fold_chars(issuer)
    for pm in _province_regex().finditer(folded):
        level = fold(pm.group("level") or "")
        province = _province_by_fold().get(" ".join(regex.split(r"[\s\-–]+", pm.group("p"))))
        if not province or not level:
            continue
        written = _PROVINCE_LEVELS.get(level, issuer[pm.start("level"):pm.end("level")].strip())
        issuer = f"{issuer[:pm.start('level')]}{written} {province}{issuer[pm.end('p'):]}"
        break
    return issuer


@cache
def _province_regex() -> Any:
    v = vocab()
    names: list[str] = []
    for p in v.provinces:
        names.extend([p.name, *p.variants])
    alt = "|".join(
        r"[\s\-–]+".join(regex.escape(w) for w in fold(n).split())
        for n in sorted(set(names), key=lambda n: len(fold(n)), reverse=True)
    )
    levels = "|".join(r"\s+".join(regex.escape(w) for w in fold(lv).split()) for lv in v.province_levels)
    return regex.compile(
        rf"""
        (?<![a-z])                        # a whole word of the folded text (lower case, no diacritics)
        (?P<level>(?:{levels})\s+)?       # "tinh", "thanh pho", "tinh uy" before the name, if any
        (?P<p>{alt})                      # a province's name or variant, longest first
        (?![a-z])                         # ends at a word boundary
        """,
        regex.VERBOSE,
    )


@cache
def _province_by_fold() -> dict[str, str]:
    out: dict[str, str] = {}
    for p in vocab().provinces:
        for n in (p.name, *p.variants):
            out[fold(n).replace("-", " ")] = p.name
    return out


@cache
def _bare_name_ok() -> dict[str, bool]:
    return {fold(p.name): not p.needs_level for p in vocab().provinces}


def province_in(s: str, *, need_level: bool) -> str | None:
    folded = fold_chars(s)
    for m in _province_regex().finditer(folded):
        key = " ".join(regex.split(r"[\s\-–]+", m.group("p")))
        if not m.group("level") and (need_level or not _bare_name_ok().get(key, True)):
            continue
        return _province_by_fold().get(key)
    return None


def district_in(s: str, province: str | None = None) -> str | None:
    m = DISTRICT.search(s)
    if not m:
        return None
    words = m.group("name").split()
    # a header's next line may name the province ("HUYỆN MƯỜNG LÁT TỈNH THANH HÓA"): the name ends there
    low = [w.lower() for w in words] + [""]
    cut = next((i for i in range(1, len(words)) if low[i] in _LEVEL_WORDS
                or (low[i], low[i + 1]) in {("thành", "phố"), ("thị", "xã"), ("thị", "trấn")}), len(words))
    words = words[:cut]
    known = _known_district(words, province)
    if known:
        return known[0]
    if is_upper(words[0]):
        # a name in capitals ends where the capitals end ("KRÔNG NÔ Thông báo")
        n = next((i for i, w in enumerate(words) if not is_upper(w)), len(words))
        return prose_case(" ".join(words[:n]))
    return " ".join(words)


