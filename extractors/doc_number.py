"""The document's own number and type line: 'Số: 1064/STC-QLNS', 'BÁO CÁO', an annex's 'Kèm theo ...'."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from extractors.casing import is_upper
from extractors.citations import NUMBER, SYMBOL_PART, canonical_number, find_references
from extractors.model import Reference
from extractors.vocab_meta import alternation, fold, fold_chars, vocab

#: How far into a document its header may reach (characters).
HEADER_CHARS = 4000

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
    type_m = find_type_line(text)
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
        refs = find_references(text[a.end():a.end() + 400], own=None)
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


def find_type_line(text: str) -> Any:
    head = text[:HEADER_CHARS + 2000]
    for m in _type_line().finditer(head):
        rest = m.group("rest").strip()
        if rest and (not is_upper(rest) or rest.startswith(":")):
            continue                        # "BÁO CÁO kết quả" inside prose is not the title line
        return m
    # OCR slips in the type word's diacritics ("KÉ HOẠCH"): match it without them, alone on its line
    # and printed in capitals.
    titles = "|".join(r"\s+".join(regex.escape(w) for w in t.split())
                      for t in sorted(_folded_titles(), key=len, reverse=True))
    alone = regex.compile(rf"(?m)^[^\S\n]*(?P<type>{titles})[^\S\n]*(?P<rest>)$")
    for m in alone.finditer(fold_chars(head)):
        if is_upper(head[m.start("type"):m.end("type")]):
            title = _folded_titles()[" ".join(m.group("type").split())]
            return _FoldedTypeLine(m, text, title)
    return None


def own_number(text: str) -> str | None:
    """Return the document's own number as its header gives it ('Số 374-BC/HU' -> '374-BC/HU')."""
    found = find_doc_number(text)
    return found[0] if found else None
