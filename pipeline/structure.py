"""Find the structure of a normalized report: header, title, headings, paragraphs, footnotes, signature."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.chars import SUPERSCRIPT_DIGITS, TO_SUPERSCRIPT
from pipeline.model import Block, Document, Structure

DOC_TYPES = (
    "BÁO CÁO", "KẾ HOẠCH", "THÔNG BÁO", "QUYẾT ĐỊNH", "NGHỊ QUYẾT", "HƯỚNG DẪN", "KẾT LUẬN", "TỜ TRÌNH",
    "CHỈ THỊ", "CÔNG VĂN", "CHƯƠNG TRÌNH", "ĐỀ ÁN", "BIÊN BẢN", "PHỤ LỤC", "THÔNG TRI", "QUY CHẾ",
)
_TITLE = re.compile(r"^(?:" + "|".join(DOC_TYPES) + r")\b(?P<rest>.*)$")
# heading labels, most specific first: "I." (level 1), "2.1.1." (4), "2.1." (3), "1." (2), "a)" (4)
_ROMAN = re.compile(r"^(?P<label>[IVXL]{1,5})\s*[.:/-]\s*(?P<title>\S.*)$")
_ARABIC = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)]\s*(?P<title>[^\d\s.].*)$")
# "Điều 1. Phạm vi điều chỉnh", "Phần 2. …", "Chương II: …" (level 1, the label keeps its word)
_ARTICLE = re.compile(r"^(?P<label>(?:Điều|Phần|Chương|Mục)\s+(?:\d{1,3}|[IVXLC]{1,6}))\s*[.:]\s*(?P<title>\S.*)$")
_LETTER = re.compile(r"^(?P<label>[a-zđ])\s*\)\s*(?P<title>\S.*)$")
_SIGNATURE = re.compile(
    r"^(?:T/M|TM\.?|KT\.?|TL\.?|TUQ\.?|Q\.|PHÓ |CHỦ TỊCH|GIÁM ĐỐC|BÍ THƯ|TRƯỞNG |CHÁNH |HIỆU TRƯỞNG|NGƯỜI )"
)
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
_UNIT_BEFORE = re.compile(r"(?<![^\W\d_])[kdcm]?m$")   # "m²", "km²", "m³": a power, not a footnote marker
MAX_HEADING = 200   # a numbered paragraph longer than this is body text ("1. Tiếp tục kiên trì …")


@dataclass
class _Para:
    start: int
    end: int
    text: str


def _paragraphs(text: str, limit: int) -> list[_Para]:
    out: list[_Para] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", text[:limit]):
        s = m.group(0)
        lead = len(s) - len(s.lstrip())
        s2 = s.strip()
        if s2:
            out.append(_Para(m.start() + lead, m.start() + lead + len(s2), s2))
    return out


def heading_of(text: str) -> tuple[int, str, str] | None:
    """Return (level, label, title) if a paragraph is a numbered heading, else None."""
    if len(text) > MAX_HEADING or "\n" in text:
        return None
    for rx, level in ((_ARTICLE, 1), (_ROMAN, 1), (_ARABIC, 0), (_LETTER, 4)):
        m = rx.match(text)
        if not m:
            continue
        label = m.group("label")
        title = m.group("title").strip().rstrip(":.").strip()     # "1. Ưu điểm:" / "…thực hiện." -> the words
        if level == 0:
            level = min(2 + label.count("."), 4)
        if not title or title[0] in ",;" or title.startswith(("-", "/")):
            return None
        return level, label, title
    return None


def find_structure(doc: Document) -> Structure:
    """Return the blocks of a normalized document, in text order."""
    notes = sorted(doc.footnote_spans)
    body_end = notes[0][0] if notes else len(doc.text)
    paras = _paragraphs(doc.text, body_end)
    blocks: list[Block] = []

    # title: the document-type line near the top ("BÁO CÁO") and the line(s) naming its subject
    title_i: int | None = None
    for i, p in enumerate(paras[:20]):
        if _TITLE.match(p.text) and p.text == p.text.upper() and len(p.text) < 120:
            title_i = i
            break
    first_body = 0
    if title_i is not None:
        if title_i > 0:
            blocks.append(Block("header", paras[0].start, paras[title_i - 1].end))
        j = title_i + 1
        subject: list[str] = []
        rest = _TITLE.match(paras[title_i].text)
        if rest and rest.group("rest").strip():
            subject.append(rest.group("rest").strip())
        while j < len(paras) and len(subject) < 3:
            t = paras[j].text
            if (heading_of(t) or len(t) > 250 or t.endswith(":") or _RECIPIENTS.match(t)
                    or t.startswith(("Căn cứ", "Thực hiện", "Kính gửi"))
                    # the enacting body of a decision ("ỦY BAN NHÂN DÂN TỈNH SƠN LA") follows the title
                    or t.startswith(("ỦY BAN", "UỶ BAN", "HỘI ĐỒNG", "CHỦ TỊCH", "BỘ TRƯỞNG", "GIÁM ĐỐC"))):
                break
            subject.append(t)
            j += 1
        doc_type = paras[title_i].text.split("\n")[0]
        m = _TITLE.match(doc_type)
        label = doc_type[: m.start("rest")].strip() if m else doc_type
        blocks.append(Block("title", paras[title_i].start, paras[j - 1].end, label=label,
                            title=" ".join(subject) or None))
        first_body = j

    # the closing: recipients list and signature block, searched after the last heading
    tail_kinds = _closing(paras, first_body)
    for i in range(first_body, len(paras)):
        p = paras[i]
        if i in tail_kinds:
            continue
        h = heading_of(p.text)
        if h is not None:
            level, label, title = h
            blocks.append(Block("heading", p.start, p.end, level=level, label=label, title=title))
        else:
            blocks.append(Block("paragraph", p.start, p.end))
    _repair_roman([b for b in blocks if b.kind == "heading"])
    for kind, (a, b, who) in _group_closing(paras, tail_kinds).items():
        blocks.append(Block(kind, paras[a].start, paras[b].end, title=who))
    for start, end, marker in notes:
        blocks.append(Block("footnote", start, end, footnote=marker, anchor=_anchor(doc.text, body_end, marker)))
    blocks.sort(key=lambda b: (b.start, b.kind != "heading"))
    return Structure(blocks=blocks)


_ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
                 "XI": 11, "XII": 12}
_ROMAN_NAMES = {v: k for k, v in _ROMAN_VALUES.items()}


def _repair_roman(headings: list[Block]) -> None:
    """Relabel a first "1." as "I." where OCR misread it: it comes before "II" and no "I" exists."""
    romans = [h for h in headings if h.level == 1 and h.label in _ROMAN_VALUES]
    if not romans or romans[0].label != "II":
        return
    first = next((h for h in headings if h.level == 2 and h.label in ("1", "l")), None)
    if first is not None and first.start < romans[0].start and headings[0] is first:
        first.level, first.label = 1, "I"


def _anchor(text: str, body_end: int, marker: str) -> int | None:
    """Return the offset of a footnote's marker in the body ("huyện¹"), if it is there once or first."""
    sup = marker.translate(TO_SUPERSCRIPT)
    for m in re.finditer(re.escape(sup), text[:body_end]):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        # a marker follows a word or a closing quote/bracket; "m²" and "10³" are units and powers, not markers
        attached = before.isalpha() or before in "”\")."
        unit = _UNIT_BEFORE.search(text, max(0, m.start() - 4), m.start())
        if before not in SUPERSCRIPT_DIGITS and after not in SUPERSCRIPT_DIGITS and attached and not unit:
            return m.start()
    return None


