"""The grammar of references to other documents and the scan for them: 'Công văn số 324-CV/BDVTU ngày 08/11/2021'.

extractors.references adds the document's own number (read by extractors.doc_number) to leave out."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, Protocol

import regex

from core.chars import SUPERSCRIPT_DIGITS
from extractors.model import Reference
from extractors.vocab_meta import DocType, alternation, fold, vocab

# One part of a document symbol: "CV", "BDVTU", "NĐ", "HĐND", "SGD&ĐT", "QH15", and the few with a
# lower-case letter: "TTg" (Thủ tướng), "TTr" (Tờ trình), "CTr" (Chương trình), "QyĐ" (Quy định).
SYMBOL_PART = r"\p{Lu}(?:[\p{Lu}\d&]|[gry](?!\p{Ll}))*"

# A document number with its symbol; shared with doc_number.py for the header's "Số ..." line.
NUMBER = rf"""
    (?<![\p{{L}}\d/.,&-])                 # not the tail of another token ("Covid-19", "1.234/")
    (?P<num>\d{{1,5}})                    # the running number: 324, 16, 05, 1064
    (?:/(?P<year>(?:19|20)\d{{2}}))?      # the year normative documents carry: 05/2019/NQ-HĐND
    [^\S\n]?                              # a stray space some PDFs put before the slash ("216 /BC-STC")
    (?P<sep>[-/])                         # '-' in Party numbers (324-CV/...), '/' in State ones (16/CT-TTg)
    (?P<sym>{SYMBOL_PART}                 # the symbol: type and issuer abbreviations,
        (?:(?:[-/]|-\n[^\S\n]*)            #   separated by - or /; a line may break after a '-'
        {SYMBOL_PART})*)                  #   ("09/2018/QĐ-\nUBND" in a PDF's text layer)
    (?![\p{{L}}\d])                       # ends at a word boundary
"""

# Dates written after a reference or in a header.
DATE = r"""
    (?:
        (?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})   # 08/11/2021, 06/4/2021
      |
        (?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>(?:19|20)\d{2})  # 18 tháng 11 năm 2025 (may wrap)
    )
