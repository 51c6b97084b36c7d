"""Read a report file (.pdf text layer, .docx, .txt, .md) into a RawDocument of NFC pages."""

from __future__ import annotations

import ctypes
import hashlib
import re
import sys
import unicodedata
import zipfile
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.chars import TO_SUPERSCRIPT
from core.errors import UnreadableDocument, UnsupportedFormat
from pipeline import limits
from pipeline.convert import convert
from pipeline.discover import SUPPORTED
from pipeline.docximages import MAX_TEXT_PER_IMAGE, is_image_only, page_images, picture_count
from pipeline.model import BBox, Page, PageImage, RawDocument, Table
from pipeline.pdfcheck import damage_warnings
from pipeline.pdfium import PDFIUM_LOCK, PdfHandle, page_objects
from pipeline.sniff import SPREADSHEETS, TEXT, WORD_LIKE, advice, sniff
from pipeline.spreadsheet import read_workbook
from pipeline.textdecode import decode_bytes, name_of

SUPERSCRIPT = TO_SUPERSCRIPT
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"


def read_document(path: str | Path, *, keep_open: bool = False) -> RawDocument:
    """Read one file into pages of NFC text (PDF: with a box and font size per character).

    keep_open: leave the PDF open in the result's `pdf` handle for the later stages; the caller closes it
    (RawDocument.close()).
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        raise UnsupportedFormat(
            f"{p.name}: solieu reads {', '.join(SUPPORTED)} files, not {ext or 'files without an extension'}; "
            "convert it (e.g. save a spreadsheet or .doc as PDF or .docx) and ingest the converted file"
        )
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"{p}: cannot be opened ({e.strerror}); check the path and its permissions") from e
    if not data.strip():
        raise UnreadableDocument(f"{p.name}: the file is empty; re-export or re-download it, or remove it")
    sha = hashlib.sha256(data).hexdigest()
    limits.start_clock(str(p))
    kind = sniff(data, p.name).kind   # the bytes decide, not the name (an HTML page named .doc, a .docx named .pdf)
    if kind not in TEXT and kind != "binary":
        return _read_sniffed(p, data, sha, kind, keep_open=keep_open)
    if ext == ".pdf":
        return _read_pdf(p, data, sha, keep_open=keep_open)
    if ext == ".docx":
        return _read_docx(p, data, sha)
    if ext not in (".txt", ".md"):
        raise UnreadableDocument(
            f"{p.name}: not a real {ext} file (its bytes are not {ext[1:]}); it was probably renamed or cut short: "
            "check what it is, then open and save it again in its program"
        )
    decoded = decode_bytes(data)
    text = decoded.text
    warnings = list(decoded.warnings)
    if decoded.encoding in ("tcvn3", "vni", "cp1258") and not warnings:
        warnings.append(f"the file is not UTF-8 but legacy 8-bit {name_of(decoded.encoding)} text; it was "
                        "decoded from that encoding")
    bad = _control_share(text)
    if bad > MAX_CONTROL_SHARE:
        raise UnreadableDocument(
            f"{p.name}: not text ({bad:.0%} of its characters are control characters): it is probably a binary "
            f"file with a {ext} name; check what it really is, then save it as UTF-8 text, .docx or PDF and "
            "ingest that"
        )
    if ext == ".md":
        text = reduce_markdown(text)
    if _blank(text):
        raise UnreadableDocument(_no_text(p, "only blanks"))
    return RawDocument(path=str(path), sha256=sha, format=ext[1:], pages=[Page(number=1, text=text)],
                       warnings=warnings)


#: Share of control characters above which a "text" file is binary data, not text.
MAX_CONTROL_SHARE = 0.05
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
# invisible characters that are not whitespace to str.isspace() but carry no text either
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def _control_share(text: str) -> float:
    """Return the share of characters that never occur in text: C0/C1 controls (not tab/newline), NUL, U+FFFD."""
    if not text:
        return 0.0
    bad = sum(1 for c in text if (c == "\ufffd" or unicodedata.category(c) == "Cc") and c not in _TEXT_CONTROLS)
    return bad / len(text)


def _blank(text: str) -> bool:
    """Say whether text holds nothing but whitespace (non-breaking spaces too) and invisible characters."""
    return all(c.isspace() or c in _INVISIBLE for c in text)


def _no_text(p: Path, what: str) -> str:
    return (f"{p.name}: the file has no text ({what}); open it to check it is the right file, and re-export "
            "it from its original or remove it")


def _read_sniffed(p: Path, data: bytes, sha: str, kind: str, *, keep_open: bool = False) -> RawDocument:
    """Read a file by its sniffed format; legacy office files go through LibreOffice to .docx or .xlsx."""
    if kind == "pdf":
        return _read_pdf(p, data, sha, keep_open=keep_open)
    if kind == "docx":
        raw = _read_docx(p, data, sha)
    elif kind in WORD_LIKE:
        raw = _read_docx(p, convert(data, kind, "docx", name=p.name), sha)
    elif kind in SPREADSHEETS:
        xlsx = data if kind == "xlsx" else convert(data, kind, "xlsx", name=p.name)
        book = read_workbook(xlsx, p.name)
        # read as a Word file would be: the tables take the .docx table path, rows inline as "a | b"
        raw = RawDocument(path=str(p), sha256=sha, format="docx",
                          pages=[Page(number=1, text=unicodedata.normalize("NFC", "\n".join(book.lines)))],
                          tables=book.tables, warnings=book.warnings)
    else:
        raise UnsupportedFormat(advice(kind, p.name))
    raw.path = str(p)
    raw.source_format = kind
    return raw


# --------------------------------------------------------------------------- PDF (pypdfium2)


def _read_pdf(p: Path, data: bytes, sha: str, *, keep_open: bool = False) -> RawDocument:
    if not data.lstrip().startswith(b"%PDF"):
        raise UnreadableDocument(
            f"{p.name}: not a PDF (the file does not start with %PDF); check what it really is and rename or "
            "re-export it"
        )
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableDocument(
            f"{p.name}: the PDF is truncated (no %%EOF end marker); it was probably cut short while downloading "
            "or copying: fetch it again"
        )
    try:
        handle = PdfHandle(p, data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise UnreadableDocument(
                f"{p.name}: the PDF is encrypted with a password; ask the issuer for an unprotected copy or "
                "remove the password (e.g. qpdf --decrypt) and ingest that"
            ) from e
        raise UnreadableDocument(
            f"{p.name}: the PDF is damaged and cannot be parsed ({msg}); fetch a fresh copy, or print it to PDF "
            "again"
        ) from e
    try:
        if handle.pages == 0:
            raise UnreadableDocument(f"{p.name}: the PDF has no pages; fetch a complete copy")
        limits.check_page_count(p.name, handle.pages)
        pages = [_assemble_page(loaded) for loaded in _load_pages(p, handle)]
    except BaseException:
        handle.close()
        raise
    if not keep_open:
        handle.close()
    warnings: list[str] = damage_warnings(data)
    empty = [pg.number for pg in pages if not pg.has_text_layer]
    if empty:
        warnings.append(no_text_layer_warning(empty, len(pages)))
    return RawDocument(path=str(p), sha256=sha, format="pdf", pages=pages, warnings=warnings,
                       pdf=None if handle.closed else handle)


class NoTextLayerWarning(str):
    """read()'s warning that pages have no text layer, carrying their numbers so OCR can rewrite it unparsed."""

    pages: tuple[int, ...]
    total: int

    def __new__(cls, pages: list[int], total: int) -> NoTextLayerWarning:
        """Word the warning for pages (1-based numbers) of a document of `total` pages."""
        text = (f"{len(pages)} of {total} pages have no text layer (pages {page_ranges(pages)}): probably scanned; "
                "they need OCR (solieu ingest --ocr auto)")
        obj = super().__new__(cls, text)
        obj.pages, obj.total = tuple(pages), total
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (NoTextLayerWarning, (list(self.pages), self.total))


