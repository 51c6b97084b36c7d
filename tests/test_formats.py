"""Legacy formats: sniffed from their bytes, converted by a real LibreOffice, read into figures and tables."""

from __future__ import annotations

import io
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from core.errors import ConversionFailed, UnreadableDocument, UnsupportedFormat
from pipeline.convert import cache_key, convert
from pipeline.model import Extracted
from pipeline.read import read_document
from pipeline.run import process_file
from pipeline.sniff import sniff
from pipeline.spreadsheet import format_number, read_workbook

ROOT = Path(__file__).resolve().parent.parent
LEGACY = ROOT / "tests" / "data" / "legacy"
WORD97 = LEGACY / "ct-09-2009-binhduong.doc"
WORD_HTML = LEGACY / "lich-lam-viec-word-html.doc"
XLS = LEGACY / "bao-gia-website-2012.xls"
RTF_DOC = LEGACY / "phieu-xu-ly-rtf.doc"
SEED_PDF = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def _docx_bytes(text: str) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx_bytes(rows: list[list[object]], number_format: str | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    if number_format:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int | float) and cell.column > 2:   # not the STT column
                    cell.number_format = number_format
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# name given, bytes, the format the bytes really are
SNIFF = [
    ("word97.doc", lambda: WORD97.read_bytes(), "doc"),
    ("html-named.doc", lambda: WORD_HTML.read_bytes(), "html"),
    ("rtf-named.doc", lambda: RTF_DOC.read_bytes(), "rtf"),
    ("excel97.xls", lambda: XLS.read_bytes(), "xls"),
    ("docx-named.pdf", lambda: _docx_bytes("Báo cáo"), "docx"),
    ("xlsx-named.xls", lambda: _xlsx_bytes([["a", 1]]), "xlsx"),
    ("pdf-named.doc", lambda: SEED_PDF.read_bytes()[:2000], "pdf"),
    ("utf16-html.doc", lambda: "\ufeff<html><body><p>Báo cáo</p></body></html>".encode("utf-16-le"), "html"),
    ("scan.pdf", lambda: b"\x89PNG\r\n\x1a\n" + bytes(64), "png"),
    ("archive.docx", lambda: _zip({"a.txt": b"x"}), "zip"),
    ("slides.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "PowerPoint Document".encode("utf-16-le"), "ppt"),
    ("protected.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     "encrypted-office"),
    ("notes.txt", lambda: "Có 12 xã.".encode(), "txt"),
    ("notes.md", lambda: b"# Ti\xc3\xaau \xc4\x91\xe1\xbb\x81", "md"),
]


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "make", "kind"), SNIFF, ids=[s[0] for s in SNIFF])
def test_the_format_comes_from_the_bytes_not_the_name(name, make, kind):
    assert sniff(make(), name).kind == kind


NUMBERS = [
    (15000000, "#,##0", "15.000.000"),
    (15000000, "General", "15000000"),
    (2.5, "General", "2,5"),
    (1234.5, "#,##0.00", "1.234,50"),
    (0.125, "0.0%", "12,5%"),
    (-3000, "#,##0;[Red]-#,##0", "-3.000"),
    (2011, "General", "2011"),
    (0.1 + 0.2, "General", "0,30000000000000004"),
]


@pytest.mark.parametrize(("value", "fmt", "text"), NUMBERS, ids=[f"{n[0]}-{n[1]}" for n in NUMBERS])
def test_cell_numbers_are_written_as_the_sheet_shows_them_in_vietnamese(value, fmt, text):
    assert format_number(value, fmt) == text


def test_a_workbook_becomes_a_table_with_its_title_and_unit_line_kept_apart():
    data = _xlsx_bytes([["BIỂU TỔNG HỢP KẾT QUẢ"], ["Đơn vị tính: triệu đồng"], [],
                        ["STT", "Xã", "Kế hoạch", "Thực hiện"], [1, "Bình Sơn", 1200, 1350.5],
                        [2, "Bình Minh", 800, 760], [None, "Cộng", 2000, 2110.5]], number_format="#,##0.0")
    book = read_workbook(data, "bieu.xlsx")
    (table,) = book.tables
    assert table.title == "BIỂU TỔNG HỢP KẾT QUẢ" and table.unit_line == "Đơn vị tính: triệu đồng"
    assert table.rows[0] == ["STT", "Xã", "Kế hoạch", "Thực hiện"]
    assert table.rows[1] == ["1", "Bình Sơn", "1.200,0", "1.350,5"]
    assert "1 | Bình Sơn | 1.200,0 | 1.350,5" in book.lines


# ----------------------------------------------------------------------------- real legacy files