"""

# The words between the number and its date: ", ngày 22/8/2013", " ban hành ngày ...".
DATE_AFTER = regex.compile(
    rf"""
    [^\S\n]*,?\s*                         # optional comma; a hard wrap may put the date on the next line
    (?:ban\s+hành\s+)?                    # "... ban hành ngày ..."
    (?:\p{{Lu}}\p{{Ll}}*(?:[^\S\n]+\p{{Lu}}\p{{Ll}}*){{0,3}}   # a copied header's place of issue:
        [^\S\n]*,[^\S\n]*)?                 #   "905/STC-VP Đắk Nông, ngày 26 tháng 4 năm 2019"
    ngày\s+                               # the date word
    {DATE}                                # the date itself
    (?!\d)                                # not the start of a longer number
    """,
    regex.VERBOSE,
)

# "của <issuer>": the issuer runs to a stop word or mark, found in code.
OF_ISSUER = regex.compile(
    r"""
    [^\S\n]*,?\s*                         # optional comma and spaces after the number or date
    của\s+                                # "of"
    (?P<issuer>                           # the issuer's words:
        [^,;:()“”"\n]+                    #   up to punctuation or a line end
        (?:\n(?![^\S\n]*\n)[^,;:()“”"\n]+)*   #   hard-wrapped lines continue it, a blank line ends it
    )
    """,
    regex.VERBOSE,
)

# "số" right before a number: a bare reference's raw starts there.
SO_BEFORE = regex.compile(
    r"""
    (?<![\p{L}])(?i:số)                   # "số", "Số", as a whole word
    \s*[:.]?\s*$                          # then only a colon or dot up to the number
    """,
    regex.VERBOSE,
)



class Layout(Protocol):
    """What extractors need from a document's structure."""

    def footnote_at(self, offset: int) -> str | None:
        """Return the footnote marker at offset, if any."""
        ...


@cache
def _reference_regex() -> Any:
    v = vocab()
    types = alternation([t.name for t in v.doc_types])
    words = v.max_name_words
    return regex.compile(
        rf"""
        (?:
            (?P<type>(?i:{types}))                    # the type named in prose: "Công văn", "nghị quyết"
            (?:
                (?P<name>(?:(?:[^\S\n]{{1,3}}|[^\S\n]*\n[^\S\n]{{0,8}})   # a name between type and "số",
                                                       # within a paragraph, not across table columns:
                    (?!(?i:{types}|số)(?![\p{{L}}]))   #   ("Báo cáo thẩm tra số", "Luật Thủ đô số")
                    [^\s\d,;:.()“”"/]+){{1,{words}}}?)  #   words without digits, another type or a comma
                (?:[^\S\n]{{1,3}}|[^\S\n]*\n[^\S\n]{{0,8}})   # "số" is then required,
                (?i:số)\s*[:.]?\s*                    # in the same paragraph ("Số:" in a copied header)
              |
                \s+(?:(?i:số)\s*[:.]?\s*)?            # or the number follows the type, "số" optional
            )
          |
            (?<![\p{{L}}])(?P<so>(?i:số))\s*[:.]?\s*  # a bare "số 1064/STC-QLNS"
        )?
        {NUMBER}                                      # the document number
        """,
        regex.VERBOSE,
    )


@cache
def _types_by_fold() -> dict[str, DocType]:
    return {fold(t.name): t for t in vocab().doc_types}


@cache
def _types_by_symbol() -> dict[str, DocType]:
    out: dict[str, DocType] = {}
    for t in vocab().doc_types:
        for s in t.symbols:
            out.setdefault(s, t)
    return out


def type_from_symbol(sym: str) -> DocType | None:
    """Return the document type named by the first part of a symbol ('CV/BDVTU' -> Công văn)."""
    first = regex.split(r"[-/]", sym, maxsplit=1)[0]
    by_symbol = _types_by_symbol()
    if first in by_symbol:
        return by_symbol[first]
    return by_symbol.get(first.rstrip("0123456789"))   # "QH15" -> QH (a law)


def canonical_number(raw_number: str) -> str:
    """Return a document number without stray spaces ('216 /BC-STC' -> '216/BC-STC')."""
    return regex.sub(r"\s+", "", raw_number)


def iso_date(m: Any) -> str | None:
    """Return the ISO date of a DATE match, or None when it is not a real date."""
    d, mo, y = (m.group("d"), m.group("m"), m.group("y")) if m.group("d") else (
        m.group("d2"), m.group("m2"), m.group("y2"))
    try:
        return dt.date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None


@cache
def _stop_regex() -> Any:
    v = vocab()
    stops = alternation(list(v.issuer_stops) + [t.name for t in v.doc_types])
    return regex.compile(
        rf"""
        (?<![\p{{L}}])(?i:{stops})(?![\p{{L}}])   # a stop word ends the issuer's name
        | \s[-–]\s                                # so does a dash between spaces
        | \.(?:\s|$)                              # and a full stop
        """,
        regex.VERBOSE,
    )


def clean_issuer(candidate: str) -> str | None:
    """Cut an issuer's name at its first stop word; None unless it starts like an issuing body."""
    stop = _stop_regex().search(candidate)
    name = candidate[: stop.start()] if stop else candidate
    words: list[str] = []
    for i, w in enumerate(name.split()[:12]):
        if regex.search(r"\d", w):
            break                           # an amount or year follows the name
        nxt = name.split()[i + 1] if i + 1 < len(name.split()) else ""
        if w == "và" and not nxt[:1].isupper():
            break                           # "và kinh phí ...": a clause, not "Bộ Nông nghiệp và PTNT"
        words.append(w)
    name = " ".join(words).strip(" .,-")
    if not name:
        return None
    key = fold(name)
    for head in vocab().issuer_heads:
        h = fold(head)
        if key == h or key.startswith(h + " "):
            return name
    return None


def _in_footnote(text: str, offset: int, layout: Layout | None) -> bool:
    if layout is not None:
        return layout.footnote_at(offset) is not None
    # Without a layout: normalized text keeps footnotes as paragraphs starting with a superscript marker.
    para_start = max(text.rfind("\n\n", 0, offset), 0)
    head = text[para_start:offset].lstrip()
    return bool(head) and head[0] in SUPERSCRIPT_DIGITS


def _is_form_number(text: str, start: int) -> bool:
    return _form_regex().search(text[max(0, start - 30):start]) is not None


@cache
def _form_regex() -> Any:
    words = alternation(vocab().not_references)
    return regex.compile(
        rf"""
        (?<![\p{{L}}])(?:{words})          # "Mẫu", "Biểu", "Phụ lục" as a whole word
        \s+(?:(?i:số)\s*[:.]?\s*)?$         # then "số" (optional) right before the number
        """,
        regex.VERBOSE,
    )


def find_references(text: str, layout: Layout | None = None, *, own: str | None = None,
                    unique: bool = False) -> list[Reference]:
    """Return the references to other documents in text but own, in order: one per mention, or per number."""
    refs: list[Reference] = []
    after: set[int] = set()                 # ids of references whose issuer follows them ("... của Chính phủ")
    for m in _reference_regex().finditer(text):
        number = canonical_number(text[m.start("num"):m.end("sym")])
        if own is not None and number == own:
            continue
        if _is_form_number(text, m.start("num")):
            continue
        typed = bool(m.group("type"))
        if typed and m.group("name") and m.group("type")[:1].islower():
            typed = False                   # "luật tại các văn bản số ...": a common noun, not a named law
        if typed:
            start = m.start("type")
        else:
            so = SO_BEFORE.search(text, max(0, m.start("num") - 12), m.start("num"))
            start = m.start("num") - (len(so.group()) if so else 0)
        end = m.end()
        doc_type: DocType | None = None
        if typed:
            doc_type = _types_by_fold().get(fold(m.group("type")))
        if doc_type is None:
            doc_type = type_from_symbol(m.group("sym"))
        date: str | None = None
        issuer: str | None = None
        dm = DATE_AFTER.match(text, end)
        if dm:
            date, end = iso_date(dm), dm.end()
        im = OF_ISSUER.match(text, end)
        if im:
            issuer = clean_issuer(im.group("issuer"))
            if issuer is not None:
                # the issuer's words as written, whitespace kept, so raw stays a slice of text
                issuer_end = _end_of_words(text, im.start("issuer"), issuer)
                end = issuer_end
                dm2 = DATE_AFTER.match(text, end) if date is None else None
                if dm2:
                    date, end = iso_date(dm2), dm2.end()
        refs.append(Reference(
            number=number,
            type=doc_type.name if doc_type else None,
            date=date,
            issuer=issuer,
            raw=text[start:end],
            char_start=start,
            char_end=end,
            in_footnote=_in_footnote(text, start, layout),
        ))
        if issuer is not None:
            after.add(id(refs[-1]))
    refs = _with_short_references(text, refs, own, layout)
    _share_context(text, refs, after)
    return unique_references(refs) if unique else refs


def _with_short_references(text: str, refs: list[Reference], own: str | None,
                           layout: Layout | None) -> list[Reference]:
    """Add the normative documents cited by type and bare number ("Nghị định 68"), in text order."""
    taken = [(r.char_start, r.char_end) for r in refs]
    extra: list[Reference] = []
    for m in _short_regex().finditer(text):
        if any(s <= m.start() < e for s, e in taken) or m.group("num") == own:
            continue
        doc_type = _types_by_fold().get(fold(m.group("type")))
        extra.append(Reference(number=m.group("num"), type=doc_type.name if doc_type else None, date=None,
                               issuer=None, raw=m.group(), char_start=m.start(), char_end=m.end(),
                               in_footnote=_in_footnote(text, m.start(), layout)))
    return sorted(refs + extra, key=lambda r: r.char_start) if extra else refs


@cache
def _short_regex() -> Any:
    return regex.compile(
        r"""
        (?<![\p{L}])(?P<type>Nghị\s+định|Nghị\s+quyết|Quyết\s+định|Thông\s+tư|Chỉ\s+thị)   # capitalised type
        [^\S\n]+                             # one space, no "số" (a "số" reference carries a symbol)
        (?P<num>\d{1,3})                      # the running number only
        (?=[^\S\n]*(?:[,;)]|\.(?!\d)|$)|[^\S\n]+(?:và|của)(?![\p{L}]))   # then a clause ends or "và"/"của"
        """,
        regex.VERBOSE | regex.MULTILINE,
    )


@cache
def _subject_regex() -> Any:
    heads = alternation(vocab().issuer_heads)
    return regex.compile(
        rf"""
        (?:(?P<of>(?<![\p{{L}}])của\s+)|[,;:(]\s*|\.\s+|\n\s*)   # after "của", or at a clause start
        (?P<issuer>(?:{heads})(?![\p{{L}}])[^,;:.()\n“”"]{{0,60}}?)   # the body's name
        \s+(?:(?P<issued>(?:(?:cũng|đã|đồng\s+thời)\s+)*ban\s+hành)|(?P<at>tại))   # "(cũng) đã ban hành"; "của X tại"
        \s+(?:(?i:các)\s+)?$                # right before the reference ("... ban hành các Công văn")
        """,
        regex.VERBOSE,
    )


def _share_context(text: str, refs: list[Reference], after: set[int]) -> None:
    """Fill issuers and types a sentence gives once for several references."""
    subject: tuple[int, str, str | None] | None = None      # (offset, issuer, type) of "X đã ban hành ..."
    for i, r in enumerate(refs):
        before = text[max(0, r.char_start - 160):r.char_start]
        if r.issuer is None:
            lead = "" if r.char_start > len(before) else "\n"    # the text's start is a clause start too
            m = _subject_regex().search(lead + before)
            window = r.char_start - len(before) - len(lead)
            if m and i and window + m.start() < refs[i - 1].char_end:
                m = None                     # "Nghị quyết số A của X tại Tờ trình số B": X issued A, not B
            if m and (m.group("issued") or m.group("of")):
                name = " ".join(m.group("issuer").split())
                if clean_issuer(name) == name:
                    r.issuer = name          # "Sở Tài chính đã ban hành Công văn số ...", "của X tại Công văn số"
                    if m.group("issued"):
                        subject = (r.char_start, name, r.type)
        if r.issuer is None and subject and regex.search(r"(?<![\p{L}])và\s+$", before):
            between = text[subject[0]:r.char_start]
            if "\n" not in between and not regex.search(r"\.\s", between) and subject[2] == r.type:
                r.issuer = subject[1]        # "X đã ban hành Quyết định số A ... và Quyết định số B"
        if i and r.type is None:
            prev = refs[i - 1]
            if prev.type and regex.fullmatch(r"[^\S\n]*[;,][^\S\n]*(?:và\s+)?", text[prev.char_end:r.char_start]):
                r.type = prev.type           # "các Công văn số: 2318/STC-VP ngày ...; 2675/STC-VP ngày ..."
    for i in range(len(refs) - 2, -1, -1):
        a, b = refs[i], refs[i + 1]
        if (a.issuer is None and b.issuer and id(b) in after and a.type == b.type
                and regex.fullmatch(r"\s+và\s+", text[a.char_end:b.char_start])):
            a.issuer = b.issuer              # "Nghị định số A ngày ... và Nghị định số B ngày ... của Chính phủ"


def _end_of_words(text: str, start: int, words: str) -> int:
    """Return where the whitespace-normalized words end when read from text[start:]."""
    pos = start
    for w in words.split():
        pos = text.index(w, pos) + len(w)
    return pos


def unique_references(refs: list[Reference]) -> list[Reference]:
    """Merge mentions of the same number into one reference, first mention first, filling gaps."""
    by_number: dict[str, Reference] = {}
    for r in refs:
        first = by_number.get(r.number)
        if first is None:
            by_number[r.number] = Reference(**vars(r))
            continue
        first.type = first.type or r.type
        first.date = first.date or r.date
        first.issuer = first.issuer or r.issuer
    return list(by_number.values())