def no_text_layer_warning(numbers: list[int], total: int) -> NoTextLayerWarning:
    """Return the warning for pages without a text layer (OCR rewrites it once they are OCR'd)."""
    return NoTextLayerWarning(numbers, total)


def page_ranges(numbers: list[int]) -> str:
    """Return "1-3, 7" for [1, 2, 3, 7]."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}-{prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return ", ".join(out)


def _load_pages(p: Path, handle: PdfHandle) -> Iterator[_LoadedPage]:
    """Load every page of the PDF with pdfium in order, checking its size and the document's time limit."""
    for i in range(handle.pages):
        try:
            with PDFIUM_LOCK:
                w, h = handle.pdf.get_page_size(i)
            limits.check_page_size(p.name, i + 1, w, h)
            limits.check_clock(str(p), f"reading page {i + 1} of {handle.pages}")
            yield _load_pdf_page(handle.pdf, i)
        except pdfium.PdfiumError as e:     # found by fuzzing: a page object that pdfium cannot load
            raise UnreadableDocument(
                f"{p.name}: page {i + 1} of the PDF is damaged and cannot be loaded ({e}); fetch a fresh copy, "
                "or print it to PDF again"
            ) from e


@dataclass
class _LoadedPage:
    """What pdfium gives for a page: its characters and measures, before the (plain Python) text assembly."""

    index: int
    chars: _PageChars
    width: float
    height: float
    coverage: float | None
    rules: int | None