@pytest.fixture(scope="module")
def legacy() -> dict[str, Extracted]:
    """Run every stage once on each real legacy file (LibreOffice converts; its cache keeps re-runs fast)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    return {p.name: process_file(p, ocr="never") for p in (WORD97, WORD_HTML, XLS, RTF_DOC)}


def test_a_word97_doc_from_2009_is_read_with_its_document_number(legacy):
    ex = legacy[WORD97.name]
    assert ex.document.source_format == "doc"
    assert ex.metadata.doc_number == "09/2009/CT-UBND"
    assert ex.metadata.doc_type == "CHỈ THỊ"
    assert ex.metadata.issued_date == "2009-04-15"
    assert any(f.raw == "7 huyện" and f.value == 7 for f in ex.figures)


def test_an_html_page_named_doc_is_read_as_html_with_its_table(legacy):
    ex = legacy[WORD_HTML.name]
    assert ex.document.source_format == "html"
    assert "LỊCH LÀM VIỆC CÁ NHÂN" in ex.document.text
    assert "<" not in ex.document.text and "mso-" not in ex.document.text   # no markup or Word styles leak
    assert ex.cells and {c["text"] for c in ex.cells} >= {"Sáng", "Chiều", "Họp giao ban"}


def test_an_xls_table_becomes_figures_with_row_column_and_the_header_unit(legacy):
    ex = legacy[XLS.name]
    assert ex.document.source_format == "xls"
    cells = [f for f in ex.figures if f.table_id is not None]
    price = [f for f in cells if f.row == "Xây dựng Module “Giới thiệu”" and f.column == "Đơn giá (VNĐ)"]
    assert len(price) == 1
    assert price[0].kind == "money" and price[0].unit == "VND" and price[0].value == Decimal(500000)
    assert "unit_from_header" in price[0].flags and "in_table" in price[0].flags
    assert sum(1 for f in cells if f.kind == "money") >= 20


def test_an_rtf_named_doc_is_read(legacy):
    ex = legacy[RTF_DOC.name]
    assert ex.document.source_format == "rtf"
    assert "PHIẾU XỬ LÝ VĂN BẢN" in ex.document.text


# ----------------------------------------------------------------------------- conversion


@needs_soffice
def test_a_conversion_is_cached_by_content_and_reused_without_libreoffice(tmp_path, monkeypatch):
    data = RTF_DOC.read_bytes()
    first = convert(data, "rtf", "docx", cache=tmp_path)
    key = cache_key(data, "rtf", "docx")
    assert (tmp_path / key[:2] / f"{key}.docx").read_bytes() == first
    monkeypatch.setenv("PATH", "/nonexistent")        # LibreOffice out of reach: only the cache can answer
    assert convert(data, "rtf", "docx", cache=tmp_path) == first
    with pytest.raises(ConversionFailed, match="LibreOffice"):
        convert(data + b" ", "rtf", "docx", cache=tmp_path)


@needs_soffice
def test_a_conversion_over_its_time_limit_is_killed_and_says_what_to_do(tmp_path):
    with pytest.raises(ConversionFailed, match="within 0 s and was stopped") as info:
        convert(WORD97.read_bytes(), "doc", "docx", cache=tmp_path, timeout=0.2, name="slow.doc")
    assert "slow.doc" in str(info.value) and not info.value.permanent
    assert not any(tmp_path.rglob("*.docx"))


BROKEN = [
    ("word97-cut.doc", lambda: WORD97.read_bytes()[:4096], UnreadableDocument, "LibreOffice could not read it"),
    ("not-really.xls", lambda: b"\xd0\xcf\x11\xe0", UnreadableDocument, "not a real .xls"),
    ("scan.doc", lambda: b"\xff\xd8\xff\xe0" + bytes(200), UnsupportedFormat, "img2pdf"),
    ("slides.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "PowerPoint Document".encode("utf-16-le"),
     UnsupportedFormat, "export it to PDF"),
]


@needs_soffice
@pytest.mark.parametrize(("name", "make", "error", "says"), BROKEN, ids=[b[0] for b in BROKEN])
def test_what_cannot_be_read_is_named_with_what_to_do(tmp_path, name, make, error, says):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(error, match=says) as info:
        read_document(path)
    assert name in str(info.value) and info.value.permanent


@needs_soffice
def test_a_word97_doc_typed_in_a_tcvn3_font_is_decoded(tmp_path):
    import subprocess

    import docx

    from pipeline.legacy import encode

    text = "Toàn huyện có 86 mô hình “Dân vận khéo” tại 22 xã, thị trấn."
    d = docx.Document()
    run = d.add_paragraph().add_run(encode(text, "tcvn3"))
    run.font.name = ".VnTime"
    d.save(str(tmp_path / "vntime.docx"))
    # a Word 97 file as an old office PC would have saved it: the .VnTime bytes stored as Windows-1252 text
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path / "out"), str(tmp_path / "vntime.docx")],
                   check=True, capture_output=True, timeout=120)
    ex = process_file(tmp_path / "out" / "vntime.doc", ocr="never")
    assert ex.document.source_format == "doc"
    assert text in ex.document.text
    assert {f.raw for f in ex.figures} >= {"86 mô hình", "22 xã, thị trấn"}