def _closing(paras: list[_Para], first_body: int) -> dict[int, str]:
    """Mark paragraphs of the recipients list and the signature block at the end of the body."""
    kinds: dict[int, str] = {}
    n = len(paras)
    # the last "Nơi nhận" anchors the closing (annexes may follow it); without one, look at the end
    rec = next((i for i in range(n - 1, first_body - 1, -1) if _RECIPIENTS.match(paras[i].text)), None)
    start = max(first_body, rec - 8) if rec is not None else max(first_body, n - 25)
    stop = min(n, rec + 20) if rec is not None else n
    if rec is not None:
        kinds[rec] = "recipients"
        k = rec + 1
        while k < n and paras[k].text.startswith(("-", "+", "•", "–")) and len(paras[k].text) < 150:
            kinds[k] = "recipients"
            k += 1
    sig = next((i for i in range(start, stop) if i not in kinds and _SIGNATURE.match(paras[i].text)
                and paras[i].text.upper() == paras[i].text and len(paras[i].text) < 80), None)
    if sig is not None:
        # the capitalised titles ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"), then the signer's name if printed
        k = sig
        while (k < n and k not in kinds and len(paras[k].text) < 80 and paras[k].text.upper() == paras[k].text
               and not paras[k].text.upper().startswith("PHỤ LỤC") and not _TITLE.match(paras[k].text)):
            kinds[k] = "signature"
            k += 1
        if k < n and k not in kinds and _is_name(paras[k].text):
            kinds[k] = "signature"
    return kinds


def _is_name(text: str) -> bool:
    """Say whether a paragraph looks like a person's name: 2-6 capitalised words, no digits or punctuation."""
    words = text.split()
    return 2 <= len(words) <= 6 and all(w[0].isupper() and w.isalpha() for w in words)


def _group_closing(paras: list[_Para], kinds: dict[int, str]) -> dict[str, tuple[int, int, str | None]]:
    out: dict[str, tuple[int, int, str | None]] = {}
    for kind in ("recipients", "signature"):
        idx = sorted(i for i, k in kinds.items() if k == kind)
        if not idx:
            continue
        who = None
        if kind == "signature":
            # the signer is the last line that is not in capitals ("Đỗ Thiết Khiêm")
            names = [paras[i].text for i in idx if paras[i].text != paras[i].text.upper()]
            who = names[-1] if names else None
        out[kind] = (idx[0], idx[-1], who)
    return out