def _assemble_page(loaded: _LoadedPage) -> Page:
    """Build a page from what pdfium gave for it."""
    text, boxes, sizes = _assemble(loaded.chars)
    return Page(number=loaded.index + 1, text=text, boxes=boxes, sizes=sizes, width=loaded.width,
                height=loaded.height, has_text_layer=bool(text.strip()), image_coverage=loaded.coverage,
                rule_paths=loaded.rules)


def _load_pdf_page(pdf: pdfium.PdfDocument, index: int) -> _LoadedPage:
    """Read one page's characters, boxes (top-left origin, points) and font sizes with pdfium."""
    c = pdfium_c
    with PDFIUM_LOCK:     # every pdfium call of the page, not the text assembly (plain Python) below
        page = pdf[index]
        coverage: float | None = None
        rules: int | None = None
        try:
            # signature widgets and stamps are annotations: flatten them so their text is seen (and can be
            # removed by normalize, which records it) the way a reader and pdftotext see it
            if c.FPDFPage_GetAnnotCount(page.raw) > 0:
                if c.FPDFPage_Flatten(page.raw, c.FLAT_NORMALDISPLAY) == c.FLATTEN_SUCCESS:
                    page.close()
                    page = pdf[index]
            else:
                # triage's image share, measured on this load of the page rather than by loading it again;
                # not after a flattening, which OCR's own reopening of the file would not see
                coverage, rules = page_objects(page)
            width, height = page.get_size()
            tp = page.get_textpage()
            try:
                chars = _page_chars(tp, height)
            finally:
                tp.close()
        finally:
            page.close()
    return _LoadedPage(index, chars, width, height, coverage, rules)


# (char, box, size, bottom of the glyph box from the top (a baseline stand-in), generated)
_Char = tuple[str, BBox | None, float | None, float | None, bool]


@dataclass
class _PageChars:
    """A text page's kept characters as flat columns (what the C loop fills; the Python loop the same)."""

    text: str                      # one character per kept pdfium char
    box: array[float]              # left, top, right, bottom per character (0s where it has none)
    size: array[float]             # font size per character, 0 where none (spaces, generated breaks)
    flags: bytes                   # _GENERATED | _HAS_BOX per character


_GENERATED = 1
_HAS_BOX = 2
_NATIVE_SO = Path(__file__).with_name("native") / "pdfchars.so"
_NATIVE_ABI = 1                          # solieu_pdfchars_abi() of the pdfchars.c this code calls


def _load_native() -> Any:
    """Return the C loop of pipeline/native/pdfchars.c (built by `make setup`), or None when it is not built."""
    try:
        lib = ctypes.CDLL(str(_NATIVE_SO))
        if lib.solieu_pdfchars_abi() != _NATIVE_ABI:
            return None                  # built from an older pdfchars.c: `make setup` rebuilds it
    except (OSError, AttributeError):
        return None
    fn = lib.solieu_page_chars
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_void_p,
                   ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                   ctypes.c_void_p]
    pointers = tuple(ctypes.cast(f, ctypes.c_void_p).value or 0 for f in (
        pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_IsGenerated))
    return partial(_chars_native, fn, pointers)


def _text_units(raw: Any, n: int) -> Any:
    """Return the text page's n UTF-16 units (one per char index) as a ctypes array."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = pdfium_c.FPDFText_GetText(raw, 0, n, buf)
    return buf, max(got - 1, 0)


def _chars_native(fn: Any, pointers: tuple[int, ...], tp: pdfium.PdfTextPage, height: float) -> _PageChars:
    """Return the page's characters read by the C loop (the caller holds PDFIUM_LOCK)."""
    raw = tp.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    if n <= 0:
        return _PageChars("", array("d"), array("d"), b"")
    buf, got = _text_units(raw, n)
    codes = array("I", bytes(4 * got))
    box = array("d", bytes(32 * got))
    size = array("d", bytes(8 * got))
    flags = array("B", bytes(got))
    k = fn(raw, buf, got, height, *pointers, codes.buffer_info()[0], box.buffer_info()[0],
           size.buffer_info()[0], flags.buffer_info()[0])
    del codes[k:], box[4 * k:], size[k:], flags[k:]
    return _PageChars(codes.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be"),
                      box, size, flags.tobytes())


