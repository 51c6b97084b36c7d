"""Tables: detection (PDF, .docx, Markdown pipe, flattened web text), cells located, figures from cells.

Named tables of examples; regression tests are named after the document that taught them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extractors.model import Figure
from extractors.table import link_restated, table_figures
from pipeline.model import Document, Page, RawDocument
from pipeline.normalize import normalize
from pipeline.read import read_document
from pipeline.tables import (
    TableSpan,
    cell_ranges,
    detect_tables,
    find_unit_line,
    parse_unit,
    ruled_grids,
    table_blocks,
    table_cells,
)

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "corpus" / "public"
GOLD = ROOT / "corpus" / "gold"
DAKNONG_1064 = PUBLIC / "daknong_So-Tai-chinh_1064-STC-QLNS_2019_phu-luc-vay-tra-no.pdf"
CAMAU_0204 = PUBLIC / "camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
D = Decimal


def _load(path: Path) -> tuple[Document, list[TableSpan]]:
    raw = read_document(path)
    doc = normalize(raw)
    return doc, detect_tables(doc, raw)


def _figs(doc: Document, spans: list[TableSpan]) -> list[Figure]:
    return [f for ts in spans for f in table_figures(ts, doc.text)]


def _cell(figs: list[Figure], row: str, column: str) -> Figure:
    found = [f for f in figs if f.row == row and f.column == column]
    assert len(found) == 1, f"{row!r} / {column!r}: {[(f.row, f.column) for f in figs]}"
    return found[0]


# --------------------------------------------------------------------------------------------------
# Units of headers and ĐVT cells

UNIT_EXAMPLES: list[tuple[str, str, str, int | Decimal, str | None]] = [
    ("Triệu đồng", "money", "VND", 1_000_000, None),
    ("Tỷ đồng", "money", "VND", 1_000_000_000, None),
    ("tỉ đồng", "money", "VND", 1_000_000_000, None),
    ("Nghìn đồng", "money", "VND", 1000, None),
    ("đồng", "money", "VND", 1, None),
    ("Tr.đồng", "money", "VND", 1_000_000, None),
    ("Triệu USD", "money", "USD", 1_000_000, None),
    ("Nghìn USD", "money", "USD", 1000, None),
    ("Đồng/biên chế /năm", "money", "VND", 1, "biên chế/năm"),
    ("%", "percent", "percent", 1, None),
    ("ha", "area", "ha", 1, None),
    ("km", "length", "km", 1, None),
    ("Tấn", "mass", "t", 1, None),
    ("Người", "count", "count", 1, None),
    ("Triệu người", "count", "count", 1_000_000, None),
    ("mô hình", "count", "count", 1, None),
    ("ngày công", "labour", "person_day", 1, None),
    ("1000con", "count", "count", 1000, None),      # OCR'd ĐVT of a livestock table
    # issue 8, sonla QTBT 2024 (irrigation works): a power of ten is a factor, never the number 106
    ("10⁶ m³", "volume", "m3", 1_000_000, None),
    ("10^6 m3", "volume", "m3", 1_000_000, None),
    ("m³/s", "volume", "m3", 1, "s"),                 # a flow: m³ per second
    ("Km²", "area", "km2", 1, None),
    ("mm", "length", "m", Decimal("0.001"), None),    # rainfall in millimetres, converted to metres
]


@pytest.mark.parametrize(("text", "kind", "unit", "factor", "per"), UNIT_EXAMPLES, ids=[e[0] for e in UNIT_EXAMPLES])
def test_parse_unit(text: str, kind: str, unit: str, factor: int | Decimal, per: str | None) -> None:
    spec = parse_unit(text)
    assert spec is not None
    assert (spec.kind, spec.unit, spec.factor, spec.per) == (kind, unit, factor, per)


NOT_UNITS = ["", "Ghi chú", "Quan trắc tác động", "2018"]


@pytest.mark.parametrize("text", NOT_UNITS, ids=[t or "empty" for t in NOT_UNITS])
def test_not_units(text: str) -> None:
    assert parse_unit(text) is None


UNIT_LINES = [
    ("Đơn vị tính: Triệu đồng", "Triệu đồng"),
    ("ĐVT: tỷ đồng", "tỷ đồng"),
    ("*Đơn\nvị: Triệu đồng.*", "Triệu đồng"),
    ("Phụ lục I\nKỳ báo cáo: Năm 2018", None),
]


@pytest.mark.parametrize(("text", "unit"), UNIT_LINES, ids=[t for t, _ in UNIT_LINES])
def test_unit_line(text: str, unit: str | None) -> None:
    assert find_unit_line(text) == unit


# --------------------------------------------------------------------------------------------------
# Issue 8, sonla QTBT 2024: a text PDF of irrigation-works parameters, the unit in a per-row "Đơn vị" column

SONLA_QTBT = PUBLIC / "sonla_Cong-ty-TNHH-MTV-QLKTCTTL_QTBT_2024_quy-trinh-bao-tri-cong-trinh-thuy-loi.p1-8.pdf"

SONLA_QTBT_CELLS = [
    # (page, row, raw, kind, value in the canonical unit, unit, per): pdfplumber reads the unit cell "10⁶ m³" as
    # "106 m3"; the page text's raised digits are taken back, so 4,316 is 4.316.000 m³, not 4,316 x 106
    (7, "Dung tích toàn bộ Vtb", "4,316", "volume", D(4_316_000), "m3", None),
    (6, "Tổng lượng dòng chảy (W ) o", "106,1", "volume", D(106_100_000), "m3", None),
    (7, "Lưu lượng lũ kiểm tra Q0.2%", "1061", "volume", D(1061), "m3", "s"),         # m³/s: per second
    (6, "Lượng mưa bình quân lưu vực (X ) 0", "1770,8", "length", D("1.7708"), "m", None),  # mm in metres
    (6, "Diện tích lưu vực", "105", "area", D(105), "km2", None),                     # "Km²"
    (7, "Cao trình đỉnh đập", "+319.50", "length", D("319.5"), "m", None),           # an elevation, with its "+"
]


@pytest.fixture(scope="module")
def sonla_qtbt() -> tuple[Document, list[TableSpan]]:
    return _load(SONLA_QTBT)


@pytest.mark.parametrize(("page", "row", "raw", "kind", "value", "unit", "per"), SONLA_QTBT_CELLS,
                         ids=[c[2] for c in SONLA_QTBT_CELLS])
def test_sonla_qtbt_technical_units(sonla_qtbt: tuple[Document, list[TableSpan]], page: int, row: str, raw: str,
                                    kind: str, value: Decimal, unit: str, per: str | None) -> None:
    doc, spans = sonla_qtbt
    found = [f for f in _figs(doc, spans) if f.page == page and f.row == row]
    assert len(found) == 1, [(f.row, f.raw) for f in _figs(doc, spans) if f.page == page]
    fig = found[0]
    assert (fig.raw, fig.kind, fig.value, fig.unit, fig.per) == (raw, kind, value, unit, per)
    assert doc.text[fig.char_start:fig.char_end] == fig.raw


# --------------------------------------------------------------------------------------------------
# The 1064 annex PDF: two ruled landscape tables, unit only in "Đơn vị tính: Triệu đồng"


@pytest.fixture(scope="module")
def daknong_1064() -> tuple[Document, list[TableSpan]]:
    return _load(DAKNONG_1064)


def test_daknong_1064_two_annexes_not_stitched(daknong_1064: tuple[Document, list[TableSpan]]) -> None:
    _doc, spans = daknong_1064
    # "Phụ lục II" with its own unit line starts a new table on page 2: not a continuation of page 1's
    assert [(ts.table.table_id, ts.pages, ts.unit) for ts in spans] == [
        ("p1-t1", [1], "Triệu đồng"), ("p2-t1", [2], "Triệu đồng"),
    ]
    for ts in spans:
        assert ts.table.header_rows == 3           # two header rows and the "a b 1 … 10" numbering row
        assert ts.columns == [
            "TT", "Chỉ tiêu", "Dư nợ đầu kỳ", "Kế hoạch vay trong năm", "Vay trong kỳ",
            "Trả nợ trong kỳ Gốc", "Trả nợ trong kỳ Lãi", "Trả nợ trong kỳ Phí", "Trả nợ trong kỳ Lãi phạt",
            "Trả nợ trong kỳ Khác (nếu có)", "Trả nợ trong kỳ Tổng", "Dự nợ cuối kỳ",
        ]
        assert (ts.stt_col, ts.label_col, ts.unit_col) == (0, 1, None)


DAKNONG_1064_CELLS = [
    # (page, row, column, raw, value in VND)
    (1, "Vay các tổ chức tài chính, tín dụng", "Dư nợ đầu kỳ", "161.773", D(161_773_000_000)),
    (1, "Vay lại nguồn vốn vay nước ngoài", "Kế hoạch vay trong năm", "19.200", D(19_200_000_000)),
    (1, "Tổng cộng", "Dự nợ cuối kỳ", "74.416", D(74_416_000_000)),
    (1, "Tổng cộng", "Trả nợ trong kỳ Tổng", "89.523", D(89_523_000_000)),
    (2, "Vay lại nguồn vốn vay nước ngoài", "Kế hoạch vay trong năm", "93.000", D(93_000_000_000)),
    (2, "Tổng cộng", "Dư nợ đầu kỳ", "74.416", D(74_416_000_000)),
]


@pytest.mark.parametrize(("page", "row", "column", "raw", "value"), DAKNONG_1064_CELLS,
                         ids=[f"p{p}-{r}-{c}" for p, r, c, _, _ in DAKNONG_1064_CELLS])
def test_daknong_1064_cells(daknong_1064: tuple[Document, list[TableSpan]], page: int, row: str, column: str,
                            raw: str, value: Decimal) -> None:
    doc, spans = daknong_1064
    figs = [f for f in _figs(doc, spans) if f.page == page]
    fig = _cell(figs, row, column)
    assert (fig.raw, fig.value, fig.kind, fig.unit, fig.source) == (raw, value, "money", "VND", "table")
    assert doc.text[fig.char_start:fig.char_end] == fig.raw
    assert set(fig.flags) == {"in_table", "unit_from_header"}
    assert fig.subject == row and fig.table_id == f"p{page}-t1"


def test_daknong_1064_every_figure_traceable(daknong_1064: tuple[Document, list[TableSpan]]) -> None:
    doc, spans = daknong_1064
    figs = _figs(doc, spans)
    assert len(figs) == 54
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    # a decimal comma under a dot-thousands convention: 1.144,30 triệu = 1 144 300 000 đồng
    assert D(1_144_300_000) in {f.value for f in figs}
    # the document's parts add up (III = 1, IV = 1 + 2, Tổng cộng = III + IV, Tổng = Gốc + … + Khác)
    assert not [f for f in figs if "sum_mismatch" in f.flags]


DAKNONG_1064_NOT_FIGURES = ["III", "IV", "a", "10", "2018", "-"]


@pytest.mark.parametrize("raw", DAKNONG_1064_NOT_FIGURES)
def test_daknong_1064_not_figures(daknong_1064: tuple[Document, list[TableSpan]], raw: str) -> None:
    doc, spans = daknong_1064
    assert raw not in {f.raw for f in _figs(doc, spans)}


def test_daknong_1064_restated_in_prose_is_linked(daknong_1064: tuple[Document, list[TableSpan]]) -> None:
    doc, spans = daknong_1064
    table_figs = _figs(doc, spans)
    prose = Figure(kind="money", value=D(93_000_000_000), unit="VND", raw="93.000 triệu đồng", char_start=0,
                   char_end=0, sentence="Ghi chú: Kế hoạch vay trong năm 2019 là 93.000 triệu đồng theo số Bộ "
                   "Tài chính giao dự toán năm 2019 của địa phương./.")
    other = Figure(kind="money", value=D(19_200_000_000), unit="VND", raw="19.200 triệu đồng", char_start=0,
                   char_end=0, sentence="Kế hoạch vay trong năm là 19.200 triệu đồng.")
    links = link_restated(table_figs, [prose, other])
    linked = {(table_figs[i].row, table_figs[i].column, table_figs[i].page, j) for i, j in links}
    assert (("Vay lại nguồn vốn vay nước ngoài", "Kế hoạch vay trong năm", 2, 0) in linked)
    assert (("Tổng cộng", "Kế hoạch vay trong năm", 2, 0) in linked)
    assert all(table_figs[i].value == [prose, other][j].value for i, j in links)


def test_daknong_1064_prose_note_linked_end_to_end(daknong_1064: tuple[Document, list[TableSpan]]) -> None:
    from extractors import extract
    from pipeline.structure import find_structure

    doc, spans = daknong_1064
    structure = find_structure(doc)
    structure.blocks.extend(table_blocks(spans, doc.text))      # prose extraction skips the cells only
    structure.blocks.sort(key=lambda b: (b.start, -b.end))
    prose = [f for f in extract(doc.text, structure) if f.value == D(93_000_000_000)]
    assert [f.raw for f in prose] == ["93.000 triệu đồng"]
    table_figs = _figs(doc, spans)
    linked = sorted((table_figs[i].page, table_figs[i].row) for i, _ in link_restated(table_figs, prose))
    # gold: same_fact_as_cells [41, 51] — row IV and Tổng cộng, Kế hoạch vay trong năm, page 2
    assert linked == [(2, "Tổng cộng"), (2, "Vay lại nguồn vốn vay nước ngoài")]


def test_daknong_1064_table_blocks_leave_the_note_out(daknong_1064: tuple[Document, list[TableSpan]]) -> None:
    doc, spans = daknong_1064
    note = doc.text.index("93.000 triệu đồng")
    blocks = table_blocks(spans, doc.text)
    assert blocks and all(b.kind == "table" for b in blocks)
    assert not any(b.start <= note < b.end for b in blocks)
    assert any(b.start <= doc.text.index("161.773") < b.end for b in blocks)


# --------------------------------------------------------------------------------------------------
# Gold files (corpus/gold/*.tables.json, made by reading the documents): cell-level precision/recall

GOLD_FLOORS = {
    # (precision, recall) floors; measured 1.000/1.000 on both when written
    "daknong_So-Tai-chinh_1064-STC-QLNS_2019_phu-luc-vay-tra-no": (0.95, 0.95),
    "camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028": (0.95, 0.95),
}


def _norm(s: str | None) -> str:
    return " ".join((s or "").replace("*", "").split())


def _dec(x: object) -> Decimal | None:
    return None if x is None else Decimal(str(x))


def score_gold(gold_path: Path) -> tuple[float, float, int, int, float]:
    """Return (precision, recall, found, gold, row-path accuracy) of table figures against a gold file."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    doc, spans = _load(ROOT / gold["document"])
    tables = sorted({c["table"] for c in gold["cells"]})
    found = [(k, f) for k in tables for f in table_figures(spans[k - 1], doc.text)]
    used: set[int] = set()
    correct = paths = 0
    for g in gold["cells"]:
        for i, (k, f) in enumerate(found):
            if i in used or k != g["table"] or _norm(f.raw) != _norm(g["surface"]):
                continue
            if _norm(f.row) != _norm(g["row"]) or _norm(f.column) != _norm(g["column"]):
                continue
            used.add(i)
            if (f.kind, f.unit, f.value, f.min, f.max) == (
                g["kind"], g["unit"], _dec(g.get("value")), _dec(g.get("min")), _dec(g.get("max"))
            ) and ("unit_from_header" in f.flags) == g["unit_from_header"] and "in_table" in f.flags:
                correct += 1
            paths += _norm(f.sentence) == _norm(g.get("row_path"))
            break
    n = max(1, len(gold["cells"]))
    return correct / max(1, len(found)), correct / n, len(found), len(gold["cells"]), paths / n


