"""Make hostile input files (zip bombs, huge pages, damaged PDFs, legacy text) for tests and the bench matrix."""

from __future__ import annotations

import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

from pipeline.legacy import encode
from pipeline.read import reduce_markdown
from tests.conftest import SEED_MD, SEED_PDF

_DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats'
               '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlfor'
               'mats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override'
               ' PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordproc'
               'essingml.document.main+xml"/></Types>')
_DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxml'
              'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
              '.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bomb(path: Path, inflated_mb: int, *, lie: bool = False) -> Path:
    """Write a .docx whose document.xml inflates to inflated_mb MB of one huge paragraph (lie: directory says 1 KB)."""
    para = "<w:p><w:r><w:t>" + "Huyện có 12 xã. " * 64 + "</w:t></w:r></w:p>"
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>'.encode()
    tail = b"</w:body></w:document>"
    block = para.encode() * 1024
    n = max(1, inflated_mb * (1 << 20) // len(block))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            for _ in range(n):
                fh.write(block)
            fh.write(tail)
    if lie:
        # rewrite the central directory's uncompressed size of document.xml to 1 KB (zip64 extra too)
        data = bytearray(path.read_bytes())
        name = b"word/document.xml"
        cd = data.rfind(b"PK\x01\x02" + b"", 0, data.rfind(name))
        while cd >= 0 and data[cd + 46:cd + 46 + len(name)] != name:
            cd = data.rfind(b"PK\x01\x02", 0, cd)
        struct.pack_into("<I", data, cd + 24, 1024)
        extra_len = struct.unpack_from("<H", data, cd + 30)[0]
        extra = cd + 46 + len(name)
        end = extra + extra_len
        while extra + 4 <= end:
            tag, size = struct.unpack_from("<HH", data, extra)
            if tag == 1:
                struct.pack_into("<Q", data, extra + 4, 1024)
            extra += 4 + size
        path.write_bytes(bytes(data))
    return path


def docx_legacy_fonts(path: Path, runs: list[tuple[str, str]]) -> Path:
    """Write a .docx with one paragraph per (font, text) run, the text stored as the font's legacy bytes."""
    import docx

    d = docx.Document()
    for font, text in runs:
        enc = "tcvn3" if font.startswith(".Vn") else "vni" if font.upper().startswith("VNI") else None
        run = d.add_paragraph().add_run(encode(text, enc) if enc else text)
        run.font.name = font
    d.save(str(path))
    return path


def pdf(path: Path, pages: list[tuple[float, float, bytes]], images: dict[str, bytes] | None = None,
        font: bool = False) -> Path:
    """Write a minimal PDF: each page (width pt, height pt, content stream); images: name -> XObject bytes."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")
    pages_id = add(b"")
    font_id = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>") if font else None
    xobj = {name: add(body) for name, body in (images or {}).items()}
    res = b"<< " + (b"/Font << /F1 %d 0 R >> " % font_id if font_id else b"")
    if xobj:
        res += b"/XObject << " + b" ".join(b"/%s %d 0 R" % (n.encode(), i) for n, i in xobj.items()) + b" >> "
    res += b">>"
    kids = []
    for w, h, content in pages:
        c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream") if content else None
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Resources %s%s >>"
                        % (pages_id, w, h, res, b" /Contents %d 0 R" % c if c else b"")))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    path.write_bytes(bytes(out))
    return path


def huge_blank_page(path: Path) -> Path:
    """One empty 200 × 200 inch page (pdfium's largest), a few hundred bytes."""
    return pdf(path, [(14400, 14400, b"")])


def blank_pages(path: Path, n: int) -> Path:
    """n empty A4 pages."""
    return pdf(path, [(595, 842, b"")] * n)


def big_image_page(path: Path, side: int = 20000) -> Path:
    """An A4 page showing one side × side pixel white 1-bit image (Flate: a few dozen KB on disk)."""
    row = b"\xff" * ((side + 7) // 8)
    raw = zlib.compress(row * side, 9)
    img = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "
           b"/Filter /FlateDecode /Length %d >>\nstream\n" % (side, side, len(raw)) + raw + b"\nendstream")
    return pdf(path, [(595, 842, b"q 595 0 0 842 0 0 cm /Im0 Do Q")], images={"Im0": img})


def large_page_with_a_speck(path: Path, inches: float = 50) -> Path:
    """A 50 × 50 inch page (1.6 m², under the area limit) with a 1 pt black square: rendered, at a capped size."""
    return pdf(path, [(inches * 72, inches * 72, b"0 g 100 100 1 1 re f")])


def text_pages(path: Path, n: int) -> Path:
    """n A4 pages each with one line of text (for the time limit)."""
    return pdf(path, [(595, 842, b"BT /F1 12 Tf 72 700 Td (Trang co 12 xa) Tj ET")] * n, font=True)


def cut_pdf(path: Path, share: float = 0.2) -> Path:
    """The seed PDF with `share` of its bytes cut from the middle."""
    data = SEED_PDF.read_bytes()
    a = int(len(data) * (0.5 - share / 2))
    b = int(len(data) * (0.5 + share / 2))
    path.write_bytes(data[:a] + data[b:])
    return path


def seed_text() -> str:
    """The seed report's text (Markdown reduced), the source of the legacy-encoded files."""
    return reduce_markdown(SEED_MD.read_text(encoding="utf-8"))


def seed_tcvn3(path: Path) -> Path:
    """The seed text as TCVN3 (TCVN 5712:1993) bytes, made by glibc iconv; symbols it lacks transliterated (“ -> ")."""
    out = subprocess.run(["iconv", "-c", "-f", "UTF-8", "-t", "TCVN5712-1//TRANSLIT"], input=seed_text().encode(),
                         capture_output=True, check=False)
    path.write_bytes(out.stdout)
    return path


def seed_vni(path: Path) -> Path:
    """The seed text as VNI-Windows bytes (Windows-1252 letters for VNI's codes)."""
    path.write_bytes(encode(seed_text(), "vni").encode("cp1252", errors="replace"))
    return path


def seed_cp1258(path: Path) -> Path:
    """The seed text as Windows-1258 bytes (decomposed tone marks), made by glibc iconv."""
    out = subprocess.run(["iconv", "-c", "-f", "UTF-8", "-t", "CP1258//TRANSLIT"], input=seed_text().encode(),
                         capture_output=True, check=False)
    path.write_bytes(out.stdout)
    return path


def seed_utf8_with_bad_bytes(path: Path) -> Path:
    """The seed text as UTF-8 with four invalid bytes in it."""
    data = seed_text().encode()
    cut = [len(data) // 5, 2 * len(data) // 5, 3 * len(data) // 5, 4 * len(data) // 5]
    # put each bad byte after a space so no valid character is split
    out = bytearray()
    prev = 0
    for c in cut:
        c = data.index(b" ", c) + 1
        out += data[prev:c] + b"\xff"
        prev = c
    out += data[prev:]
    path.write_bytes(bytes(out))
    return path