def _chars_python(tp: pdfium.PdfTextPage, height: float) -> _PageChars:
    """Return the page's characters read in Python, as the C loop does (the fallback; the caller holds the lock)."""
    c = pdfium_c
    raw = tp.raw
    n = c.FPDFText_CountChars(raw)
    if n <= 0:
        return _PageChars("", array("d"), array("d"), b"")
    buf, got = _text_units(raw, n)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pl, pr, pb, pt = ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top)
    get_box, get_size, is_generated = c.FPDFText_GetCharBox, c.FPDFText_GetFontSize, c.FPDFText_IsGenerated
    text: list[str] = []
    box = array("d")
    size = array("d")
    flags = bytearray()
    for i, code in enumerate(buf[:got]):
        if code == 0 or code == 0xFFFE:
            continue
        # 2 is pdfium's mark for a hyphen it found at a line end: keep it as a soft hyphen for normalize
        text.append("\u00ad" if code == 2 else chr(code) if not 0xD800 <= code < 0xE000 else "\ufffd")
        if (code == 32 or code == 10 or code == 13) and is_generated(raw, i) == 1:
            box.extend((0.0, 0.0, 0.0, 0.0))
            size.append(0.0)
            flags.append(_GENERATED)
            continue
        if get_box(raw, i, pl, pr, pb, pt):
            box.extend((left.value, height - top.value, right.value, height - bottom.value))
            flags.append(_HAS_BOX)
        else:
            box.extend((0.0, 0.0, 0.0, 0.0))
            flags.append(0)
        size.append(0.0 if code == 32 else float(get_size(raw, i)))
    return _PageChars("".join(text), box, size, bytes(flags))


_NATIVE = _load_native()


def _page_chars(tp: pdfium.PdfTextPage, height: float) -> _PageChars:
    """Return the page's characters with boxes and font sizes: the C loop when built, else the Python one."""
    return _NATIVE(tp, height) if _NATIVE is not None else _chars_python(tp, height)


# every character str.isdigit() accepts (pdfium gives UTF-16 units: the BMP is all there is)
_DIGITS = re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x10000) if chr(c).isdigit()) + "]")
_BREAKS = re.compile("[\r\n]")
_NO_BOX = re.compile(b"[\x00\x01]")


def _assemble(chars: _PageChars) -> tuple[str, list[BBox | None], list[float | None]]:
    """Build page text: lines from pdfium, raised small digits as superscripts, combining marks composed."""
    text, flags = chars.text, chars.flags
    # columns as Python objects, built in C: a 4-tuple per box (None where none), None for a size of 0
    all_boxes: list[BBox | None] = list(zip(*[iter(chars.box)] * 4, strict=False))
    for m in _NO_BOX.finditer(flags):
        all_boxes[m.start()] = None
    all_sizes: list[float | None] = [s or None for s in chars.size]
    # 1. split into lines (each a list of [start, end) runs of characters) at pdfium's generated line
    #    breaks, but undo breaks that pdfium makes only because a superscript (footnote marker, m²) sits
    #    on a raised baseline
    lines: list[list[tuple[int, int]]] = [[]]
    start = 0
    breaks = [m.start() for m in _BREAKS.finditer(text)]
    k = 0
    while k < len(breaks):
        i = breaks[k]
        if start < i:
            lines[-1].append((start, i))
        if flags[i] & _GENERATED:
            j = i
            while k < len(breaks) and breaks[k] == j and flags[j] & _GENERATED:
                j += 1
                k += 1
            prev = next((x for a, b in reversed(lines[-1]) for x in range(b - 1, a - 1, -1)
                         if all_boxes[x] is not None and not text[x].isspace()), None)
            nxt = next((x for x in range(j, len(text)) if all_boxes[x] is not None and not text[x].isspace()), None)
            if not (prev is not None and nxt is not None and _same_line(prev, nxt, lines[-1], all_boxes, all_sizes)):
                lines.append([])
            start = j
            continue
        if text[i] == "\n":
            lines.append([])
        start = i + 1                      # a "\r" of the text itself is dropped
        k += 1
    if start < len(text):
        lines[-1].append((start, len(text)))
    out_text: list[str] = []
    boxes: list[BBox | None] = []
    sizes: list[float | None] = []
    for n, line in enumerate(lines):
        if n:
            out_text.append("\n")
            boxes.append(None)
            sizes.append(None)
        _mark_superscripts(line, chars, all_boxes, all_sizes, out_text, boxes, sizes)
    return compose("".join(out_text), boxes, sizes)


