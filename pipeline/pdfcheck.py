"""Check a PDF's bytes for damage pdfium would silently repair: a cross-reference table pointing to the wrong
places, compressed streams that do not decode."""

from __future__ import annotations

import re
import zlib

#: Every damage warning starts with this, so later stages (OCR triage) can tell a damaged PDF.
DAMAGED = "the PDF is damaged"
_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_OBJ_AT = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj")
_SUBSECTION = re.compile(rb"(\d+)\s+(\d+)\s*\r?\n")
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
#: Inflate at most this much of one stream to check it (its end is assumed good past that).
CHECK_BYTES = 8 << 20


def _xref_problems(data: bytes) -> tuple[int, int, str | None]:
    """Return (entries checked, entries pointing to the wrong place, a problem with startxref itself)."""
    found = list(_STARTXREF.finditer(data))
    if not found:
        return 0, 0, "it has no startxref"
    off = int(found[-1].group(1))
    if off >= len(data):
        return 0, 0, f"its startxref ({off}) points past the end of the file"
    head = data[off:off + 64]
    if _OBJ_AT.match(head):
        return 0, 0, None          # a cross-reference stream (PDF 1.5): its object is where it should be
    if not head.lstrip().startswith(b"xref"):
        return 0, 0, f"its startxref ({off}) does not point to the cross-reference table"
    pos = off + head.index(b"xref") + 4
    checked = wrong = 0
    while True:
        while pos < len(data) and data[pos:pos + 1] in b" \r\n\t":
            pos += 1
        m = _SUBSECTION.match(data, pos)
        if m is None:
            break
        first, count = int(m.group(1)), int(m.group(2))
        pos = m.end()
        for k in range(min(count, 10_000_000)):
            entry = data[pos:pos + 20]
            pos += 20
            if len(entry) < 18:
                return checked, wrong + 1, None
            if entry[17:18] != b"n":
                continue
            try:
                at = int(entry[:10])
            except ValueError:
                wrong += 1
                continue
            checked += 1
            hit = _OBJ_AT.match(data, at) if at < len(data) else None
            if hit is None or int(hit.group(1)) != first + k:
                wrong += 1
    return checked, wrong, None


def _stream_problems(data: bytes) -> tuple[int, int]:
    """Return (Flate streams checked, streams that do not inflate)."""
    checked = bad = 0
    for m in _STREAM.finditer(data):
        start = m.end()
        dict_start = data.rfind(b"obj", max(0, m.start() - 4096), m.start())
        if b"/FlateDecode" not in data[max(dict_start, m.start() - 4096):m.start()]:
            continue
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        checked += 1
        d = zlib.decompressobj()
        try:
            d.decompress(data[start:end], CHECK_BYTES)
        except zlib.error:
            bad += 1
            continue
        if not d.eof and not d.unconsumed_tail:
            bad += 1              # the stream stops before its end: cut short
    return checked, bad


def damage_warnings(data: bytes) -> list[str]:
    """Return a warning describing the damage in a PDF's bytes, or [] when its structure is sound."""
    checked, wrong, startxref = _xref_problems(data)
    streams, bad = _stream_problems(data)
    parts = []
    if startxref:
        parts.append(startxref)
    if wrong:
        parts.append(f"{wrong} of {checked} cross-reference entries point to the wrong place")
    if bad:
        parts.append(f"{bad} of {streams} compressed streams do not decode")
    if not parts:
        return []
    return [f"{DAMAGED} ({'; '.join(parts)}); pdfium repaired what it could, but text, figures or whole pages "
            "may be missing: fetch a fresh copy and ingest it with --force"]


def text_quality(text: str) -> float:
    """Return the share of a text's words that read as Vietnamese syllables, numbers or plain words (0..1)."""
    from pipeline.legacy import is_syllable

    words = text.split()
    if not words:
        return 0.0
    good = 0
    for w in words:
        core = w.strip(".,;:!?()[]{}\"'“”‘’-–…%/")
        if not core or any(ord(c) < 32 for c in core):
            continue
        if core.replace(".", "").replace(",", "").isdigit() or all(is_syllable(p) for p in re.split(r"[-/]", core) if p):
            good += 1
    return good / len(words)
