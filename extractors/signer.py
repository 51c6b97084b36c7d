"""The signer of a document and their title, from the signature block after the body."""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

from extractors.vocab_meta import alternation, vocab


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


def signer(text: str, start: int) -> tuple[str | None, str | None]:
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


