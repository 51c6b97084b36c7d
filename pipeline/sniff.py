"""Tell a file's real format from its bytes (never from its name) and say what to do with the unreadable."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: Extensions a folder walk picks up; what is inside each file is still sniffed from its bytes.
DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".txt", ".md", ".doc", ".rtf", ".odt", ".xls", ".xlsx", ".ods",
                       ".html", ".htm")
#: Formats LibreOffice turns into .docx for the Word reader.
WORD_LIKE = ("doc", "rtf", "odt", "html")
#: Formats read as spreadsheets (xls/ods through LibreOffice to .xlsx first).
SPREADSHEETS = ("xls", "xlsx", "ods")
#: Formats whose text is plain; which one is decided by the extension, since bytes cannot tell them apart.
TEXT = ("txt", "md")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
           (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"BM", "bmp"))

#: What to do with each format solieu does not read (kind -> advice), named file by file in summaries.
ADVICE: dict[str, str] = {
    "png": "a scanned page as an image: put the scans into one PDF (e.g. `img2pdf *.png -o report.pdf`) and "
           "ingest that, which OCRs it",
    "jpeg": "a scanned page as an image: put the scans into one PDF (e.g. `img2pdf *.jpg -o report.pdf`) and "
            "ingest that, which OCRs it",
    "tiff": "a scan as an image: convert it to PDF (e.g. `tiff2pdf` or `img2pdf`) and ingest that",
    "gif": "an image: if it is a scanned page, convert it to PDF (img2pdf) and ingest that",
    "bmp": "an image: if it is a scanned page, convert it to PDF (img2pdf) and ingest that",
    "ppt": "a PowerPoint presentation: export it to PDF (`soffice --headless --convert-to pdf FILE`) and ingest "
           "that",
    "pptx": "a PowerPoint presentation: export it to PDF (`soffice --headless --convert-to pdf FILE`) and ingest "
            "that",
    "zip": "a zip archive: unpack it (`unzip FILE -d FOLDER`) and ingest the folder",
    "rar": "a RAR archive: unpack it (`unrar x FILE`) and ingest the folder",
    "7z": "a 7-Zip archive: unpack it (`7z x FILE`) and ingest the folder",
    "mht": "a Word 'single file web page' (MHT): open it in Word or LibreOffice, save it as .docx and ingest that",
    "encrypted-office": "an Office file protected with a password: ask the issuer for an unprotected copy, or open "
                        "it with the password and save it again without one",
    "ole-other": "an old Office file that is neither a Word document nor an Excel workbook: open it in its "
                 "program and save it as .docx, .xlsx or PDF",
    "zip-other": "a zip-based file that is neither .docx, .xlsx nor OpenDocument: save it as .docx, .xlsx or PDF",
    "binary": "not a document solieu knows (binary data): check what it is; if it is a report, save it as PDF, "
              ".docx or .xlsx and ingest that",
}


@dataclass(frozen=True)
class Sniffed:
    """A file's format as its bytes show it."""

    kind: str                    # "pdf", "docx", "doc", "rtf", "odt", "html", "xls", "xlsx", "ods", "txt", "md", or an ADVICE key

    @property
    def readable(self) -> bool:
        """Say whether solieu reads this format."""
        return self.kind in ("pdf", "docx", *WORD_LIKE, *SPREADSHEETS, *TEXT)


def _ole_kind(data: bytes, ext: str) -> str:
    # The directory of an OLE2 compound file names its streams in UTF-16LE; reading the names is enough.
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage"):
        return "encrypted-office"
    if has("WordDocument"):
        return "doc"
    if has("Workbook") or has("Book"):
        return "xls"
    if has("PowerPoint Document"):
        return "ppt"
    # no directory seen (a file cut short): let the name say what it was meant to be, LibreOffice says the rest
    return {".doc": "doc", ".xls": "xls"}.get(ext, "ole-other")


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                mime = z.read("mimetype").decode("ascii", "replace").strip()
                if mime.endswith("opendocument.text"):
                    return "odt"
                if mime.endswith("opendocument.spreadsheet"):
                    return "ods"
                if mime.endswith("opendocument.presentation"):
                    return "pptx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return "binary"     # a damaged package: the reader its name points to says so in its own words
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "[Content_Types].xml" in names:
        return "zip-other"
    return "zip"


def _text_head(data: bytes) -> str:
    """Return the first few KB as text (UTF-16 with or without BOM, else Latin-1, which never fails)."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if head.count(0) > len(head) // 4:
        # UTF-16 without a BOM: NULs in the high bytes of ASCII characters
        return head.decode("utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be", "replace")
    return head.decode("latin-1")


def sniff(data: bytes, name: str = "") -> Sniffed:
    """Return the format of a file's bytes; the name only tells plain-text formats (.txt, .md) apart."""
    ext = Path(name).suffix.lower()
    if data[:8] == _OLE2:
        return Sniffed(_ole_kind(data, ext))
    if data[:4] == b"PK\x03\x04":
        return Sniffed(_zip_kind(data))
    if data[:6] == b"Rar!\x1a\x07":
        return Sniffed("rar")
    if data[:6] == b"7z\xbc\xaf\x27\x1c":
        return Sniffed("7z")
    if b"%PDF-" in data[:1024]:
        return Sniffed("pdf")
    for magic, kind in _IMAGES:
        if data.startswith(magic) and (kind != "bmp" or ext == ".bmp"):
            return Sniffed(kind)
    head = _text_head(data).lstrip("\ufeff \t\r\n").lower()
    if head.startswith("{\\rtf"):
        return Sniffed("rtf")
    if head.startswith("mime-version:") or "content-type: multipart/related" in head[:2048]:
        return Sniffed("mht")
    if head.startswith(("<!doctype html", "<html")) or (
        head.startswith(("<?xml", "<!--", "<meta", "<head")) and "<html" in head
    ) or ("<html" in head[:1024] and ("<body" in head or "<head" in head)):
        return Sniffed("html")
    if ext == ".md":
        return Sniffed("md")
    if ext in (".html", ".htm"):
        return Sniffed("html")      # a fragment without <html>: still a page
    if ext in (".pdf", ".docx", ".doc", ".xls", ".xlsx", ".odt", ".ods"):
        return Sniffed("binary" if _binary(data) else "txt")
    return Sniffed("txt")


def _binary(data: bytes) -> bool:
    head = data[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20


def advice(kind: str, name: str) -> str:
    """Return one line naming the file, what it really is, and what to do with it."""
    what = ADVICE.get(kind, ADVICE["binary"])
    return f"{name}: {what}"