def _same_line(prev: int, nxt: int, line: list[tuple[int, int]], boxes: list[BBox | None],
               sizes: list[float | None]) -> bool:
    """Say whether character nxt continues prev's line (it only moved up or down for a superscript)."""
    pb, nb = boxes[prev], boxes[nxt]
    assert pb is not None and nb is not None
    if nb[0] < pb[2] - 1.0:          # the next char starts left of the previous one: a new line
        return False
    top = max((z for a, b in line for z in sizes[a:b] if z), default=None)
    size = top if top is not None else (sizes[prev] or 10.0)
    # both are visible non-space characters: their glyph bottoms stand in for baselines
    return abs(pb[3] - nb[3]) < 0.6 * max(size, sizes[nxt] or 0.0)


def _mark_superscripts(line: list[tuple[int, int]], chars: _PageChars, all_boxes: list[BBox | None],
                       all_sizes: list[float | None], text: list[str], boxes: list[BBox | None],
                       sizes: list[float | None]) -> None:
    """Append a line, turning small raised digits (footnote markers, m²) into superscript digits."""
    if not line:
        return
    line_text = "".join(chars.text[a:b] for a, b in line)
    line_boxes = [x for a, b in line for x in all_boxes[a:b]] if len(line) > 1 else all_boxes[line[0][0]:line[0][1]]
    line_sizes = [z for a, b in line for z in all_sizes[a:b]] if len(line) > 1 else all_sizes[line[0][0]:line[0][1]]
    digit_sizes = [z for m in _DIGITS.finditer(line_text) if (z := line_sizes[m.start()])]
    top_size = max(filter(None, line_sizes), default=0.0)
    if not digit_sizes or min(digit_sizes) >= 0.8 * top_size:
        # fast path: no digit is smaller than the line's text, so none is a superscript
        text.append(line_text)
        boxes.extend(line_boxes)
        sizes.extend(line_sizes)
        return
    weights: Counter[float] = Counter(z for z in line_sizes if z)
    body = weights.most_common(1)[0][0] if weights else None
    # glyph bottoms stand in for baselines (a space has none)
    bases = [None if bx is None or ch == " " else bx[3] for ch, bx in zip(line_text, line_boxes, strict=True)]
    alnum = sorted(base for ch, base in zip(line_text, bases, strict=True) if base is not None and ch.isalnum())
    baseline = alnum[len(alnum) // 2] if alnum else None     # median glyph bottom ~ the baseline
    for ch, box, size, base in zip(line_text, line_boxes, line_sizes, bases, strict=True):
        out = ch
        if (ch.isdigit() and size and body and base is not None and baseline is not None
                and size < 0.8 * body and baseline - base > 0.15 * body):
            out = ch.translate(SUPERSCRIPT)
        text.append(out)
        boxes.append(box)
        sizes.append(size)


def compose(text: str, boxes: list[BBox | None], sizes: list[float | None]
             ) -> tuple[str, list[BBox | None], list[float | None]]:
    """NFC-compose text, giving a composed character the union of its parts' boxes."""
    if unicodedata.is_normalized("NFC", text):
        return text, boxes, sizes
    out_t: list[str] = []
    out_b: list[BBox | None] = []
    out_s: list[float | None] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        parts = [b for b in boxes[i:j] if b is not None]
        union: BBox | None = (
            (min(b[0] for b in parts), min(b[1] for b in parts), max(b[2] for b in parts), max(b[3] for b in parts))
            if parts else None
        )
        for ch in cluster:
            out_t.append(ch)
            out_b.append(union if len(cluster) != j - i else boxes[i + cluster.index(ch)])
            out_s.append(sizes[i])
        i = j
    return "".join(out_t), out_b, out_s


# --------------------------------------------------------------------------- DOCX (python-docx)


def _read_docx(p: Path, data: bytes, sha: str) -> RawDocument:
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    limits.check_zip(p.name, data)
    try:
        d = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, ET.ParseError) as e:
        raise UnreadableDocument(
            f"{p.name}: not a readable Word .docx file ({type(e).__name__}); open it in Word or LibreOffice and "
            "save it again as .docx"
        ) from e
    except Exception as e:  # lxml errors and friends: the package is damaged
        raise UnreadableDocument(
            f"{p.name}: the .docx package is damaged ({e}); open and re-save it in Word or LibreOffice"
        ) from e
    order: dict[str, str] = {}          # footnote id -> marker, numbered by first reference
    lines: list[str] = []
    tables: list[Table] = []
    _docx_emit(_docx_blocks(d.element.body), order, lines, tables)
    footnotes = _docx_footnotes(d, order)
    visible = sum(1 for c in " ".join(lines).replace("|", " ") if not (c.isspace() or c in _INVISIBLE))
    # no text, or a caption or page number per picture: the pages may be pasted scans
    if visible < MAX_TEXT_PER_IMAGE * picture_count(d.element.body):
        images = page_images(d, p.name)
        if is_image_only(visible, images):
            return _image_pages(p, sha, images, visible)
    if _blank(" ".join(lines).replace("|", " ")) and not any(t for _m, t in footnotes):
        raise UnreadableDocument(_no_text(p, "paragraphs and table cells are all empty"))
    text = unicodedata.normalize("NFC", "\n".join(lines))
    return RawDocument(path=str(p), sha256=sha, format="docx", pages=[Page(number=1, text=text)],
                       tables=tables, footnotes=footnotes)