@pytest.mark.parametrize("stem", sorted(GOLD_FLOORS))
def test_gold_tables(stem: str) -> None:
    precision, recall, found, expected, row_paths = score_gold(GOLD / f"{stem}.tables.json")
    floor_p, floor_r = GOLD_FLOORS[stem]
    assert precision >= floor_p and recall >= floor_r, (precision, recall, found, expected)
    # the figure's sentence is the row's path through its parents ("12 Giáo dục, đào tạo > Số học sinh > …")
    assert row_paths >= 0.9, row_paths


# --------------------------------------------------------------------------------------------------
# Flattened web tables: one cell per line between "|" lines (copied from the Cà Mau plan, Mẫu biểu số 01)

CAMAU_SNIPPET = """**Mẫu biểu số 01**

|
**STT**
|
**Nội dung**
|
**Đơn vị** **tính**
|
**Năm hiện hành 2025**
|
**Năm 2026**
|
|
**Kế hoạch**
|
**Ước thực hiện**
|
|
*1*
|
*2*
|
*3*
|
*4*
|
*5*
|
*6*
|
|
1
|
Tổng sản phẩm trong nước của
địa phương (GRDP) giá hiện hành
|
Tỷ đồng
|
172.033
|
172.033
|
193.549
|
|
3
|
Cơ cấu kinh tế
|
|
|
|
|
|
|
*- Nông, lâm nghiệp, thủy sản*
|
%
|
34,48
|
34,48
|
33,31
|
|
10
|
Mức giảm tỷ lệ hộ nghèo
|
%
|
0,8
|
0,8
|
1-1,5
|
|
8
|
Dân số
|
Triệu người
|
2,607
|
2,145
|
2,150
|

Nơi nhận: như trên.
"""


