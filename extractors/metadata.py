"""Read what a document says about itself: number, type, issuer, place, dates, signer and title."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

import regex

from extractors.model import Metadata, Reference
from extractors.references import (
    DATE,
    NUMBER,
    SYMBOL_PART,
    Layout,
    canonical_number,
    clean_issuer,
    extract_references,
    iso_date,
    type_from_symbol,
)
from extractors.vocab_meta import District, alternation, fold, fold_chars, vocab

#: How far into a document its header may reach (characters).
HEADER_CHARS = 4000
#: How far into a document the first sentences naming the author may reach.
BODY_CHARS = 6000

# The header's own number: "Số 374-BC/HU", "Số: 1064/STC-QLNS", "Số: 216 /BC-STC" at a line start.
DOC_NUMBER = regex.compile(
    rf"""
    (?:
        (?m:^)[^\S\n]*\|?[^\S\n]*         # at a line start (md tables may leave a '|'):
        Số[^\S\n]*[:.]?                     #   "Số", "Số:", "Số."
      |
        (?<=\s)Số[^\S\n]*:                  # or inside a header flattened to one line: "Số:" only
    )
    [^\S\n]*                              # spaces before the number
    {NUMBER}                              # the number and symbol
    """,
    regex.VERBOSE,
)

# A header number left blank for hand-writing: "Số:     /HD-MTTQ-BTT", "Số: … /KH-THCS".
BLANK_NUMBER = regex.compile(
    rf"""
    (?:(?m:^)[^\S\n]*\|?[^\S\n]*|(?<=\s))  # a line start, or inside a flattened header
    Số[^\S\n]*:?[^\S\n]*                  # "Số:"
    [….\s]*                               # blanks or dots where the number will be written
    /(?P<sym>{SYMBOL_PART}(?:[-/]{SYMBOL_PART})*)   # the symbol only
    (?![\p{{L}}\d])                       # ends at a word boundary
    """,
    regex.VERBOSE,
)

# An annex names the document it belongs to under its title: "(Kèm theo Công văn số 1064/STC-QLNS ...)".
ATTACHED_TO = regex.compile(
    r"""
    (?:(?m:^)[^\S\n]*\(?|\()            # at a line start or after "(", not "... ban hành kèm theo ..." in prose
    [^\S\n]*(?:K|k(?<=\(k))èm\s+theo\s+   # "Kèm theo"; lower case only right after "("
    """,
    regex.VERBOSE,
)

# "Bình Sơn, ngày 15 tháng 12 năm 2021": place and date of issue (the date may wrap in md).
PLACE_DATE = regex.compile(
    rf"""
    (?P<place>\p{{Lu}}[\p{{L}}'’.\-]*(?:[^\S\n]+\p{{Lu}}[\p{{L}}'’.\-]*){{0,3}})   # capitalised place words
    [^\S\n]*,[^\S\n]*                     # the comma after the place
    ngày\s+                               # "ngày"
    {DATE}                                # the date, d/m/y or "d tháng m năm y"
    """,
    regex.VERBOSE,
)

# The national motto printed beside the issuer in every header, matched on folded text (no diacritics,
# lower case, same offsets) so OCR slips in its diacritics ("CỌNG HÒA", "Độc lâp") do not matter.
MOTTO = regex.compile(
    r"""
    cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam      # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    | doc\s+lap\s*[-–]\s*tu\s+do\s*[-–]\s*hanh\s+phuc      # "Độc lập - Tự do - Hạnh phúc"
    """,
    regex.VERBOSE,
)

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

# "năm 2021" in a title; the year a report covers.
YEAR_IN_TITLE = regex.compile(
    r"""
    (?<![\p{L}])(?i:năm)[^\S\n]+          # "năm", any case
    (?P<y>(?:19|20)\d{2})(?!\d)           # a four-digit year
    """,
    regex.VERBOSE,
)

# "THÁNG 05/2019", "quý I/2019" in a title: the period, and so the year, a report covers.
PERIOD_IN_TITLE = regex.compile(
    r"""
    (?<![\p{L}])(?i:tháng|quý)[^\S\n]+    # "tháng", "quý", any case
    (?:\d{1,2}|[IV]{1,3})[^\S\n]*/[^\S\n]*  # the month or the quarter, then "/"
    (?P<y>(?:19|20)\d{2})(?!\d)           # a four-digit year
    """,
    regex.VERBOSE,
)

# A place-date line whose day was left blank or hand-written ("Krông Nô, ngày    tháng 7 năm 2019"):
# no date of issue, but still its year.
YEAR_OF_ISSUE = regex.compile(
    r"""
    (?<![\p{L}])ngày[^\n]{0,6}?             # "ngày", then at most a few OCR specks instead of the day
    [^\S\n]*tháng[^\S\n]+\d{1,2}            # "tháng 7"
    [^\S\n]+năm[^\S\n]+(?P<y>(?:19|20)\d{2})(?!\d)   # "năm 2019"
    """,
    regex.VERBOSE,
)


@dataclass
class HeaderNumber:
    """The document's own number as found in its header (or in an annex's 'Kèm theo' line)."""

    number: str | None
    symbol: str | None
    start: int
    end: int
    attached: Reference | None = None


def find_doc_number(text: str) -> tuple[str | None, HeaderNumber] | None:
    """Return (number, where) of the document's own number, or None if its header has none."""
    type_m = _find_type_line(text)
    head = text[:type_m.start() if type_m else HEADER_CHARS]   # the number is printed above the title
    m = DOC_NUMBER.search(head)
    if m:
        number = canonical_number(text[m.start("num"):m.end("sym")])
        return number, HeaderNumber(number, m.group("sym"), m.start(), m.end())
    b = BLANK_NUMBER.search(head)
    if b:
        return None, HeaderNumber(None, b.group("sym"), b.start(), b.end())
    a = ATTACHED_TO.search(text, 0, HEADER_CHARS)        # an annex names its document under its title
    if a:
        refs = extract_references(text[a.end():a.end() + 400], own=None)
        if refs and refs[0].char_start == 0:
            ref = refs[0]
            nm = regex.match(NUMBER, ref.number, flags=regex.VERBOSE)
            sym = nm.group("sym") if nm else None
            return ref.number, HeaderNumber(ref.number, sym, a.start(), a.end() + ref.char_end, ref)
    return None


@cache
def _type_line() -> Any:
    titles = alternation([t.title for t in vocab().doc_types])
    return regex.compile(
        rf"""
        (?m)
        (?:
            (?:^|[^\S\n]{{2,}})[^\S\n]*\|?[^\S\n]*   # line start, or a wide gap after a left column
            (?P<type>{titles})                   # the capitalised type word ("BÁO CÁO")
            (?![\p{{L}}:])                       # whole word, and not "QUYẾT ĐỊNH:" (the enacting formula)
            (?P<rest>[^\n]*)$                    # the title may follow on the same line
          |
            (?<=\S[^\S\n]+)                      # or at the end of a header flattened into one line
            (?P<type>{titles})[^\S\n]*$            # ("... năm 2013 BÁO CÁO"), alone at the line end
            (?P<rest>)                           # with nothing after it
        )
        """,
        regex.VERBOSE,
    )


class _FoldedTypeLine:
    """A type line found on folded text, read back on the original text (same offsets)."""

    def __init__(self, m: Any, text: str, title: str) -> None:
        self._m, self._text, self._title = m, text, title

    def start(self, group: str | int = 0) -> int:
        return int(self._m.start(group))

    def end(self, group: str | int = 0) -> int:
        return int(self._m.end(group))

    def group(self, name: str | int = 0) -> str:
        if name == "type":
            return self._title              # the canonical title, not the OCR's "KÉ HOẠCH"
        return self._text[self._m.start(name):self._m.end(name)]


@cache
def _folded_titles() -> dict[str, str]:
    return {fold(t.title): t.title for t in vocab().doc_types}


def _find_type_line(text: str) -> Any:
    head = text[:HEADER_CHARS + 2000]
    for m in _type_line().finditer(head):
        rest = m.group("rest").strip()
        if rest and (not _is_upper(rest) or rest.startswith(":")):
            continue                        # "BÁO CÁO kết quả" inside prose is not the title line
        return m
    # OCR slips in the type word's diacritics ("KÉ HOẠCH"): match it without them, alone on its line
    # and printed in capitals.
    titles = "|".join(r"\s+".join(regex.escape(w) for w in t.split())
                      for t in sorted(_folded_titles(), key=len, reverse=True))
    alone = regex.compile(rf"(?m)^[^\S\n]*(?P<type>{titles})[^\S\n]*(?P<rest>)$")
    for m in alone.finditer(fold_chars(head)):
        if _is_upper(head[m.start("type"):m.end("type")]):
            title = _folded_titles()[" ".join(m.group("type").split())]
            return _FoldedTypeLine(m, text, title)
    return None


def _is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


@cache
def _body_start() -> Any:
    return regex.compile(rf"^(?:{alternation(vocab().body_starts)})(?![\p{{L}}])")


def _title(text: str, type_match: Any) -> str | None:
    """Return the title lines under the type word, up to the body, the addressee or a rule line."""
    lines: list[str] = []
    rest = type_match.group("rest").strip()
    upper = False
    if rest:
        lines.append(rest)
        upper = True
    pos = type_match.end()
    blank = False
    heads = _upper_heads()
    for raw_line in text[pos:pos + 1500].split("\n")[1:]:
        line = raw_line.strip(" \t|*_")
        if not line:
            blank = True
            continue
        if regex.fullmatch(r"[-_=.*\\…\s]+", line) or _body_start().match(line) or len(lines) >= 4:
            break
        if lines and blank:
            # A blank line ends the title unless a hard wrap split it: capitals go on in capitals,
            # a sentence-case title goes on in lower case after a line with no full stop.
            goes_on = (upper and _is_upper(line) and not heads.match(line)) or (
                not upper and line[:1].islower() and not lines[-1].endswith((".", ":", ";")))
            if not goes_on:
                break
        elif lines and upper and not _is_upper(line):
            break
        if not lines:
            upper = _is_upper(line)
        cut = _body_inline().search(line)
        if cut:
            lines.append(line[:cut.start()])
            break
        lines.append(line)
        blank = False
    title = " ".join(" ".join(lines).split())
    return title or None


@cache
def _upper_heads() -> Any:
    return regex.compile(rf"^(?:{alternation([h.upper() for h in vocab().issuer_heads])})(?![\p{{L}}])")


@cache
def _body_inline() -> Any:
    return regex.compile(rf"(?<=\S)[^\S\n]+(?:{alternation(vocab().body_starts)})(?![\p{{L}}])")


def _prose_case(upper: str) -> str:
    """Write a capitalised header phrase in prose case: 'ỦY BAN NHÂN DÂN TỈNH CÀ MAU' -> 'Ủy ban nhân dân tỉnh Cà Mau'."""
    v = vocab()
    words = upper.split()
    phrases = sorted(v.display.items(), key=lambda kv: len(kv[0].split()), reverse=True)
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, value in phrases:
            n = len(key.split())
            chunk = words[i:i + n]
            same = [w.upper() for w in chunk] == key.split() or (n > 1 and fold(" ".join(chunk)) == fold(key))
            if same and all(_is_upper(w) for w in chunk):   # "HỘI ĐÒNG NHÂN DÂN" (OCR) too
                out.append(value)
                i += n
                break
        else:
            w = words[i]
            if w in v.acronyms or not _is_upper(w) or len(w) == 1:
                out.append(w)
            else:
                out.append(regex.sub(r"(?<=^|['’‘`´°\-])(\p{L})(\p{L}*)", lambda m: m.group(1) + m.group(2).lower(), w))
            i += 1
    return " ".join(out)


def _heads_in(s: str) -> list[tuple[int, str, bool]]:
    """Return (word index, head, is_sub) of every issuing-body head in s, longest head at each word."""
    v = vocab()
    words = s.split()
    folded = [fold(w) for w in words]
    heads = sorted(v.issuer_heads, key=lambda h: len(h.split()), reverse=True)
    found: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(words):
        for h in heads:
            hw = fold(h).split()
            if folded[i:i + len(hw)] == hw and words[i][:1].isupper():
                found.append((i, h, h in v.sub_heads))
                i += len(hw) - 1
                break
        i += 1
    return found


def _issuer_from_header(header: str) -> str | None:
    if len(header.split()) > 3 and header.isascii():
        return None                         # no diacritics at all: a damaged text layer, not a header
    prose = _prose_case(header)
    words = prose.split()
    heads = _heads_in(prose)
    main = [h for h in heads if not h[2]]
    if not main:
        return None
    # The issuing body is printed under its parent ("UBND TỈNH ĐĂK NÔNG / SỞ TÀI CHÍNH"); OCR may swap
    # the lines, so take the last body whose name holds no level word, else the last body.
    levels = {fold(x) for x in (*vocab().province_levels, *vocab().district_levels)}
    bounds = [h[0] for h in main] + [len(words)]
    plain = [b for b, e in pairwise(bounds)
             if not any(fold(" ".join(words[k:k + n])) in levels
                        for k in range(b, e) for n in (1, 2))]
    start = plain[-1] if plain else main[-1][0]
    end = next(b for b in bounds if b > start)
    subs = [h for h in heads if h[2] and start < h[0] < end]
    if subs:
        sub_at = subs[0][0]                 # "... BAN THƯỜNG TRỰC": the standing board of that body
        return " ".join(words[sub_at:end] + words[start:sub_at])
    name = " ".join(words[start:end])
    if plain:
        # A department names its province or district only in its parent's line ("UBND TỈNH ĐĂK NÔNG /
        # SỞ TÀI CHÍNH"): the issuer is "Sở Tài chính tỉnh Đắk Nông".
        parents = [" ".join(words[b:e]) for b, e in pairwise(bounds) if b != start]
        place = next((p for p in map(_place_of, reversed(parents)) if p), None)
        if place and fold(place) not in fold(name):
            name = f"{name} {place}"
    return name


def _place_of(body: str) -> str | None:
    """Return the level and canonical name of the province or district a body's name ends with."""
    m = DISTRICT.search(body)
    district = _district_in(body, _province_in(body, need_level=False)) if m else None
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


def _province_of_district(name: str) -> str | None:
    """Return the province of a known district, unless its name is shared with another province."""
    if name in vocab().shared_district_names:
        return None
    provinces = {d.province for d in _districts_by_key().get(_squash(name), [])}
    return provinces.pop() if len(provinces) == 1 else None


def _canonical_places(issuer: str, province: str | None = None) -> str:
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


def _header_lines(text: str, end: int, skip: list[tuple[int, int]]) -> str:
    """Return the issuer part of the header: header text minus motto, number, date, stamps, rules."""
    v = vocab()
    chars = list(text[:end])
    for s, e in skip:
        for k in range(max(s, 0), min(e, end)):
            chars[k] = " "
    header = "".join(chars)
    for m in MOTTO.finditer(fold_chars(header)):
        header = header[:m.start()] + " " * (m.end() - m.start()) + header[m.end():]
    kept: list[str] = []
    stamp = regex.compile(rf"^(?:{alternation(v.stamp_labels)})\s*:")
    for line in header.split("\n"):
        for part in regex.split(r"[^\S\n]{2,}|\|", line):
            if part.lstrip().startswith(("-", "/")):
                continue                    # the tail of a symbol OCR split off ("Số: /KL -UBND")
            part = part.strip(" \t\\-_=*…")
            if not part or not regex.search(r"\p{L}{2}", part) or stamp.match(part) or "@" in part:
                continue
            if regex.search(r"\d", part):
                continue
            kept.append(part)
    capitals = [p for p in kept if _is_upper(p)]
    return " ".join(capitals or kept)       # a printed header is in capitals; other lines are body or noise


@cache
def _author_regex() -> Any:
    v = vocab()
    heads = alternation(v.issuer_heads)
    verbs = alternation(v.author_verbs)
    return regex.compile(
        rf"""
        (?:^|[,:;.]\s+|\n)                # the subject starts a clause or sentence
        (?P<issuer>(?:{heads})(?![\p{{L}}])[^,;.\n()“”"]{{0,80}}?)   # the body's name
        \s+(?:{verbs})(?![\p{{L}}])       # then the verb: "báo cáo", "ban hành"
        """,
        regex.VERBOSE,
    )


def _issuer_from_body(text: str) -> str | None:
    for m in _author_regex().finditer(text[:BODY_CHARS]):
        candidate = " ".join(m.group("issuer").split())
        cleaned = clean_issuer(candidate)
        if cleaned == candidate:
            return cleaned
    return None


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


def _province_in(s: str, *, need_level: bool) -> str | None:
    folded = fold_chars(s)
    for m in _province_regex().finditer(folded):
        key = " ".join(regex.split(r"[\s\-–]+", m.group("p")))
        if not m.group("level") and (need_level or not _bare_name_ok().get(key, True)):
            continue
        return _province_by_fold().get(key)
    return None


def _district_in(s: str, province: str | None = None) -> str | None:
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
    if _is_upper(words[0]):
        # a name in capitals ends where the capitals end ("KRÔNG NÔ Thông báo")
        n = next((i for i, w in enumerate(words) if not _is_upper(w)), len(words))
        return _prose_case(" ".join(words[:n]))
    return " ".join(words)


@cache
def _signer_regex() -> Any:
    v = vocab()
    titles = alternation([t.upper for t in v.titles])
    between = alternation(v.between)
    return regex.compile(
        rf"""
        (?<![\p{{L}}])(?P<title>{titles})(?![\p{{L}}])   # the title, in capitals ("PHÓ BÍ THƯ")
        [^\S\n]*\n?\s*                                   # then a line break or a column gap
        (?:(?:{between})\s*)?                            # "(Đã ký)" on copies
        (?:[^\p{{L}}\d\s]{{1,2}}[^\S\n]*\n\s*)?              # a line of OCR specks from the signature (":")
        (?P<name>\p{{Lu}}\p{{Ll}}+                       # the name: capitalised syllables
            (?:(?:[^\S\n]+|\n)\p{{Lu}}\p{{Ll}}*){{1,4}})  #   2-5 of them, a hard wrap allowed
        (?![\p{{L}}])                                    # ends at a word boundary
        """,
        regex.VERBOSE,
    )


@cache
def _title_display() -> dict[str, str]:
    return {t.upper: t.display for t in vocab().titles}


def _signer(text: str, start: int) -> tuple[str | None, str | None]:
    m = _signer_regex().search(text, start)
    if m:
        title = " ".join(m.group("title").split())
        return " ".join(m.group("name").split()), _title_display().get(title)
    # No name (a digitally signed document): the last title after "Nơi nhận".
    v = vocab()
    at = text.rfind("Nơi nhận")
    tail = text[at:] if at >= start else text[-2000:]
    titles = alternation([t.upper for t in v.titles])
    alone = regex.compile(
        rf"""
        (?m)(?<![\p{{L}}])(?P<t>{titles})   # a title in capitals, as a whole word
        [^\S\n]*$                          # ending its line ("- UBND tỉnh (B/c);   PHÓ GIÁM ĐỐC")
        """,
        regex.VERBOSE,
    )
    found = list(alone.finditer(tail))
    if found:
        return None, _title_display().get(" ".join(found[-1].group("t").split()))
    return None, None


def extract_metadata(text: str, layout: Layout | None = None) -> Metadata:
    """Return the document's own metadata from its header, title, first sentences and signature."""
    meta = Metadata()
    v = vocab()
    found = find_doc_number(text)
    hn: HeaderNumber | None = found[1] if found else None
    meta.doc_number = found[0] if found else None
    type_m = _find_type_line(text)
    header_end = type_m.start() if type_m else min(len(text), (hn.end + 300) if hn else 600)
    if type_m:
        meta.doc_type = type_m.group("type")
        meta.title = _title(text, type_m)
    elif hn and hn.symbol:
        t = type_from_symbol(hn.symbol)
        meta.doc_type = t.title if t else None
    skip: list[tuple[int, int]] = []
    if hn and not hn.attached:
        skip.append((hn.start, hn.end))
    pd = PLACE_DATE.search(text, 0, max(header_end, 1))
    if pd:
        meta.issued_date = iso_date(pd)
        skip.append((pd.start(), pd.end()))
    header = "" if hn and hn.attached else _header_lines(text, header_end, skip)
    if hn and hn.attached:
        meta.issued_date = meta.issued_date or hn.attached.date
    body_from = type_m.end() if type_m else header_end
    body_issuer = _issuer_from_body(text[body_from:])
    if hn and hn.attached:
        # an annex: the header region is the annex's table, the issuer is the covering document's
        meta.issuer = hn.attached.issuer or body_issuer
    else:
        printed = _is_upper(header)         # a header in capitals; else a flattened or decoded one
        candidate = _issuer_from_header(header) if header and (printed or type_m or hn) else None
        if candidate is not None and clean_issuer(candidate) != candidate:
            candidate = None                # "... về báo cáo ..." is prose, not a header
        meta.issuer = candidate
        if meta.issuer is None or (not printed and body_issuer and fold(body_issuer) == fold(meta.issuer)):
            meta.issuer = body_issuer or meta.issuer   # prose spells it best ("TRường thcs" -> "Trường THCS")
    # Province: the header (or place of issue), then "tỉnh X"/"Tỉnh ủy X", then any mention early on.
    place = pd.group("place") if pd else ""
    meta.province = (
        _province_in(header + " " + place + " " + (meta.issuer or ""), need_level=False)
        or _province_in(text[:BODY_CHARS], need_level=True)
        or _province_in(text[:3000], need_level=False)
    )
    # District: the header or issuer, else the first "huyện X" unless the issuer is a province's.
    meta.district = _district_in(header, meta.province) or _district_in(meta.issuer or "", meta.province)
    provincial = header and PROVINCE_LEVEL.search(_prose_case(header))
    if meta.district is None and not provincial:
        meta.district = _district_in(text[:BODY_CHARS], meta.province)
    if meta.issuer:
        meta.issuer = _canonical_places(meta.issuer, meta.province)
    if meta.province is None and meta.district:
        meta.province = _province_of_district(meta.district)   # "huyện Krông Nô" is in Đắk Nông
    # Report year: "năm 2021" in the title, a "Kỳ báo cáo: Năm 2018" line, else the year of issue.
    ym = YEAR_IN_TITLE.search(meta.title or "") or PERIOD_IN_TITLE.search(meta.title or "")
    if ym is None and v.report_period_labels:
        labels = alternation(v.report_period_labels)
        period = regex.compile(
            rf"""
            (?:{labels})\s*:?\s*            # "Kỳ báo cáo:"
            (?i:năm)\s+                     # "Năm"
            (?P<y>(?:19|20)\d{{2}})(?!\d)    # the year
            """,
            regex.VERBOSE,
        )
        ym = period.search(text, 0, HEADER_CHARS)
    if ym:
        meta.report_year = int(ym.group("y"))
    elif meta.issued_date:
        meta.report_year = int(meta.issued_date[:4])
    else:
        blank_day = YEAR_OF_ISSUE.search(text, 0, max(header_end, 1))
        meta.report_year = int(blank_day.group("y")) if blank_day else None
    meta.signer, meta.signer_title = _signer(text, type_m.end() if type_m else 0)
    return meta