def _image_pages(p: Path, sha: str, images: list[PageImage], visible: int) -> RawDocument:
    """Return a Word file of pasted scans as one empty page per picture, left for the OCR stage to read."""
    n = len(images)
    pages = [Page(number=i + 1, text="", has_text_layer=False,
                  width=im.width_pt, height=im.height_pt) for i, im in enumerate(images)]
    warnings: list[str] = [no_text_layer_warning(list(range(1, n + 1)), n)]
    if visible:
        warnings.append(f"the Word file's {visible} characters of text beside its {n} page pictures were left out "
                        "(a caption or page number): its pages are the pictures")
    return RawDocument(path=str(p), sha256=sha, format="docx", pages=pages, warnings=warnings, images=images)


MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"


def _docx_emit(blocks: list[ET.Element], order: dict[str, str], lines: list[str], tables: list[Table]) -> None:
    """Append the lines of paragraphs and tables (and their text boxes) in document order."""
    for child in blocks:
        if child.tag == f"{W}p":
            text, boxes = _docx_paragraph_and_boxes(child, order)
            lines.append(text)
            for box in boxes:            # each text-box paragraph is a line of its own, after its anchor's
                _docx_emit(_docx_blocks(box), order, lines, tables)
        else:
            rows = _docx_table(child, order)
            tables.append(Table(table_id=f"t{len(tables) + 1}", rows=rows, source="docx"))
            lines.extend(" | ".join(c or "" for c in row) for row in rows)


def _docx_blocks(parent: ET.Element) -> list[ET.Element]:
    """Return paragraphs and tables in document order, looking inside content controls and custom XML."""
    out: list[ET.Element] = []
    for child in parent:
        if child.tag in (f"{W}p", f"{W}tbl"):
            out.append(child)
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                out.extend(_docx_blocks(content))
        elif child.tag == f"{W}customXml":
            out.extend(_docx_blocks(child))
        elif child.tag == f"{MC}AlternateContent":
            branch = _mc_branch(child)
            if branch is not None:
                out.extend(_docx_blocks(branch))
    return out


def _mc_branch(alternate: ET.Element) -> ET.Element | None:
    """Return the one branch of mc:AlternateContent to read: its first mc:Choice, else its mc:Fallback."""
    # Word writes the same content twice (a DrawingML text box and a VML copy for old readers): read one
    return alternate.find(f"{MC}Choice") if alternate.find(f"{MC}Choice") is not None \
        else alternate.find(f"{MC}Fallback")


def _docx_runs(parent: ET.Element, runs: list[ET.Element], boxes: list[ET.Element]) -> None:
    """Collect a paragraph's runs in order (inside hyperlinks, fields, insertions…) and its text boxes."""
    for child in parent:
        tag = child.tag
        if tag == f"{W}r":
            runs.append(child)
            _docx_text_boxes(child, boxes)
        elif tag == f"{MC}AlternateContent":
            branch = _mc_branch(child)
            if branch is not None:
                _docx_runs(branch, runs, boxes)
        elif tag == f"{W}txbxContent":
            boxes.append(child)
        elif isinstance(tag, str) and tag != f"{W}pPr":
            _docx_runs(child, runs, boxes)


