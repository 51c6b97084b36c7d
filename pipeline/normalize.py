"""Normalize a RawDocument into one body text: NFC, one tone-mark style, paragraphs joined across pages.

Page numbers, running headers and digital-signature stamps are kept out of the body (Document.excluded);
footnotes move to the end of the text, one paragraph each starting with their superscript marker
(Document.footnote_spans). Every copied character stays mapped to its page character (Document.segments).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress, pairwise

from core.chars import FROM_SUPERSCRIPT, SUPERSCRIPT_DIGITS, TO_SUPERSCRIPT
from pipeline.model import Document, Page, RawDocument, Segment

TO_PLAIN = FROM_SUPERSCRIPT
TO_SUPER = TO_SUPERSCRIPT

# ----------------------------------------------------------------------------- tone marks

_TONED = "àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ"
# an open syllable ending o/u + toned a/e/y: "hoà", "khoẻ", "thuỷ" (the only places the two styles differ)
_CANDIDATE = re.compile(rf"(?<![^\W\d_])(?P<onset>[^\W\d_]*?)(?P<v1>[oOuU])(?P<v2>[{_TONED}])(?![^\W\d_])")


def fix_tone_marks(text: str) -> str:
    """Put the tone mark of open oa/oe/uy syllables on the first vowel: hoà -> hòa, thuỷ -> thủy, khoẻ -> khỏe."""
    return _CANDIDATE.sub(_fix_syllable, text)


def _fix_syllable(m: re.Match[str]) -> str:
    onset, v1, v2 = m.group("onset"), m.group("v1"), m.group("v2")
    base, tone = unicodedata.normalize("NFD", v2)[0], unicodedata.normalize("NFD", v2)[1:]
    pair = (v1.lower(), base.lower())
    if pair not in (("o", "a"), ("o", "e"), ("u", "y")):
        return m.group(0)
    if v1 in "uU" and onset[-1:].lower() == "q":             # "quý": u belongs to the consonant qu
        return m.group(0)
    if any(ch.lower() in "aăâeêioôơuưy" or unicodedata.combining(ch)
           for ch in unicodedata.normalize("NFD", onset)):
        return m.group(0)                                     # not a plain onset: another vowel cluster
    return onset + unicodedata.normalize("NFC", v1 + tone) + base


# ----------------------------------------------------------------------------- lines


@dataclass
class _Line:
    page: int            # index into pages
    start: int           # offset of the stripped line in page text
    text: str            # stripped line text (canonical page text)
    blank_before: int    # empty lines just before it
    x0: float | None = None
    x1: float | None = None
    top: float | None = None
    bottom: float | None = None
    size: float | None = None
    kind: str = "body"   # body | footnote | page-number | running-header | signature-stamp
    solo: bool = False   # a paragraph of its own (a column piece of the letterhead or the closing)
    left: float | None = None   # the text's left edge near this line (scans are skewed: it drifts)
    marker: str | None = None   # footnote lines whose marker OCR garbled ("?'Mô hình"): the marker inferred


def _lines(pages: list[Page]) -> list[list[_Line]]:
    out: list[list[_Line]] = []
    for pi, page in enumerate(pages):
        lines: list[_Line] = []
        pos = 0
        blank = 0
        for raw in page.text.split("\n"):
            stripped = raw.strip()
            if not stripped:
                blank += 1
                pos += len(raw) + 1
                continue
            start = pos + (len(raw) - len(raw.lstrip()))
            ln = _Line(pi, start, stripped, blank)
            blank = 0
            if page.boxes is not None:
                bx = [b for b in page.boxes[start:start + len(stripped)] if b is not None and b[2] > b[0]]
                if bx:
                    lefts, tops, rights, bottoms = zip(*bx, strict=True)    # columns: min/max in C
                    ln.x0 = min(lefts)
                    ln.x1 = max(rights)
                    ln.top = min(tops)
                    ln.bottom = max(bottoms)
            if page.sizes is not None:
                sz = Counter(compress(page.sizes[start:start + len(stripped)], map(str.isalpha, stripped)))
                del sz[None], sz[0.0]     # the sizes of letters only, and only real ones
                if sz:
                    ln.size = sz.most_common(1)[0][0]
            lines.append(ln)
            pos += len(raw) + 1
        out.append(lines)
    return out


# ----------------------------------------------------------------------------- classification

_PAGE_NO = re.compile(r"(?i)^[-–—\s]*(trang\s*)?\d{1,4}(\s*/\s*\d{1,4})?[-–—\s]*$")
_STAMP_LABEL = re.compile(r"(?i)^(người ký|ký bởi|email|e-mail|cơ quan|thời gian ký|ngày ký)\s*:")
_STAMP_VALUE = re.compile(r"^(\d{2}[./]\d{2}[./]\d{4}|\d{2}:\d{2}(:\d{2})?|[+-]\d{2}:\d{2}|\S*@\S*|[\w.-]*\.vn)$")
_TZ = re.compile(r"(?:^|\s)[+-]\d{2}:\d{2}$")
_FOOT_MARK = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})\s*(?=\S)")
_GARBLED_MARK = re.compile(r"^([^\w\s]{1,3})\s*(?=[^\W\d_])")
_FOOT_MARK_PLAIN = re.compile(r"^(\d{1,2})(?:\s+|(?=[^\W\d_]))(?=\S)")
HEADING_START = re.compile(
    r"""^(?:[IVXLC]{1,6}\s*[.:)\-–]\s|\d{1,2}(?:\.\d{1,2}){0,3}[.)]\s+(?=\S)(?!\d)|[a-zđ]\)\s|[-+•–*]\s|\|)"""
)
_LIST_ITEM = re.compile(r"^[-+•–]\s+(?=[^\W_])")
_TERMINAL = re.compile(r"[.!?:;…][\"”’)»]*$")
_ENDS_OPEN = re.compile(r"[\w,\-–]$")


def _classify(doc_pages: list[Page], pages: list[list[_Line]], fmt: str,
              excluded: list[tuple[int, str, str]]) -> None:
    has_geometry = fmt == "pdf" or any(p.boxes for p in doc_pages)
    all_lines = [ln for lines in pages for ln in lines]
    sizes = Counter()  # type: Counter[float]
    for ln in all_lines:
        if ln.size:
            sizes[ln.size] += len(ln.text)
    body_size = sizes.most_common(1)[0][0] if sizes else None

    # signature stamps (any format): labelled lines, and clusters of short date/time/zone lines
    for lines in pages:
        _mark_stamps(lines)

    if len(doc_pages) > 1 or has_geometry:
        for pi, lines in enumerate(pages):
            live = [ln for ln in lines if ln.kind == "body"]
            if not live:
                continue
            height = doc_pages[pi].height or max((ln.bottom or 0) for ln in lines) or 1.0
            for ln in (live[0], live[-1]):
                if not _PAGE_NO.match(ln.text):
                    continue
                near_edge = ln.top is None or ln.top < 0.12 * height or (ln.bottom or 0) > 0.85 * height
                if near_edge and (ln is live[-1] or len(live) > 1):
                    ln.kind = "page-number"
        _mark_running_headers(pages)

    if has_geometry and body_size:
        for pi, lines in enumerate(pages):
            _mark_pdf_footnotes(lines, body_size, doc_pages[pi].height)
    else:
        for lines in pages:
            current: _Line | None = None
            for ln in lines:
                if ln.kind != "body":
                    continue
                if _FOOT_MARK.match(ln.text):
                    ln.kind = "footnote"
                    current = ln
                elif current is not None and not ln.blank_before and not HEADING_START.match(ln.text):
                    ln.kind = "footnote-cont"
                else:
                    current = None

    for lines in pages:
        for ln in lines:
            if ln.kind in ("page-number", "running-header", "signature-stamp"):
                excluded.append((doc_pages[ln.page].number, ln.kind, ln.text))


def _mark_stamps(lines: list[_Line]) -> None:
    for k, ln in enumerate(lines):
        if _STAMP_LABEL.match(ln.text) and (
            ln.text.lower().startswith(("người ký", "ký bởi", "thời gian ký"))
            or any(_STAMP_LABEL.match(o.text) for o in lines[max(0, k - 4):k + 5] if o is not ln)
        ):
            ln.kind = "signature-stamp"
    # values wrapped under a label ("Tài chính", "ov.vn", "20.05.2019") and label-less widget stamps that end
    # in a time zone: take short lines back from each "+07:00" while they stay in the stamp's column
    for k, ln in enumerate(lines):
        if not _TZ.search(ln.text) or len(ln.text) > 30:
            continue
        run = [ln]
        j = k - 1
        col = ln.x0
        while j >= 0 and len(lines[j].text) <= 30 and k - j <= 14:
            o = lines[j]
            if col is not None and o.x0 is not None and abs(o.x0 - col) > 40:
                break
            run.append(o)
            j -= 1
        joined = " ".join(o.text for o in run)
        if re.search(r"\d{2}[./]\d{2}[./]\d{4}", joined) and re.search(r"\d{2}:\d{2}", joined):
            for o in run:
                o.kind = "signature-stamp"
    # lines between two stamp lines, short, are the stamp's wrapped values
    for k in range(1, len(lines) - 1):
        ln = lines[k]
        if ln.kind == "body" and len(ln.text) <= 30 and lines[k - 1].kind == "signature-stamp" and (
            _STAMP_VALUE.match(ln.text) or lines[k + 1].kind == "signature-stamp"
        ) and not _TERMINAL.search(ln.text):
            ln.kind = "signature-stamp"


def _mark_running_headers(pages: list[list[_Line]]) -> None:
    if len(pages) < 3:
        return
    seen: Counter[str] = Counter()
    for lines in pages:
        live = [ln for ln in lines if ln.kind == "body"]
        edge = {re.sub(r"\d+", "#", ln.text) for ln in live[:2] + live[-2:]}
        seen.update(edge)
    threshold = max(3, len(pages) // 2 + 1)
    for lines in pages:
        live = [ln for ln in lines if ln.kind == "body"]
        for ln in live[:2] + live[-2:]:
            key = re.sub(r"\d+", "#", ln.text)
            if seen[key] >= threshold and len(ln.text) < 120:
                ln.kind = "running-header"


def _mark_pdf_footnotes(lines: list[_Line], body_size: float, height: float | None) -> None:
    """Mark the block of small-font lines at the page bottom that opens with a footnote marker."""
    live = [ln for ln in lines if ln.kind == "body"]
    k = len(live)
    while k > 0 and live[k - 1].size is not None and live[k - 1].size < 0.92 * body_size:  # type: ignore[operator]
        k -= 1
    zone = live[k:]
    first = next((i for i, ln in enumerate(zone) if _is_note_start(ln)), None)
    if first is None:
        return
    garbled = _GARBLED_MARK.match(zone[0].text) if first > 0 else None
    nxt = _FOOT_MARK.match(zone[first].text) or _FOOT_MARK_PLAIN.match(zone[first].text)
    if garbled and nxt and int(nxt.group(1).translate(TO_PLAIN)) > 1:
        # OCR misread the first marker of the block ("?'" for "²"): infer it from the next one
        zone[0].marker = str(int(nxt.group(1).translate(TO_PLAIN)) - 1)
        first = 0
    zone = zone[first:]
    top, bottom = zone[0].top, max((ln.bottom or 0.0) for ln in zone)
    if height and top is not None and (top < 0.45 * height or bottom - top > 0.45 * height):
        return                       # not at the page bottom, or too tall: a small-print table, not notes
    for ln in zone:
        ln.kind = "footnote" if _is_note_start(ln) or ln.marker else "footnote-cont"


def _is_note_start(ln: _Line) -> bool:
    """Say whether a small-font line opens a footnote: a superscript marker, or a number then words."""
    if _FOOT_MARK.match(ln.text):
        return True
    m = _FOOT_MARK_PLAIN.match(ln.text)
    if not m:
        return False
    rest = ln.text[m.end():]
    # "1 Tieu hoc Mai Dinh 1 1 1 1 0": a table row (numbers after the words), not a footnote
    return rest[:1].isalpha() and len(re.findall(r"(?<!\S)\d+(?!\S)", rest)) < 3


# ----------------------------------------------------------------------------- builder


class _Builder:
    """Accumulate the normalized text and the map of each copied run back to its page."""

    _ODD_SPACE = re.compile(r"\s{2,}|[^\S ]")     # whitespace that is not a single plain space

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        self.parts: list[str] = []
        self.pos = 0
        self.segments: list[Segment] = []
        self._open: list[int] | None = None          # [start, end, page, page_start] of the run being copied

    def copy(self, page: int, start: int, end: int) -> None:
        """Copy pages[page].text[start:end] into the text, mapped."""
        if end <= start:
            return
        run = self._open
        if run is not None and run[1] == self.pos and run[2] == page and run[3] + (run[1] - run[0]) == start:
            run[1] += end - start                     # contiguous on the same page: extend the open run
        else:
            self._close()
            self._open = [self.pos, self.pos + end - start, page, start]
        self.parts.append(self.pages[page].text[start:end])
        self.pos += end - start

    def add(self, s: str) -> None:
        """Add text that has no page origin (separators, markers made up)."""
        self.parts.append(s)
        self.pos += len(s)

    def copy_collapsed(self, page: int, start: int, text: str) -> None:
        """Copy a line, collapsing runs of whitespace to one space."""
        a = 0
        for m in self._ODD_SPACE.finditer(text):
            self.copy(page, start + a, start + m.start())
            self.add(" ")
            a = m.end()
        self.copy(page, start + a, start + len(text))

    def _close(self) -> None:
        if self._open is not None:
            s, e, p, ps = self._open
            self.segments.append(Segment(s, e, p, ps))
            self._open = None

    def finish(self) -> tuple[str, list[Segment]]:
        """Return the text and its segments."""
        self._close()
        return "".join(self.parts), self.segments


# ----------------------------------------------------------------------------- normalize


@dataclass
class _Para:
    lines: list[_Line] = field(default_factory=list)


def normalize(raw: RawDocument) -> Document:
    """Normalize a read document into one mapped body text with footnotes at the end."""
    pages = [_canonical_page(p) for p in raw.pages]
    excluded: list[tuple[int, str, str]] = []
    page_lines = _lines(pages)
    _classify(pages, page_lines, raw.format, excluded)
    geometry = raw.format == "pdf" or any(p.boxes for p in pages)

    body = [ln for lines in page_lines for ln in lines if ln.kind == "body"]
    notes: list[_Para] = []
    for lines in page_lines:
        for ln in lines:
            if ln.kind == "footnote":
                notes.append(_Para([ln]))
            elif ln.kind == "footnote-cont" and notes:
                notes[-1].lines.append(ln)

    margins = _margins(pages, page_lines) if geometry else {}
    if geometry:
        body = _unmerge_columns(body, pages)
    # text with paragraphs on single long lines (not hard-wrapped): a line end is a paragraph end
    lengths = sorted(len(ln.text) for ln in body)
    unwrapped = not geometry and bool(lengths) and lengths[int(len(lengths) * 0.95)] > 160
    paras: list[_Para] = []
    prev: _Line | None = None
    for ln in body:
        if prev is None or ln.solo or prev.solo or _breaks(prev, ln, paras[-1], raw.format, margins, unwrapped):
            paras.append(_Para([ln]))
        else:
            paras[-1].lines.append(ln)
        prev = ln

    b = _Builder(pages)
    for i, para in enumerate(paras):
        if i:
            b.add("\n\n")
        _emit(b, para.lines)
    footnote_spans: list[tuple[int, int, str]] = []
    for note in notes:
        b.add("\n\n")
        start = b.pos
        first = note.lines[0]
        m = (_GARBLED_MARK.match(first.text) if first.marker else None) or _FOOT_MARK.match(first.text) \
            or _FOOT_MARK_PLAIN.match(first.text)
        assert m is not None
        marker = first.marker or m.group(1).translate(TO_PLAIN)
        if first.marker:
            b.add(marker.translate(TO_SUPER))
        elif m.group(1)[0] in SUPERSCRIPT_DIGITS:
            b.copy(first.page, first.start, first.start + len(m.group(1)))
        else:
            b.add(marker.translate(TO_SUPER))
        b.add(" ")
        rest = first.text[m.end():]
        lines = [dataclasses.replace(first, start=first.start + m.end(), text=rest), *note.lines[1:]]
        _emit(b, lines)
        footnote_spans.append((start, b.pos, marker))
    for marker, text in raw.footnotes:          # docx: footnotes given apart, with no page position
        b.add("\n\n")
        start = b.pos
        b.add(marker.translate(TO_SUPER) + " " + fix_tone_marks(re.sub(r"\s+", " ", text).strip()))
        footnote_spans.append((start, b.pos, marker))
    text, segments = b.finish()
    return Document(path=raw.path, sha256=raw.sha256, format=raw.format, text=text, pages=pages,
                    segments=segments, tables=list(raw.tables), footnote_spans=footnote_spans,
                    excluded=excluded, warnings=list(raw.warnings), source_format=raw.source_format)


def _canonical_page(p: Page) -> Page:
    """Return the page with NFC text and one tone-mark style (same length: boxes stay aligned)."""
    text = p.text
    boxes, sizes, confs = p.boxes, p.sizes, p.confidences
    if not unicodedata.is_normalized("NFC", text):
        from pipeline.read import compose

        if boxes is not None and len(boxes) == len(text):
            text, boxes, sz = compose(text, boxes, sizes if sizes is not None else [None] * len(text))
            sizes = sz if p.sizes is not None else None
            confs = None if confs is not None and len(confs) != len(text) else confs
        else:
            text = unicodedata.normalize("NFC", text)
    fixed = fix_tone_marks(text)
    if fixed == p.text and boxes is p.boxes:
        return p
    return dataclasses.replace(p, text=fixed, boxes=boxes, sizes=sizes, confidences=confs)


_DOC_TYPE_LINE = re.compile(
    r"^(BÁO CÁO|KẾ HOẠCH|THÔNG BÁO|QUYẾT ĐỊNH|NGHỊ QUYẾT|HƯỚNG DẪN|KẾT LUẬN|TỜ TRÌNH|CHỈ THỊ|CHƯƠNG TRÌNH|ĐỀ ÁN|"
    r"BIÊN BẢN|CÔNG VĂN|THÔNG TRI|QUY CHẾ)\b"
)


def _unmerge_columns(body: list[_Line], pages: list[Page]) -> list[_Line]:
    """Split the two-column letterhead and closing into column pieces, left column first.

    Vietnamese reports set the issuer beside the national motto at the top, and the recipients beside the
    signature at the bottom; a text layer merges each pair into one line ("UBND TỈNH … CỘNG HÒA XÃ HỘI …").
    """
    if not body:
        return body
    head_end = 0
    first_page = body[0].page
    for i, ln in enumerate(body[:14]):
        if ln.page != first_page:
            break
        if _DOC_TYPE_LINE.match(ln.text) and ln.text.upper() == ln.text:
            head_end = i
            break
    # the closing: from the last "Nơi nhận" to the end of its page (annexes may follow on later pages)
    tail_start = tail_end = len(body)
    for i in range(len(body) - 1, head_end, -1):
        if re.match(r"(?i)^nơi nhận", body[i].text):
            tail_start = tail_end = i
            while tail_end < len(body) and body[tail_end].page == body[i].page:
                tail_end += 1
            break
    if head_end == 0 and tail_start == len(body):
        return body
    return (_columns(body[:head_end], pages) + body[head_end:tail_start]
            + _columns(body[tail_start:tail_end], pages) + body[tail_end:])


def _columns(lines: list[_Line], pages: list[Page]) -> list[_Line]:
    """Cut lines at wide gaps and return the pieces, left column first, each a paragraph of its own."""
    left: list[_Line] = []
    right: list[_Line] = []
    for ln in lines:
        page = pages[ln.page]
        width = page.width or 595.0
        for piece in _split_at_gaps(ln, page):
            centre = ((piece.x0 or 0.0) + (piece.x1 or 0.0)) / 2
            piece.solo = True
            (left if centre < width / 2 or piece.x0 is None else right).append(piece)
    return left + right


def _split_at_gaps(ln: _Line, page: Page) -> list[_Line]:
    boxes = page.boxes
    if boxes is None:
        return [ln]
    size = ln.size or 12.0
    cuts: list[tuple[int, int]] = []     # (end of a piece, start of the next) as offsets in ln.text
    prev_end: int | None = None
    prev_x1 = 0.0
    for k, ch in enumerate(ln.text):
        box = boxes[ln.start + k]
        if ch.isspace() or box is None or box[2] <= box[0]:
            continue
        if prev_end is not None and box[0] - prev_x1 > 1.2 * size:      # word gaps are ~0.3 of the size
            cuts.append((prev_end, k))
        prev_end, prev_x1 = k + 1, box[2]
    if not cuts:
        return [ln]
    pieces: list[_Line] = []
    a = 0
    for end, nxt in [*cuts, (len(ln.text), len(ln.text))]:
        text = ln.text[a:end].strip()
        if text:
            start = ln.start + a + (len(ln.text[a:end]) - len(ln.text[a:end].lstrip()))
            bx = [b for b in boxes[start:start + len(text)] if b is not None and b[2] > b[0]]
            pieces.append(dataclasses.replace(
                ln, start=start, text=text,
                x0=min(b[0] for b in bx) if bx else None, x1=max(b[2] for b in bx) if bx else None,
            ))
        a = nxt
    return pieces


def _margins(pages: list[Page], page_lines: list[list[_Line]]) -> dict[int, tuple[float, float, float]]:
    """Return each page's right text edge and line pitch; set each body line's local left margin."""
    out: dict[int, tuple[float, float, float]] = {}
    for pi, lines in enumerate(page_lines):
        live = [ln for ln in lines if ln.kind == "body" and ln.x0 is not None]
        # the left edge near a line: the least x0 of its neighbours (a first-line indent is relative to them,
        # and a skewed scan's margin drifts down the page)
        for k, ln in enumerate(live):
            ln.left = min(o.x0 for o in live[max(0, k - 3):k + 4] if o.x0 is not None)
        x1s = sorted(ln.x1 for ln in live if ln.x1 is not None)
        right = x1s[int(len(x1s) * 0.9)] if x1s else (pages[pi].width or 0.0)
        # line bottoms step more evenly than tops (stacked Vietnamese diacritics raise a line's top)
        pitches = sorted(b.bottom - a.bottom for a, b in pairwise(live)
                         if a.bottom is not None and b.bottom is not None and b.bottom > a.bottom)
        pitch = pitches[len(pitches) // 2] if pitches else 0.0
        left = min((ln.left for ln in live if ln.left is not None), default=0.0)
        out[pi] = (left, right, pitch)
    return out


def _breaks(prev: _Line, cur: _Line, para: _Para, fmt: str, margins: dict[int, tuple[float, float, float]],
            unwrapped: bool = False) -> bool:
    """Say whether cur starts a new paragraph after prev."""
    ptext, ctext = prev.text, cur.text
    heading_like = bool(HEADING_START.match(ctext))
    first = para.lines[0].text
    prev_heading = bool(HEADING_START.match(first)) and len(para.lines) == 1 and len(first) < 200
    closed = bool(_TERMINAL.search(ptext))
    title_like = ptext.isupper() and len(ptext) < 120
    if fmt == "docx":
        return True
    item = _LIST_ITEM.match(ctext)
    if item and (ctext[item.end()].isupper() or ctext[item.end()].isdigit()):
        return True                                          # "- Ban Dân vận…", "+ Xây dựng…": a new item
    if cur.page != prev.page:
        # a page break: the paragraph goes on unless the new page opens a new one
        if margins and cur.x0 is not None and _indented(cur):
            return True
        if heading_like or prev_heading or title_like or (cur.blank_before and not _ENDS_OPEN.search(ptext)):
            return True
        if closed:
            right = margins[prev.page][1] if margins else 0.0
            return not (prev.x1 is not None and right and prev.x1 >= right - 3)
        return False
    if cur.blank_before:
        # md/txt: a blank line; join only a long paragraph cut mid-sentence (by a page break in the source)
        paragraph = " ".join(ln.text for ln in para.lines)
        return not (_ENDS_OPEN.search(ptext) and len(paragraph) >= 200 and not prev_heading and not heading_like
                    and not title_like and not ctext.startswith("|") and cur.blank_before == 1
                    and not ctext.isupper())
    if margins and cur.x0 is not None and prev.x0 is not None:
        _, right, pitch = margins[cur.page]
        left = cur.left if cur.left is not None else cur.x0
        if _indented(cur):                                   # first-line indent, or centred text
            return True
        if prev.bottom is not None and cur.bottom is not None:
            step = cur.bottom - prev.bottom
            typical = pitch or 1.3 * (cur.size or 10.0)
            if step > 1.7 * typical or step < -0.5 * typical:  # a gap, or a jump back up (columns)
                return True
        if title_like and not ctext.isupper():               # "BÁO CÁO" / "kết quả thực hiện …"
            return True
        if heading_like and (closed or title_like):
            return True
        if prev_heading and closed:
            return True
        # a sentence ending well short of the right edge closes the paragraph
        return bool(closed and prev.x1 is not None and right and prev.x1 < right - 0.25 * (right - left))
    # plain text lines: unwrapped text (one paragraph per line) never joins them
    if unwrapped:
        return True
    if heading_like or ptext.startswith("|"):
        return True
    if title_like:
        return not ctext.isupper()          # a capitalised title or letterhead wrapped over lines goes on
    if prev_heading:
        return not ctext[:1].islower()      # "2. Tình" / "hình thực hiện": a heading wrapped over lines
    return closed and not ctext[:1].islower()


def _indented(ln: _Line) -> bool:
    """Say whether a line starts right of the text's left edge near it (a first-line indent, centred text)."""
    if ln.x0 is None or ln.left is None:
        return False
    size = ln.size or ((ln.bottom - ln.top) * 0.75 if ln.bottom is not None and ln.top is not None else 10.0)
    return ln.x0 > ln.left + max(0.8 * size, 8.0)


def _emit(b: _Builder, lines: Iterable[_Line]) -> None:
    """Copy a paragraph's lines joined by single spaces; a soft hyphen at a line end joins the halves."""
    lines = list(lines)
    for k, ln in enumerate(lines):
        text = ln.text
        nxt = lines[k + 1].text if k + 1 < len(lines) else None
        joiner = " "
        if nxt is not None:
            if text.endswith("\u00ad"):
                text, joiner = text[:-1], ""                  # a soft hyphen: the word goes on
            elif text[-1] in "“‘([«":
                joiner = ""                                   # an opening quote stays with its word
            elif re.search(r"\w-$", text):
                # Vietnamese never hyphenates inside a syllable: "Covid-" / "19", "2021-" / "2025" keep theirs
                joiner = ""
        b.copy_collapsed(ln.page, ln.start, text)
        if nxt is not None and joiner:
            b.add(joiner)