def _text_doc(text: str, fmt: str = "md") -> tuple[Document, RawDocument]:
    raw = RawDocument(path=f"snippet.{fmt}", sha256="0", format=fmt, pages=[Page(number=1, text=text)])
    return normalize(raw), raw


def test_flattened_camau_snippet() -> None:
    doc, raw = _text_doc(CAMAU_SNIPPET)
    spans = detect_tables(doc, raw)
    assert len(spans) == 1
    ts = spans[0]
    assert ts.columns == ["STT", "Nội dung", "Đơn vị tính", "Năm hiện hành 2025 Kế hoạch",
                          "Năm hiện hành 2025 Ước thực hiện", "Năm 2026"]
    assert ts.table.header_rows == 3 and ts.table.title == "Mẫu biểu số 01"
    figs = table_figures(ts, doc.text)
    got = {(f.row, f.column): (f.raw, f.kind, f.value, f.unit, f.min, f.max) for f in figs}
    assert got[("Tổng sản phẩm trong nước của địa phương (GRDP) giá hiện hành", "Năm 2026")] == (
        "193.549", "money", D(193_549_000_000_000), "VND", None, None)
    assert got[("Nông, lâm nghiệp, thủy sản", "Năm hiện hành 2025 Kế hoạch")] == (
        "34,48", "percent", D("34.48"), "percent", None, None)
    assert got[("Mức giảm tỷ lệ hộ nghèo", "Năm 2026")] == ("1-1,5", "percent", None, "percent", D(1), D("1.5"))
    assert got[("Dân số", "Năm hiện hành 2025 Kế hoạch")] == ("2,607", "count", D(2_607_000), "count", None, None)
    assert len(figs) == 12                       # the label-only row "Cơ cấu kinh tế" gives none
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    assert all("unit_from_header" in f.flags for f in figs)


