"""Decide per page whether its text layer is usable, missing, garbage, or legacy-font text to decode."""

from __future__ import annotations

import regex

from pipeline.legacy import FOREIGN_CHARS, legacy_share
from pipeline.model import Page

# Letters that carry Vietnamese diacritics (precomposed, NFC).
_VI_DIACRITIC = regex.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", regex.I)
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")
# Frequent Vietnamese words as they look with their diacritics stripped: proof the text is Vietnamese.
_STRIPPED_VI = frozenset(
    ["va", "cua", "cac", "cong", "nam", "huyen", "tinh", "trong", "duoc", "nhung", "nguoi", "dan", "thuc", "hien", "ngay", "thang", "so", "xa", "ve", "voi", "cho", "tren", "nay", "theo", "lam", "dong", "chi", "bao", "cao", "ke", "hoach", "quyet", "dinh", "uy", "ban", "nhan", "hoa", "doc", "lap", "tu", "do", "hanh", "phuc"]
)
_CID = regex.compile(r"\(cid:\d+\)")
_PRIVATE = regex.compile(r"[\p{Co}]")
_LETTER_DIGIT = regex.compile(r"\b(?=\p{L}*\d)(?=\d*\p{L})[\p{L}\d]{2,}\b")

# Thresholds, chosen on corpus/public: born-digital pages hold 1,500-3,300 chars; the Hiệp Hòa OCR layer has
# 2-8 % of its words with a diacritic against 45-60 % in real Vietnamese text.
MIN_CHARS = 20                # fewer non-space chars than this: no text at all
SCAN_MIN_CHARS = 400          # a page mostly covered by an image needs this much text to count as OCR'd
SCAN_COVERAGE = 0.5           # image share of the page area that makes it a scan
MIN_DIACRITIC_SHARE = 0.15    # below this share of words with diacritics, Vietnamese text was stripped
MIN_WORDS_FOR_SHARE = 25
MAX_BAD_GLYPH_SHARE = 0.01    # CID/private-use/U+FFFD chars per char
MAX_FOREIGN_SHARE = 0.05     # share of letters that are Latin-1 symbols foreign to Vietnamese (mojibake)
LEGACY_LINE_SHARE = 0.3       # share of lines that are certain TCVN3/VNI to call the page legacy


def diacritic_share(text: str) -> float:
    """Return the share of words that carry a Vietnamese diacritic (about half in real Vietnamese text)."""
    words = _WORD.findall(text)
    return sum(map(bool, map(_VI_DIACRITIC.search, words))) / len(words) if words else 0.0


def triage_page(page: Page) -> tuple[str, str]:
    """Return ("good" | "no-text" | "bad-layer" | "legacy", reason) for a page's text layer."""
    text = page.text or ""
    visible = len(text) - sum(map(str.isspace, text))     # map over a C method: per character, no Python loop
    if visible < MIN_CHARS:
        return "no-text", f"only {visible} visible characters in the text layer"
    cid = len(_CID.findall(text))
    bad = len(_PRIVATE.findall(text)) + text.count("\ufffd") + cid
    if bad / visible > MAX_BAD_GLYPH_SHARE:
        return "bad-layer", (
            f"{bad} unreadable glyphs ({cid} CID codes, private-use or U+FFFD characters) in {visible} characters"
        )
    enc, share, n = legacy_share(text)
    if enc is not None and share >= LEGACY_LINE_SHARE:
        return "legacy", f"{n} lines ({share:.0%}) are {enc.upper()} legacy-font text that decodes to Vietnamese"
    if enc is None:
        letters = sum(map(str.isalpha, text))
        foreign = len(FOREIGN_CHARS.findall(text))
        if letters and foreign / letters > MAX_FOREIGN_SHARE:
            return "bad-layer", (
                f"{foreign} of {letters} letters are Latin-1 symbols no Vietnamese word has (ø, µ, §…): "
                "legacy-font text that no known table decodes with certainty"
            )
    coverage = page.image_coverage
    if coverage is not None and coverage >= SCAN_COVERAGE and visible < SCAN_MIN_CHARS:
        return "bad-layer", (
            f"scanned page ({coverage:.0%} image) with only {visible} characters of text "
            "(a signature box or a partial OCR layer)"
        )
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) >= MIN_WORDS_FOR_SHARE:
        with_dia = sum(map(bool, map(_VI_DIACRITIC.search, words)))     # map over a C method: no Python loop
        share_dia = with_dia / len(words)
        if share_dia < MIN_DIACRITIC_SHARE and (
                (stripped_hits := sum(1 for w in words if w in _STRIPPED_VI)) >= max(3, len(words) // 20)):
            mixed = len(_LETTER_DIGIT.findall(text))
            return "bad-layer", (
                f"Vietnamese with diacritics stripped: {share_dia:.0%} of {len(words)} words carry a diacritic, "
                f"{stripped_hits} are stripped common words (e.g. 'nam', 'huyen'), "
                f"{mixed} words mix letters and digits (e.g. 'S6')"
            )
    if enc is not None:
        return "legacy", f"{n} lines ({share:.0%}) are {enc.upper()} legacy-font text that decodes to Vietnamese"
    return "good", f"text layer with {visible} characters reads as Unicode Vietnamese"
