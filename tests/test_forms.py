"""Statistical forms (issue 8): column-numbering rows, units inside headers, the row's unit, plausibility along a row.

Each example is a small Markdown pipe table written here and run through the real reader, table finder and
table extractor; the regression tests at the end are named after the corpus document that taught them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractors.model import Figure
from extractors.table import table_figures
from pipeline.normalize import normalize
from pipeline.read import read_document
from pipeline.tables import detect_tables
from tests.conftest import CORPUS

D = Decimal


def _table_figs(tmp_path: Path, md: str) -> list[Figure]:
    path = tmp_path / "bieu.md"
    path.write_text(md, encoding="utf-8")
    raw = read_document(path)
    doc = normalize(raw)
    figs = [f for ts in detect_tables(doc, raw) for f in table_figures(ts, doc.text)]
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    return figs


def _form(header: str, numbering: str | None, rows: list[str], unit_line: str = "") -> str:
    cols = header.count("|") - 1
    lines = [unit_line, "", header, "|" + "---|" * cols]
    if numbering:
        lines.append(numbering)
    return "\n".join([*lines, *rows, ""])


# --------------------------------------------------------------------------------------------------
# Units inside a column header: (header cells, row, cell text) -> (kind, value, unit)

EXAMPLES: list[tuple[str, str, str, str, tuple[str, Decimal, str]]] = [
    ("| STT | Nội dung | Tiền (Tr.đ) | Ghi chú |", "| 1 | Hỗ trợ hộ nghèo | 1.250 |  |", "Hỗ trợ hộ nghèo",
     "Tiền (Tr.đ)", ("money", D(1_250_000_000), "VND")),
    ("| STT | Nội dung | Kinh phí (Trđ) | Ghi chú |", "| 1 | Sửa chữa trường | 450 |  |", "Sửa chữa trường",
     "Kinh phí (Trđ)", ("money", D(450_000_000), "VND")),
    ("| STT | Nội dung | Kinh phí Tr.đồng | Ghi chú |", "| 1 | Làm đường | 2.300 |  |", "Làm đường",
     "Kinh phí Tr.đồng", ("money", D(2_300_000_000), "VND")),
    ("| STT | Nội dung | Mức hỗ trợ Nghìn đồng | Ghi chú |", "| 1 | Khám bệnh | 150 |  |", "Khám bệnh",
     "Mức hỗ trợ Nghìn đồng", ("money", D(150_000), "VND")),
    ("| STT | Nội dung | Sản lượng 1.000 tấn | Ghi chú |", "| 1 | Cà phê | 12,5 |  |", "Cà phê",
     "Sản lượng 1.000 tấn", ("mass", D(12_500), "t")),
]


@pytest.mark.parametrize(("header", "row", "label", "column", "want"), EXAMPLES,
                         ids=[e[3] for e in EXAMPLES])
def test_unit_inside_the_header(tmp_path: Path, header: str, row: str, label: str, column: str,
                                want: tuple[str, Decimal, str]) -> None:
    figs = _table_figs(tmp_path, _form(header, None, [row, "| 2 | Khác | 10 |  |"]))
    got = [(f.kind, f.value, f.unit) for f in figs if f.row == label and f.column == column]
    assert got == [want]
    assert "unit_from_header" in next(f for f in figs if f.row == label).flags


def test_header_month_is_not_a_unit(tmp_path: Path) -> None:
    # "Thực hiện 03 tháng" names the period, not the unit: the table-wide unit stands
    figs = _table_figs(tmp_path, _form("| STT | Nội dung | Thực hiện 03 tháng | Ghi chú |", None,
                                       ["| 1 | Thu nội địa | 650.095 |  |", "| 2 | Thu khác | 1.948 |  |"],
                                       "Đơn vị: Triệu đồng"))
    assert [(f.kind, f.value) for f in figs] == [("money", D(650_095_000_000)), ("money", D(1_948_000_000))]


def test_header_word_ending_in_dong_is_not_a_unit(tmp_path: Path) -> None:
    # "Nhi đồng" (young pupils), "Hội đồng": the last syllable of a word, not the money unit "đồng"
    figs = _table_figs(tmp_path, _form("| STT | Nội dung | Lớp Nhi đồng | Hội đồng |", None,
                                       ["| 1 | Khối 6 | 4 | 2 |", "| 2 | Khối 7 | 0 | 1 |"]))
    assert [(f.kind, f.value, f.unit) for f in figs] == [("count", D(4), "count"), ("count", D(2), "count"),
                                                         ("count", D(0), "count"), ("count", D(1), "count")]


def test_one_row_of_totals_is_read_under_its_headers(tmp_path: Path) -> None:
    # a one-row table of totals has no row labels and no ordinals: its first number is a value, and each
    # cell counts what its column header names, less the measure head ("Tổng số"); the caption above names its row
    figs = _table_figs(tmp_path, _form("| Tổng số lớp | Tổng số học sinh | Học sinh nghèo |", None,
                                       ["| 12 | 425 | 3 |"], "1. Số liệu tổ chức:"))
    assert [(f.value, f.subject) for f in figs] == [(D(12), "lớp"), (D(425), "học sinh"), (D(3), "Học sinh nghèo")]
    assert {f.row for f in figs} == {"Số liệu tổ chức"}


# --------------------------------------------------------------------------------------------------
# Column-numbering rows under a header are never figures

NOT_FIGURES: list[tuple[str, str]] = [
    ("| STT | Chỉ tiêu | Kế hoạch | Thực hiện | Tỷ lệ |", "| (1) | (2) | (3) | (4) | (5) |"),
    ("| Chỉ tiêu | MS | Kế hoạch | Thực hiện | Tỷ lệ |", "| A | MS | 1 | 2 | 3 |"),
    ("| STT | Chỉ tiêu | Tổng số | Nam | Nữ |", "| A | B | 1 | 2=3+4 | 3 |"),
    ("| STT | Chỉ tiêu | Kế hoạch | Thực hiện | Tỷ lệ |", "| A | B | 1 | 2 | 3 |"),
    ("| STT | Chỉ tiêu | Dự toán | Thực hiện | Cùng kỳ |", "| A | B | 1 | 2 | 2 |"),      # sic, as in Biểu 59
    ("| STT | Chỉ tiêu | Tổng | Trung ương | Tỉnh |", "| 5 | 6 | 7=8+9 | 8 | 9 |"),
    # OCR of "(2) (3) (4) …" when the opening bracket touches a rule (113-BC-STC price tables)
    ("| STT | Chỉ tiêu | Giá kỳ trước | Giá kỳ này | Mức tăng |", "| -2 | 3 | -4 | -5 | (6)=(-5)-(4) |"),
    # OCR of the "A" cell as debris beside a rule (207-BC Biểu 61 with its colour ink dropped)
    ("| STT | Chỉ tiêu | Dự toán | Thực hiện | Cùng kỳ |", "| D\\ | B | 1 | 2 | 3 |"),
]


@pytest.mark.parametrize(("header", "numbering"), NOT_FIGURES, ids=[n for _, n in NOT_FIGURES])
def test_numbering_row_is_not_figures(tmp_path: Path, header: str, numbering: str) -> None:
    figs = _table_figs(tmp_path, _form(header, numbering, ["| 1 | Số hộ | 1.200 | 1.350 | 112 |",
                                                           "| 2 | Số khẩu | 4.800 | 5.100 | 106 |"]))
    assert sorted(f.value for f in figs if f.value is not None) == [D(106), D(112), D(1200), D(1350), D(4800), D(5100)]


# --------------------------------------------------------------------------------------------------
# Bugs caught: the row's own unit, and a value out of line with its row

BUGS_CAUGHT: list[tuple[str, str, list[str], str, str, tuple[str, Decimal, str]]] = [
    # a ĐVT cell beats the "Đơn vị tính" line of the table (237-TB-UBND: 1.000 tấn became tỷ đồng)
    ("row unit wins", "Đơn vị tính: Tỷ đồng",
     ["| 1 | Giá trị sản xuất | Tỷ đồng | 7.442,6 | 7.906,7 |",
      "| 2 | Sản lượng lương thực | 1.000 tấn | 138,197 | 168,604 |"],
     "Sản lượng lương thực", "Thực hiện", ("mass", D(168_604), "t")),
    # a ĐVT cell OCR could not read ("TẾ đồng", 237-TB-UBND) is not replaced by the table's unit
    ("unread row unit", "Đơn vị tính: Tỷ đồng",
     ["| 1 | Giá trị sản xuất | Tỷ đồng | 7.442,6 | 7.906,7 |",
      "| 2 | Tổng mức bán lẻ | TẾ đồng | 52,786 | 62,372 |"],
     "Tổng mức bán lẻ", "Thực hiện", ("count", D("62.372"), "count")),
]


@pytest.mark.parametrize(("name", "unit_line", "rows", "label", "column", "want"), BUGS_CAUGHT,
                         ids=[b[0] for b in BUGS_CAUGHT])
def test_bugs_caught(tmp_path: Path, name: str, unit_line: str, rows: list[str], label: str, column: str,
                     want: tuple[str, Decimal, str]) -> None:
    figs = _table_figs(tmp_path, _form("| STT | Chỉ tiêu | ĐVT | Kế hoạch | Thực hiện |", None, rows, unit_line))
    got = [(f.kind, f.value, f.unit) for f in figs if f.row == label and f.column == column]
    assert got == [want]


def test_value_1000x_its_row_is_implausible_with_the_reason(tmp_path: Path) -> None:
    rows = ["| 1 | Sản lượng lương thực | 1.000 tấn | 138,197 | 168.604 | 168,604 | 122 |",
            "| 2 | Diện tích gieo trồng | 1.000 ha | 52,786 | 62,372 | 62,372 | 118 |"]
    figs = _table_figs(tmp_path, _form("| STT | Chỉ tiêu | ĐVT | Năm 2017 | Năm 2018 ước | Năm 2018 | So sánh (%) |",
                                       None, rows))
    odd = [f for f in figs if "implausible" in f.flags]
    assert [(f.raw, f.row) for f in odd] == [("168.604", "Sản lượng lương thực")]
    assert "1000x the other" in odd[0].reasons["implausible"] and "138,197" in odd[0].reasons["implausible"]


def test_row_of_different_sizes_is_not_flagged(tmp_path: Path) -> None:
    # values that differ among themselves give no yardstick: nothing is flagged
    rows = ["| 1 | Thu ngân sách | Triệu đồng | 12 | 4.500 | 900.000 |"]
    figs = _table_figs(tmp_path, _form("| STT | Chỉ tiêu | ĐVT | Xã A | Xã B | Huyện |", None, rows))
    assert len(figs) == 3 and not any("implausible" in f.flags for f in figs)


# --------------------------------------------------------------------------------------------------
# Regressions on corpus documents (real scans, real Tesseract; OCR results shared through SOLIEU_CACHE_DIR)

PUBLIC = CORPUS / "public"


@pytest.fixture(scope="module")
def daknong_207() -> list[Figure]:
    from pipeline.run import process_file

    ex = process_file(str(PUBLIC / "daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.pdf"))
    return [f for f in ex.figures if f.source == "table"]


@pytest.mark.ocr
def test_daknong_207_sideways_scanned_forms_are_read(daknong_207: list[Figure]) -> None:
    # four Biểu pages scanned sideways: turned upright, one table each, rules found in the image
    assert sorted({f.page for f in daknong_207}) == [3, 4, 5, 6]
    total = [f for f in daknong_207 if f.page == 3 and f.row and f.row.endswith("NGUỒN THU NSĐP")
             and f.column == "Thực hiện 03 tháng"] or [f for f in daknong_207 if f.raw == "1.297.626"]
    assert [(f.value, f.unit) for f in total] == [(D(1_297_626_000_000), "VND")]
    assert "unit_from_header" in total[0].flags
    # the numbering row "A B 1 2 3 3 4" (3 twice, as printed) gives no figures
    assert not [f for f in daknong_207 if f.page == 3 and f.row == "B"]
    # Biểu 61 (page 6): its "STT" header OCR'd as "=", the ordinals 1, 2, 3 … are still not millions of đồng
    assert not [f.raw for f in daknong_207 if f.page == 6 and f.unit == "VND" and f.value is not None
                and f.value < 10_000_000]


@pytest.mark.ocr
def test_daknong_krongno_237_tonnes_row_and_misread_comma() -> None:
    from pipeline.run import process_file

    ex = process_file(str(PUBLIC / "daknong_krongno_UBND-huyen_237-TB-UBND_2019_ket-qua-chi-tieu-ktxh-2018.pdf"))
    row = [f for f in ex.figures if f.source == "table" and f.row == "Sản lượng lương thực có hạt"]
    # "1.000tần" (OCR for "1.000 tấn") is the row's unit; "168.604" (a comma read as a dot) is 1000x its row
    assert [(f.raw, f.unit) for f in row][:3] == [("138,197", "t"), ("168.604", "t"), ("168,604", "t")]
    assert [("implausible" in f.flags) for f in row][:3] == [False, True, False]