def _docx_text_boxes(el: ET.Element, boxes: list[ET.Element]) -> None:
    """Collect the outermost text boxes (w:txbxContent) under a run, reading one branch of each mc choice."""
    for child in el:
        if child.tag == f"{W}txbxContent":
            boxes.append(child)         # text boxes nested in it are found when its paragraphs are read
        elif child.tag == f"{MC}AlternateContent":
            branch = _mc_branch(child)
            if branch is not None:
                _docx_text_boxes(branch, boxes)
        elif isinstance(child.tag, str):
            _docx_text_boxes(child, boxes)


def _docx_paragraph(p: ET.Element, order: dict[str, str]) -> str:
    """Return a paragraph's text with footnote references and superscript digits as superscripts."""
    return _docx_paragraph_and_boxes(p, order)[0]


def _docx_paragraph_and_boxes(p: ET.Element, order: dict[str, str]) -> tuple[str, list[ET.Element]]:
    """Return a paragraph's own text (text boxes left out) and the text boxes anchored in it."""
    runs: list[ET.Element] = []
    boxes: list[ET.Element] = []
    _docx_runs(p, runs, boxes)
    out: list[str] = []
    for r in runs:
        rpr = r.find(f"{W}rPr")
        sup = False
        font: tuple[str, bool] | None = None
        if rpr is not None:
            va = rpr.find(f"{W}vertAlign")
            sup = va is not None and va.get(f"{W}val") == "superscript"
            font = legacy_font(rpr)
        for el in r:
            if el.tag == f"{W}t" and el.text:
                t = el.text if font is None else decode_legacy_run(el.text, *font)
                out.append(t.translate(SUPERSCRIPT) if sup and t.isdigit() else t)
            elif el.tag == f"{W}tab":
                out.append("\t")
            elif el.tag in (f"{W}br", f"{W}cr"):
                out.append(" ")
            elif el.tag == f"{W}footnoteReference":
                fid = el.get(f"{W}id") or ""
                marker = order.setdefault(fid, str(len(order) + 1))
                out.append(marker.translate(SUPERSCRIPT))
    return "".join(out), boxes


# .VnTime, .VnArial, .VnTimeH (capitals) …: TCVN3 (ABC) fonts; VNI-Times, VNI-Helve …: VNI fonts
_TCVN3_FONT = re.compile(r"^\.Vn", re.IGNORECASE)
_VNI_FONT = re.compile(r"^VNI[- ]", re.IGNORECASE)


def legacy_font(rpr: ET.Element) -> tuple[str, bool] | None:
    """Return (legacy encoding, capital font) when a run is set in a TCVN3 or VNI font, else None."""
    fonts = rpr.find(f"{W}rFonts")
    if fonts is None:
        return None
    name = fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") or ""
    if _TCVN3_FONT.match(name):
        # ".VnTimeH": the capital font shows the lower-case codes as capitals
        return "tcvn3", name.rstrip().upper().endswith("H")
    if _VNI_FONT.match(name):
        return "vni", False
    return None


def decode_legacy_run(text: str, encoding: str, capitals: bool) -> str:
    """Decode the text of a run set in a legacy font (Word stores the font's bytes as Windows-1252 letters)."""
    from pipeline.legacy import decode

    out = decode(text, encoding)
    return out.upper() if capitals else out


def _docx_cell_text(parent: ET.Element, order: dict[str, str]) -> str:
    """Return a cell's text: its paragraphs, text boxes and nested tables, recursively, joined by spaces."""
    parts: list[str] = []
    for block in _docx_blocks(parent):
        if block.tag == f"{W}p":
            text, boxes = _docx_paragraph_and_boxes(block, order)
            parts.append(text)
            parts.extend(_docx_cell_text(box, order) for box in boxes)
        else:
            # a nested table: its cells in reading order (not " | ", which would split the outer row)
            for tr in block.findall(f"{W}tr"):
                parts.extend(_docx_cell_text(tc, order) for tc in tr.findall(f"{W}tc"))
    return " ".join(t.strip() for t in parts if t.strip())


def _docx_table(tbl: ET.Element, order: dict[str, str]) -> list[list[str | None]]:
    """Return a table's rows of cell texts; a cell merged into the previous one is None."""
    rows: list[list[str | None]] = []
    for tr in tbl.findall(f"{W}tr"):
        row: list[str | None] = []
        for tc in tr.findall(f"{W}tc"):
            tcpr = tc.find(f"{W}tcPr")
            span = 1
            merged = False
            if tcpr is not None:
                gs = tcpr.find(f"{W}gridSpan")
                if gs is not None:
                    span = int(gs.get(f"{W}val") or 1)
                vm = tcpr.find(f"{W}vMerge")
                merged = vm is not None and vm.get(f"{W}val") != "restart"
            txt = _docx_cell_text(tc, order)
            row.append(None if merged else unicodedata.normalize("NFC", txt))
            row.extend([None] * (span - 1))
        rows.append(row)
    return rows