def test_flattened_camau_whole_document() -> None:
    doc, spans = _load(CAMAU_0204)
    # the header and signature layout tables hold no figures and are dropped; the five annex forms stay
    assert next(ts.table.title for ts in spans) == "Mẫu biểu số 01"
    assert len(spans) == 5
    assert [len(ts.columns) for ts in spans] == [8, 8, 8, 7, 8]
    cells = table_cells(spans)
    assert all(doc.text[c["char_start"]:c["char_end"]].replace("\n", " ").strip() != "" for c in cells
               if c["char_start"] is not None)
    assert sum(1 for c in cells if c["text"] and c["char_start"] is None) == 0


# Flattened tables that were read wrong once: (document, table index, columns, first body row's first cells)
BUGS_CAUGHT: list[tuple[str, int, list[str], list[str | None]]] = [
    # a sub-header row of two cells under "Định mức": 5 columns, not two rows run together into 10
    ("hanoi_HDND-thanh-pho_48-2025-NQ-HDND_dinh-muc-phan-bo-ngan-sach.md", 5,
     ["TT", "Nội dung", "Đơn vị tính", "Định mức Khu vực đô thị", "Định mức Khu vực còn lại"],
     ["", "Hoạt động sự nghiệp y tế", "Đồng/người/năm", "162.000"]),
    # "X | Y" coordinates under "Vị trí lấy mẫu", not roman-numeral ordinals of a body row
    ("daklak_UBND-tinh_0134-KH-UBND_2025_quan-trac-moi-truong-nuoi-trong-thuy-san.md", 0,
     ["TT", "Tên điểm quan trắc", "Kiểu/loại quan trắc", "Vị trí lấy mẫu (theo tọa độ VN-2000) X",
      "Vị trí lấy mẫu (theo tọa độ VN-2000) Y", "Mô tả điểm quan trắc", "Ghi chú"],
     ["I", "Vùng nuôi trồng thủy sản thuộc đầm Cù Mông và vịnh Xuân Đài", None, None]),
    # a section row of three cells: its amount belongs under "Thành tiền", the label spans the columns between
    ("daklak_UBND-tinh_0134-KH-UBND_2025_quan-trac-moi-truong-nuoi-trong-thuy-san.md", 1,
     ["TT", "Chỉ tiêu", "Tần suất (đợt/tháng)", "Số điểm", "Số mẫu phân tích trên điểm", "Số đợt quan trắc/năm",
      "Số lượng (mẫu)", "Đơn giá (đồng)", "Thành tiền (đồng)", "Ghi chú"],
     ["I", "Quan trắc và cảnh báo môi trường NTTS", None, None, None, None, None, None, "1.364.329.243"]),
    # six sub-headers under two parents split 3 + 3 ("Năm 2026" … kept together), not 2 + 4
    ("camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md", 1,
     ["STT", "Nội dung", "Năm hiện hành 2025 Dự toán TTg giao", "Năm hiện hành 2025 Dự toán HĐND tỉnh quyết định",
      "Năm hiện hành 2025 Đánh giá thực hiện", "Dự kiến 03 năm kế hoạch Năm 2026",
      "Dự kiến 03 năm kế hoạch Năm 2027", "Dự kiến 03 năm kế hoạch Năm 2028"],
     ["", "TỔNG THU NSNN TRÊN ĐỊA BÀN (I+II+III)", "10.367.700"]),
    # the parent whose year range covers its children's years, not the first candidate
    ("sonla_UBND-tinh_2954-QD-UBND_2025_ke-hoach-xuat-khau-2026-2030.md", 0,
     ["TT", "Chỉ tiêu", "ĐVT", "ƯTH Năm 2025", *[f"GIAI ĐOẠN 2026 - 2030 Năm {y}" for y in range(2026, 2031)]],
     ["I", "CÂY CÔNG NGHIỆP"]),
]


@pytest.mark.parametrize(("stem", "index", "columns", "first_row"), BUGS_CAUGHT,
                         ids=[f"{b[0].split('_')[0]}-t{b[1] + 1}" for b in BUGS_CAUGHT])
def test_flattened_bugs_caught(stem: str, index: int, columns: list[str], first_row: list[str | None]) -> None:
    _doc, spans = _load(PUBLIC / stem)
    ts = spans[index]
    assert ts.columns == columns
    assert ts.table.rows[ts.header_rows][: len(first_row)] == first_row


THREE_LEVEL_HEADER = "\n".join(
    ["|", "STT", "|", "Chỉ tiêu", "|", "Năm 2018", "|", "|", "Kế hoạch", "|", "Thực hiện", "|",
     "|", "Số lượng", "|", "Giá trị", "|", "Số lượng", "|", "Giá trị", "|",
     "|", "1", "|", "Nhà tạm", "|", "12", "|", "600", "|", "14", "|", "700", "|",
     "|", "2", "|", "Mô hình", "|", "80", "|", "1.200", "|", "86", "|", "1.350", "|", ""]
)


@pytest.mark.xfail(strict=True, reason="known gap: one sub-header row under merged cells is understood, not two")
def test_flattened_three_level_header() -> None:
    doc, raw = _text_doc(THREE_LEVEL_HEADER)
    ts = detect_tables(doc, raw)[0]
    assert ts.columns[2:] == ["Năm 2018 Kế hoạch Số lượng", "Năm 2018 Kế hoạch Giá trị",
                              "Năm 2018 Thực hiện Số lượng", "Năm 2018 Thực hiện Giá trị"]


# --------------------------------------------------------------------------------------------------
# Markdown pipe tables


