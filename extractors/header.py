"""The header of a document: its title, its issuer (from the header lines or the first sentences)."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import Any

import regex

from extractors.casing import is_upper, prose_case
from extractors.citations import DATE, clean_issuer
from extractors.places import place_of
from extractors.vocab_meta import alternation, fold, fold_chars, vocab

#: How far into a document the first sentences naming the author may reach.
BODY_CHARS = 6000

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


@cache
def _body_start() -> Any:
    return regex.compile(rf"^(?:{alternation(vocab().body_starts)})(?![\p{{L}}])")


def title(text: str, type_match: Any) -> str | None:
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
            goes_on = (upper and is_upper(line) and not heads.match(line)) or (
                not upper and line[:1].islower() and not lines[-1].endswith((".", ":", ";")))
            if not goes_on:
                break
        elif lines and upper and not is_upper(line):
            break
        if not lines:
            upper = is_upper(line)
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


def issuer_from_header(header: str) -> str | None:
    if len(header.split()) > 3 and header.isascii():
        return None                         # no diacritics at all: a damaged text layer, not a header
    prose = prose_case(header)
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
        place = next((p for p in map(place_of, reversed(parents)) if p), None)
        if place and fold(place) not in fold(name):
            name = f"{name} {place}"
    return name


def header_lines(text: str, end: int, skip: list[tuple[int, int]]) -> str:
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
    capitals = [p for p in kept if is_upper(p)]
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


def issuer_from_body(text: str) -> str | None:
    for m in _author_regex().finditer(text[:BODY_CHARS]):
        candidate = " ".join(m.group("issuer").split())
        cleaned = clean_issuer(candidate)
        if cleaned == candidate:
            return cleaned
    return None