def _docx_footnotes(d: object, order: dict[str, str]) -> list[tuple[str, str]]:
    """Return (marker, text) of the footnotes part, in reference order."""
    part = None
    for rel in d.part.rels.values():  # type: ignore[attr-defined]
        if rel.reltype.endswith("/footnotes") and not rel.is_external:
            part = rel.target_part
    if part is None:
        return []
    root = ET.fromstring(part.blob)
    notes: dict[str, str] = {}
    for fn in root.findall(f"{W}footnote"):
        if fn.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        fid = fn.get(f"{W}id") or ""
        text = " ".join(_docx_paragraph(p, {}) for p in fn.findall(f"{W}p"))
        notes[fid] = unicodedata.normalize("NFC", re.sub(r"\s+", " ", text).strip())
    out = [(marker, notes[fid]) for fid, marker in sorted(order.items(), key=lambda kv: int(kv[1])) if fid in notes]
    # footnotes never referenced still carry text: keep them, numbered after the referenced ones
    for fid, text in notes.items():
        if fid not in order and text:
            out.append((str(len(out) + 1), text))
    return out


# --------------------------------------------------------------------------- TXT / MD


def decode_text(data: bytes) -> str:
    """Decode text bytes (UTF-8, UTF-16, or a legacy 8-bit encoding on evidence: see textdecode); NFC, \\n."""
    return decode_bytes(data).text


_SUP = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


_EMPHASIS_STAR = re.compile(r"\*{1,3}(?=[^\s*])((?:(?!\n[ \t]*\n)[^*])+?)(?<=[^\s*])\*{1,3}")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<!\w)_{1,3}(?=[^\s_])((?:(?!\n[ \t]*\n)[^_])+?)(?<=[^\s_])_{1,3}(?!\w)")


def reduce_markdown(md: str) -> str:
    """Reduce Markdown to text: superscripts as ¹/², emphasis and '#' marks removed, pipe tables kept."""
    lines: list[str] = []
    table: list[bool] = []
    for line in md.split("\n"):
        s = line.rstrip()
        if re.fullmatch(r"\s*(-{3,}|\*{3,}|_{3,})\s*", s):
            s = ""                                 # horizontal rule
        elif s.lstrip().startswith("|"):
            lines.append(s)                        # pipe table line: kept as it is for the table reader
            table.append(True)
            continue
        s = re.sub(r"^\s{0,3}#{1,6}\s+", "", s)
        s = _SUP.sub(lambda m: m.group(1).translate(SUPERSCRIPT) if m.group(1).isdigit() else m.group(1), s)
        s = re.sub(r"<br\s*/?>", " ", s, flags=re.IGNORECASE)
        s = _LINK.sub(r"\1", s)
        lines.append(s.replace("\\*", "\x00").replace("\\_", "\x01"))
        table.append(False)
        if line.endswith("  ") and s.strip():
            # a hard line break ("T/M BAN THƯỜNG VỤ  " / "PHÓ BÍ THƯ"): the lines stay apart
            lines.append("")
            table.append(False)
    # emphasis may open on one line and close on the next ("**I. TÌNH HÌNH\nTHỰC HIỆN …**"): strip it per
    # run of prose lines, never across a blank line or into a table
    out: list[str] = []
    k = 0
    while k < len(lines):
        if table[k]:
            out.append(lines[k])
            k += 1
            continue
        j = k
        while j < len(lines) and not table[j]:
            j += 1
        chunk = "\n".join(lines[k:j])
        chunk = _EMPHASIS_STAR.sub(r"\1", chunk)
        chunk = _EMPHASIS_UNDERSCORE.sub(r"\1", chunk)
        for s in chunk.split("\n"):
            s = re.sub(r"\*{2,}", "", s)              # unpaired bold marks ("** **")
            s = re.sub(r"^\*(?=\S)|(?<=\S)\s*\*$", "", s.strip())   # unpaired italic marks at the line ends
            s = s.replace("\x00", "*").replace("\x01", "_")
            s = _ESCAPED.sub(r"\1", s)
            out.append(s.strip())
        k = j
    return unicodedata.normalize("NFC", "\n".join(out))