PIPE_MD = """# Báo cáo thu chi

Đơn vị tính: triệu đồng

| STT | Nội dung | Kế hoạch | Thực hiện | So sánh (%) |
|---|---|---|---|---|
| 1 | Thu ngân sách | 1.200 | 1.350 | 112,5 |
| 2 | Chi ngân sách | 1.000 | 950 | 95,0 |
|  | Tổng cộng | 2.200 | 2.400 |  |
|  | Tỷ lệ chi so với thu (%) | 83,3 | 70,4 |  |

Thu ngân sách đạt 1.350 triệu đồng.
"""


def test_markdown_pipe_table(tmp_path: Path) -> None:
    path = tmp_path / "thu-chi.md"
    path.write_text(PIPE_MD, encoding="utf-8")
    doc, spans = _load(path)
    assert len(spans) == 1
    ts = spans[0]
    assert ts.columns == ["STT", "Nội dung", "Kế hoạch", "Thực hiện", "So sánh (%)"]
    assert ts.unit == "triệu đồng" and ts.table.source == "markdown"
    figs = table_figures(ts, doc.text)
    thu = _cell(figs, "Thu ngân sách", "Thực hiện")
    assert (thu.raw, thu.value, thu.unit, thu.flags) == ("1.350", D(1_350_000_000), "VND",
                                                          ["in_table", "unit_from_header"])
    pct = _cell(figs, "Thu ngân sách", "So sánh (%)")
    assert (pct.kind, pct.value, pct.unit) == ("percent", D("112.5"), "percent")
    # 1.350 + 950 = 2.300, not 2.400: the total is flagged; Kế hoạch adds up and is not
    assert "sum_mismatch" in _cell(figs, "Tổng cộng", "Thực hiện").flags
    assert "sum_mismatch" not in _cell(figs, "Tổng cộng", "Kế hoạch").flags
    # a unit at the end of the row label beats the "Đơn vị tính" line
    ratio = _cell(figs, "Tỷ lệ chi so với thu (%)", "Thực hiện")
    assert (ratio.kind, ratio.value, ratio.unit) == ("percent", D("70.4"), "percent")
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    prose = Figure(kind="money", value=D(1_350_000_000), unit="VND", raw="1.350 triệu đồng", char_start=0,
                   char_end=0, sentence="Thu ngân sách đạt 1.350 triệu đồng.")
    assert [(figs[i].row, j) for i, j in link_restated(figs, [prose])] == [("Thu ngân sách", 0)]


# --------------------------------------------------------------------------------------------------
# .docx: a report with a table written here with python-docx (merged header cells, ĐVT column)


def _write_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("BÁO CÁO kết quả thực hiện năm 2018")
    d.add_paragraph("Đơn vị tính: triệu đồng")
    t = d.add_table(rows=5, cols=6)
    head = ["STT", "Chỉ tiêu", "ĐVT", "Năm 2018", "", "So sánh (%)"]
    for c, text in enumerate(head):
        t.cell(0, c).text = text
    t.cell(0, 3).merge(t.cell(0, 4))                 # "Năm 2018" over "Kế hoạch" and "Thực hiện"
    for c in (0, 1, 2, 5):
        t.cell(0, c).merge(t.cell(1, c))             # the other headers span both header rows
    t.cell(1, 3).text = "Kế hoạch"
    t.cell(1, 4).text = "Thực hiện"
    rows = [
        ["1", "Mô hình dân vận khéo", "mô hình", "80", "86", "107,5"],
        ["2", "Vốn hỗ trợ", "triệu đồng", "1.200", "1.350,5", "112,5"],
        ["3", "Đường giao thông nông thôn", "km", "14,5", "15", "103,4"],
    ]
    for r, values in enumerate(rows, start=2):
        for c, text in enumerate(values):
            t.cell(r, c).text = text
    d.add_paragraph("Năm 2018 xây dựng được 86 mô hình dân vận khéo.")
    d.save(str(path))


def test_docx_report_table(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.docx"
    _write_docx(path)
    doc, spans = _load(path)
    assert len(spans) == 1
    ts = spans[0]
    assert ts.columns == ["STT", "Chỉ tiêu", "ĐVT", "Năm 2018 Kế hoạch", "Năm 2018 Thực hiện", "So sánh (%)"]
    assert (ts.stt_col, ts.label_col, ts.unit_col, ts.table.header_rows) == (0, 1, 2, 2)
    figs = table_figures(ts, doc.text)
    got = {(f.row, f.column): (f.raw, f.kind, f.value, f.unit) for f in figs}
    assert got == {
        ("Mô hình dân vận khéo", "Năm 2018 Kế hoạch"): ("80", "count", D(80), "count"),
        ("Mô hình dân vận khéo", "Năm 2018 Thực hiện"): ("86", "count", D(86), "count"),
        ("Mô hình dân vận khéo", "So sánh (%)"): ("107,5", "percent", D("107.5"), "percent"),
        ("Vốn hỗ trợ", "Năm 2018 Kế hoạch"): ("1.200", "money", D(1_200_000_000), "VND"),
        ("Vốn hỗ trợ", "Năm 2018 Thực hiện"): ("1.350,5", "money", D(1_350_500_000), "VND"),
        ("Vốn hỗ trợ", "So sánh (%)"): ("112,5", "percent", D("112.5"), "percent"),
        ("Đường giao thông nông thôn", "Năm 2018 Kế hoạch"): ("14,5", "length", D("14.5"), "km"),
        ("Đường giao thông nông thôn", "Năm 2018 Thực hiện"): ("15", "length", D(15), "km"),
        ("Đường giao thông nông thôn", "So sánh (%)"): ("103,4", "percent", D("103.4"), "percent"),
    }
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    assert all(f.source == "table" and "in_table" in f.flags and "unit_from_header" in f.flags for f in figs)
    # the ĐVT column's unit wins over the "Đơn vị tính" line above the table
    assert ts.unit == "triệu đồng"
    # every cell comes back for `solieu export tables`
    cells = table_cells(spans)
    assert {c["text"] for c in cells if not c["is_header"]} >= {"Vốn hỗ trợ", "1.350,5", "km"}
    header = [c for c in cells if c["is_header"] and c["text"] == "Năm 2018"]
    assert header and header[0]["colspan"] == 2
    assert all(set(c) >= {"table_id", "page", "row_index", "col_index", "row", "column", "text", "is_header"}
               for c in cells)


# --------------------------------------------------------------------------------------------------
# A table continued on the next page, its header repeated: stitched into one


def _write_long_table_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="pt", format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    pdf.cell(0, 16, "Phụ lục: Kết quả thu ngân sách các xã", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 16, "Đơn vị tính: Triệu đồng", new_x="LMARGIN", new_y="NEXT")
    rows = [(str(i), f"Xã số {i}", f"{100 + i}", f"{110 + i}") for i in range(1, 46)]
    total_plan = sum(100 + i for i in range(1, 46))
    total_done = sum(110 + i for i in range(1, 46)) + 7          # deliberately wrong by 7
    with pdf.table(col_widths=(40, 200, 100, 100), line_height=16, repeat_headings=1) as table:
        for row in [("STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện"), *rows,
                    ("", "Tổng cộng", f"{total_plan:,}".replace(",", "."), f"{total_done:,}".replace(",", "."))]:
            r = table.row()
            for text in row:
                r.cell(text)
    pdf.output(str(path))


def test_table_across_pages_is_stitched(tmp_path: Path) -> None:
    if not (FONT_DIR / "DejaVuSerif-Bold.ttf").exists():
        pytest.skip("DejaVu fonts not installed (apt package fonts-dejavu-core)")
    path = tmp_path / "phu-luc-thu-ngan-sach.pdf"
    _write_long_table_pdf(path)
    doc, spans = _load(path)
    assert len(doc.pages) == 2
    assert len(spans) == 1
    ts = spans[0]
    assert ts.pages == [1, 2]
    assert ts.columns == ["STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện"]
    labels = [ts.row_label(r) for r in range(ts.header_rows, len(ts.table.rows))]
    assert labels == [f"Xã số {i}" for i in range(1, 46)] + ["Tổng cộng"]   # the repeated header is dropped
    figs = table_figures(ts, doc.text)
    assert len(figs) == 92
    assert {f.page for f in figs} == {1, 2}
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    last = _cell(figs, "Xã số 45", "Thực hiện")
    assert (last.page, last.value, last.unit, last.flags) == (2, D(155_000_000), "VND", ["in_table", "unit_from_header"])
    # the rows of both pages are the parts of "Tổng cộng": Thực hiện is off by 7, Kế hoạch adds up
    assert "sum_mismatch" in _cell(figs, "Tổng cộng", "Thực hiện").flags
    assert "sum_mismatch" not in _cell(figs, "Tổng cộng", "Kế hoạch").flags


# --------------------------------------------------------------------------------------------------
# A table aligned by whitespace, without rules, between two paragraphs


def _write_borderless_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="pt", format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSerif.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSerif-Bold.ttf"))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    pdf.multi_cell(0, 14, "Năm 2018, toàn huyện thực hiện tốt các chỉ tiêu kinh tế - xã hội. Kết quả cụ thể như sau:",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 16, "Đơn vị tính: tỷ đồng", new_x="LMARGIN", new_y="NEXT")
    rows = [("STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện"),
            ("1", "Giá trị sản xuất nông nghiệp", "4.113,6", "4.512,3"),
            ("2", "Công nghiệp, xây dựng", "1.456,3", "1.485,1"),
            ("3", "Thương mại, dịch vụ", "1.872,8", "1.909,3"),
            ("4", "Thu ngân sách", "120,5", "131,2")]
    with pdf.table(col_widths=(40, 220, 90, 90), line_height=16, borders_layout="NONE",
                   text_align=("LEFT", "LEFT", "RIGHT", "RIGHT")) as table:
        for row in rows:
            r = table.row()
            for text in row:
                r.cell(text)
    pdf.multi_cell(0, 14, "Nhìn chung các chỉ tiêu đều đạt và vượt kế hoạch đề ra.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_whitespace_aligned_pdf_table(tmp_path: Path) -> None:
    if not (FONT_DIR / "DejaVuSerif-Bold.ttf").exists():
        pytest.skip("DejaVu fonts not installed (apt package fonts-dejavu-core)")
    path = tmp_path / "chi-tieu-khong-ke-bang.pdf"
    _write_borderless_pdf(path)
    doc, spans = _load(path)
    assert len(spans) == 1
    ts = spans[0]
    # the paragraph above is not a row; the right-aligned numbers do not cut the header words
    assert ts.columns == ["STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện"]
    assert ts.unit == "tỷ đồng"
    figs = table_figures(ts, doc.text)
    assert len(figs) == 8
    fig = _cell(figs, "Thu ngân sách", "Thực hiện")
    assert (fig.raw, fig.value, fig.unit, fig.page) == ("131,2", D(131_200_000_000), "VND", 1)
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    header = [c for c in table_cells(spans) if c["is_header"]]
    assert all(doc.text[c["char_start"]:c["char_end"]] == c["text"] for c in header)


_RULE_H = [(50.0, 700.0 - 20 * k, 500.0, 700.5 - 20 * k) for k in range(5)]    # horizontal rules, 0.5 pt
_RULE_V = [(50.0 + 150 * k, 620.0, 50.5 + 150 * k, 700.5) for k in range(4)]  # vertical rules
GRID_PATHS = [
    ("rules both ways: a ruled table", _RULE_H + _RULE_V, 9),
    ("cell rectangles", [(50.0 + 100 * k, 600.0, 150.0 + 100 * k, 620.0) for k in range(8)], 8),
    ("underlines only", _RULE_H * 2, 0),
    ("nothing drawn", [], 0),
]


@pytest.mark.parametrize(("boxes", "count"), [(b, n) for _, b, n in GRID_PATHS], ids=[i for i, _, _ in GRID_PATHS])
def test_grid_paths(boxes: list[tuple[float, float, float, float]], count: int) -> None:
    from pipeline.pdfium import grid_paths

    assert grid_paths(boxes) == count


def test_page_filter_sends_only_pages_with_columns_to_pdfplumber(tmp_path: Path) -> None:
    """pdfplumber is slow; pages of prose (the seed) skip it, the page of a borderless table does not."""
    from pipeline.tables.pdf import has_columns

    seed = normalize(read_document(ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"))
    assert not any(has_columns(page) for page in seed.pages)
    if not (FONT_DIR / "DejaVuSerif-Bold.ttf").exists():
        pytest.skip("DejaVu fonts not installed (apt package fonts-dejavu-core)")
    path = tmp_path / "chi-tieu-khong-ke-bang.pdf"
    _write_borderless_pdf(path)
    assert has_columns(normalize(read_document(path)).pages[0])


# --------------------------------------------------------------------------------------------------
# Cells of text documents map back to doc.text exactly


def test_cell_ranges_cover_cells_only() -> None:
    doc, raw = _text_doc(CAMAU_SNIPPET)
    ts = detect_tables(doc, raw)[0]
    ranges = cell_ranges(ts, doc.text)
    assert ranges
    assert not any(s <= doc.text.index("Nơi nhận") < e for s, e in ranges)
    assert not any(s <= doc.text.index("Mẫu biểu") < e for s, e in ranges)


# --------------------------------------------------------------------------------------------------
# OCR'd pages: ruling lines from the page image


def test_ruled_grids_finds_cells_and_merges() -> None:
    from PIL import Image, ImageDraw

    img = Image.new("L", (800, 600), 255)
    draw = ImageDraw.Draw(img)
    xs, ys = [100, 200, 400, 550, 700], [100, 140, 180, 220, 260]
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in xs:
        # no rule between the two value columns in the first header row: "Năm 2018" spans both
        if x == 550:
            draw.line([(x, ys[1]), (x, ys[-1])], fill=0, width=2)
        else:
            draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    draw.text((120, 110), "STT", fill=0)        # text inside cells must not read as rules
    grids = ruled_grids(img)
    assert len(grids) == 1
    rows, cols, ids = grids[0]
    assert all(abs(a - b) <= 2 for a, b in zip(rows, ys, strict=True))
    assert all(abs(a - b) <= 2 for a, b in zip(cols, xs, strict=True))
    assert ids[0][2] == ids[0][3]                # merged header cell
    assert len({cid for row in ids for cid in row}) == 4 * 4 - 1


def _synthetic_table(paper: int, ink: int, broken: bool) -> tuple[Any, list[int], list[int]]:
    """Draw a 4 x 4 ruled table: paper and rule greys given; broken rules lose a 2 px gap every 12 px."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (800, 600), paper)
    draw = ImageDraw.Draw(img)
    xs, ys = [100, 200, 400, 550, 700], [100, 140, 180, 220, 260]
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=ink, width=2)
        if broken:
            for x in range(xs[0] + 10, xs[-1] - 10, 12):
                draw.line([(x, y - 1), (x + 1, y + 1)], fill=paper, width=2)
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=ink, width=2)
    draw.text((120, 110), "STT", fill=ink)
    return img, xs, ys


# the same table as a scan may give it: on grey or yellowed paper, with faded rules, with worn (broken) rules.
# Before the threshold followed the page's own paper and ink, grey paper and faded rules lost every grid.
RULE_SCANS = [
    pytest.param(255, 0, False, id="white-paper-black-rules"),
    pytest.param(190, 0, False, id="grey-paper"),
    pytest.param(255, 150, False, id="faded-rules"),
    pytest.param(255, 0, True, id="broken-rules"),
    pytest.param(200, 120, True, id="grey-paper-faded-broken-rules"),
]


@pytest.mark.parametrize(("paper", "ink", "broken"), RULE_SCANS)
def test_ruled_grids_survive_grey_paper_faded_and_broken_rules(paper: int, ink: int, broken: bool) -> None:
    img, xs, ys = _synthetic_table(paper, ink, broken)
    grids = ruled_grids(img, 200, 6)
    assert len(grids) == 1
    rows, cols, ids = grids[0]
    assert len(rows) == len(ys) and len(cols) == len(xs), (rows, cols)
    assert len({cid for row in ids for cid in row}) == 16


def _body_without_row_rules(figures: bool) -> Any:
    """Draw a table whose body rows have no rules: five lines of figures, or one row of wrapped text."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (800, 600), 255)
    draw = ImageDraw.Draw(img)
    xs, ys = [100, 150, 400, 520, 640, 760], [100, 140, 160, 290]
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    for k in range(5):
        y = 170 + 22 * k
        if figures:
            draw.text((110, y), str(k + 1), fill=0)
            draw.text((160, y), f"Thu khu vuc {k + 1}", fill=0)
            for x in xs[2:-1]:
                draw.text((x + 40, y), f"{(k + 3) * 1234:,}".replace(",", "."), fill=0)
        else:                  # a description and a note wrapped over five lines, one figure per column
            draw.text((160, y), "mo ta dai dong", fill=0)
            draw.text((650, y), "ghi chu", fill=0)
    if not figures:
        for x in xs[2:4]:
            draw.text((x + 40, 214), "250.000", fill=0)
    return img


def test_ruled_rows_split_at_lines_of_figures_not_at_wrapped_text() -> None:
    # hairline row borders lost in a scan: before, all five rows of figures fell into one cell per column
    rows, _, _ = ruled_grids(_body_without_row_rules(True), 200, 6)[0]
    assert len(rows) - 1 == 2 + 5, rows
    rows, _, _ = ruled_grids(_body_without_row_rules(False), 200, 6)[0]
    assert len(rows) - 1 == 3, rows


def test_ruled_grid_without_column_rules_takes_its_columns_from_the_gutters() -> None:
    from PIL import Image, ImageDraw

    # a frame and row rules only, the columns never ruled: before, no table at all
    img = Image.new("L", (800, 600), 255)
    draw = ImageDraw.Draw(img)
    ys = [100, 140, 165, 190, 215, 240]
    for y in ys:
        draw.line([(100, y), (700, y)], fill=0, width=2)
    for x in (100, 700):
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    draw.text((110, 115), "STT   Noi dung                 Du toan       Thuc hien", fill=0)
    for k, y in enumerate(ys[1:-1]):
        draw.text((110, y + 7), str(k + 1), fill=0)
        draw.text((150, y + 7), f"Chi khu vuc {k + 1}", fill=0)
        draw.text((420, y + 7), f"{(k + 2) * 12345:,}".replace(",", "."), fill=0)
        draw.text((580, y + 7), f"{(k + 3) * 345:,}".replace(",", "."), fill=0)
    grids = ruled_grids(img, 200, 6)
    assert len(grids) == 1
    rows, cols, _ = grids[0]
    assert len(rows) - 1 == 5 and len(cols) - 1 == 4, cols


@pytest.mark.ocr
def test_daknong_krongno_237_scanned_tables(tmp_path: Path) -> None:
    from pipeline.ocr import recover_text

    path = PUBLIC / "daknong_krongno_UBND-huyen_237-TB-UBND_2019_ket-qua-chi-tieu-ktxh-2018.pdf"
    raw = recover_text(read_document(path), "auto", workers=2, cache_dir=tmp_path / "ocr")
    doc = normalize(raw)
    spans = detect_tables(doc, raw)
    # the annex of pages 4-6 is one ruled table in the scan, its header printed again on each page (and read a
    # little differently by the OCR each time): stitched into one, rules found in the image
    assert [ts.pages for ts in spans] == [[4, 5, 6]]
    assert all(ts.table.source == "ocr" and len(ts.columns) == 8 for ts in spans)
    figs = _figs(doc, spans)
    assert len(figs) >= 150
    assert all(doc.text[f.char_start:f.char_end] == f.raw for f in figs)
    huy_dong = [f for f in figs if f.row == "Huy động trẻ em trong độ tuổi đi học mẫu giáo"]
    assert [(f.raw, f.kind, f.unit) for f in huy_dong][:2] == [("93", "percent", "percent"), ("89", "percent", "percent")]


# --------------------------------------------------------------------------------------------------
# Scan conditions the development scans do not show (issue 8): colour 300 dpi copies of a dev table page with a
# red seal and a blue pen over it, scanned sideways (bench/scan_conditions.py measures the whole matrix)

KRONGNO_237_ANNEX = "daknong_krongno_UBND-huyen_237-TB-UBND_2019_ket-qua-chi-tieu-ktxh-2018.annex-p4.tables.json"


def _seal_and_pen(img: Any) -> Any:
    """Yellow the paper, press a red round seal over the right columns and write a blue stroke across them."""
    import numpy as np
    from PIL import Image, ImageChops, ImageDraw

    arr = np.asarray(img.convert("RGB"), dtype=np.float32) * np.array([0.97, 0.94, 0.84]) + np.array([2, 3, 6])
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    w, h = img.size
    ink = Image.new("RGB", img.size, (255, 255, 255))
    draw = ImageDraw.Draw(ink)
    r, cx, cy = int(0.09 * w), int(0.78 * w), int(0.45 * h)
    for rr, width in ((r, max(3, r // 18)), (r * 3 // 4, max(2, r // 30))):
        draw.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], outline=(200, 30, 40), width=width)
    draw.text((cx - r // 2, cy), "UBND HUYEN", fill=(200, 30, 40), font_size=max(12, r // 6))
    draw.line([(int(0.62 * w), int(0.30 * h)), (int(0.95 * w), int(0.33 * h))], fill=(30, 50, 190), width=4)
    return ImageChops.multiply(img, ink)       # ink over print darkens it: black under the seal stays black


def test_colour_marks_are_not_ink_but_the_print_under_them_is() -> None:
    from PIL import Image, ImageChops, ImageDraw

    from pipeline.tables.ruled import RULE_INK_BELOW, ink_mask
    from pipeline.tesseract import drop_colour

    page = Image.new("RGB", (800, 600), (245, 238, 215))
    draw = ImageDraw.Draw(page)
    draw.line([(100, 300), (700, 300)], fill=(0, 0, 0), width=2)          # a rule of the table
    seal = Image.new("RGB", page.size, (255, 255, 255))
    ImageDraw.Draw(seal).ellipse([450, 200, 650, 400], outline=(200, 30, 40), width=6)
    ImageDraw.Draw(seal).line([(100, 100), (700, 110)], fill=(30, 50, 190), width=4)
    page = ImageChops.multiply(page, seal)
    import numpy as np

    grey = np.asarray(page.convert("L"))
    dropped = np.asarray(drop_colour(page))
    assert ink_mask(grey, RULE_INK_BELOW)[200:400, 450:650].sum() > 500      # in plain grey the seal is ink
    ink = ink_mask(dropped, RULE_INK_BELOW)
    assert ink[200:400, 450:650].sum() <= ink[299:302, 450:650].sum()        # now only the rule crossing it
    assert ink[95:115, 100:700].sum() == 0                                   # the pen's stroke is gone
    assert ink[299:302, 100:700].mean() > 0.6                                # the rule stays, under the seal too
    # a page without colour ink is the same grey as before (the OCR cache keys do not move)
    plain = Image.new("RGB", (50, 50), (240, 240, 240))
    assert np.array_equal(np.asarray(drop_colour(plain)), np.asarray(plain.convert("L")))


@pytest.fixture(scope="session")
def sideways_sealed_237(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Page 4 of 237-TB-UBND at 300 dpi in colour, sealed, pen-marked and turned a quarter turn; other pages blank."""
    import pypdfium2 as pdfium
    from PIL import Image

    src = PUBLIC / json.loads((GOLD / KRONGNO_237_ANNEX).read_text(encoding="utf-8"))["document"].split("/")[-1]
    pdf = pdfium.PdfDocument(str(src))
    images = []
    for i in range(len(pdf)):
        w, h = pdf[i].get_size()
        if i == 3:
            images.append(_seal_and_pen(pdf[i].render(scale=300 / 72).to_pil()).rotate(90, expand=True))
        else:
            images.append(Image.new("RGB", (round(w * 300 / 72), round(h * 300 / 72)), (255, 255, 255)))
    pdf.close()
    out = tmp_path_factory.mktemp("scan-conditions") / "237-sealed-sideways.pdf"
    images[0].save(out, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return out


@pytest.mark.ocr
def test_sideways_colour_scan_with_seal_reads_its_table_cells(sideways_sealed_237: Path) -> None:
    from pipeline.run import process_file
    from solieu.scoring import score_extracted

    # before: 0.06 of the cells (the turned page taken as rendered at 142 dpi, its words 1.4x off the rules; the
    # seal's ring and letters read as cell text); the upright clean page reads 0.81-0.93
    rep = score_extracted(GOLD / KRONGNO_237_ANNEX, process_file(str(sideways_sealed_237)))["cells"]
    assert rep["recall"] >= 0.75 and rep["precision"] >= 0.75, rep
    assert rep["row_accuracy"] >= 0.9 and rep["column_accuracy"] >= 0.9, rep
