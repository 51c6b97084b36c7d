"""Normalization: NFC, tone marks, paragraphs joined across pages, furniture and stamps out, footnotes last."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from pipeline.model import Page, RawDocument
from pipeline.normalize import fix_tone_marks, normalize
from pipeline.read import read_document
from tests.conftest import public_documents

ROOT = Path(__file__).resolve().parents[1]
SEED_PDF = ROOT / "corpus/seed/binhson-2021-dan-van-kheo.pdf"
SEED_MD = ROOT / "corpus/seed/binhson-2021-dan-van-kheo.md"
STC_99 = ROOT / "corpus/public/daknong_So-Tai-chinh_99-BC-STC_2019_cchc-6-thang-dau-nam.pdf"
PUBLIC = sorted(p for p in (ROOT / "corpus/public").iterdir() if p.name != "SOURCES.md")


def _txt(text: str, fmt: str = "txt") -> RawDocument:
    return RawDocument(path=f"x.{fmt}", sha256="0", format=fmt, pages=[Page(number=1, text=text)])


def _mapped(doc) -> None:
    """Assert the builder's map: every segment copies its page text exactly."""
    last = 0
    for seg in doc.segments:
        assert seg.start >= last and seg.end > seg.start
        page = doc.pages[seg.page_index]
        assert doc.text[seg.start:seg.end] == page.text[seg.page_start:seg.page_start + seg.end - seg.start]
        last = seg.end


@pytest.fixture(scope="module")
def seed():
    return normalize(read_document(SEED_PDF))


@pytest.fixture(scope="module")
def seed_md():
    return normalize(read_document(SEED_MD))


# ----------------------------------------------------------------------------- tone marks

TONES = [
    ("hoà", "hòa"), ("Hoà", "Hòa"), ("HOÀ", "HÒA"), ("hoá", "hóa"), ("xoá", "xóa"), ("toả", "tỏa"),
    ("hoạ", "họa"), ("thuỷ", "thủy"), ("THUỶ", "THỦY"), ("huỷ", "hủy"), ("tuỳ", "tùy"), ("luỹ", "lũy"),
    ("khoẻ", "khỏe"), ("loè", "lòe"), ("xoè", "xòe"),
    ("hoà bình và thuỷ lợi", "hòa bình và thủy lợi"), ("Uỷ ban", "Ủy ban"), ("Thuý", "Thúy"),
    # already in the chosen style, or not an open oa/oe/uy syllable: untouched
    ("hòa", "hòa"), ("thủy", "thủy"), ("khỏe", "khỏe"), ("hoàn", "hoàn"), ("toán", "toán"), ("hoạch", "hoạch"),
    ("quý", "quý"), ("quỳ", "quỳ"), ("khuya", "khuya"), ("thuyền", "thuyền"), ("ngoằn", "ngoằn"),
    ("huế", "huế"), ("hoa", "hoa"), ("quả", "quả"), ("quỷ", "quỷ"), ("thuở", "thuở"), ("Covid-19", "Covid-19"), ("ủy", "ủy"), ("tuổi", "tuổi"),
]


@pytest.mark.parametrize(("before", "after"), TONES, ids=[f"{a}->{b}" for a, b in TONES])
def test_tone_marks_one_style(before, after):
    assert fix_tone_marks(before) == after
    assert len(fix_tone_marks(before)) == len(before)      # boxes stay aligned


def test_tone_marks_applied_in_normalize_and_mapped():
    doc = normalize(_txt("Công tác xoá đói giảm nghèo, thuỷ lợi và hoà giải."))
    assert doc.text == "Công tác xóa đói giảm nghèo, thủy lợi và hòa giải."
    _mapped(doc)


def test_nfd_pdf_page_is_composed_with_union_boxes():
    word = unicodedata.normalize("NFD", "Thủy")                # T h u ̉ y: 5 code points
    boxes = [(float(i), 0.0, float(i) + 1, 10.0) for i in range(len(word))]
    page = Page(number=1, text=word, boxes=boxes, sizes=[12.0] * len(word), width=100, height=100)
    doc = normalize(RawDocument(path="x.pdf", sha256="0", format="pdf", pages=[page]))
    assert doc.text == "Thủy" and unicodedata.is_normalized("NFC", doc.text)
    assert doc.locate(2, 3)[1] == (2.0, 0.0, 4.0, 10.0)     # ủ = u + hook: the union of both boxes
    _mapped(doc)


# ----------------------------------------------------------------------------- whitespace, hyphens

WHITESPACE = [
    ("a   b\t c", "a b c"),
    ("  leading and trailing  ", "leading and trailing"),
    ("Dịch bệnh Covid-\n19 kéo dài", "Dịch bệnh Covid-19 kéo dài"),
    ("giai đoạn 2021-\n2025 của huyện", "giai đoạn 2021-2025 của huyện"),
    ("tổ chức chính trị -\nxã hội huyện", "tổ chức chính trị - xã hội huyện"),
    ("phát triển bền\u00ad\nvững lâu dài", "phát triển bềnvững lâu dài"),
    ("mô hình “\nĐiểm sáng an ninh”", "mô hình “Điểm sáng an ninh”"),
]


@pytest.mark.parametrize(("raw", "text"), WHITESPACE, ids=[r for r, _ in WHITESPACE])
def test_whitespace_and_line_end_hyphens(raw, text):
    doc = normalize(_txt(raw))
    assert doc.text == text
    _mapped(doc)


# ----------------------------------------------------------------------------- the seed PDF

PAGE_BREAK_JOINS = [
    "tạm trú trên địa bàn Khu kinh tế với nhiều thành phần, nảy sinh những nguy cơ về trật tự an toàn xã hội. "
    "Dịch bệnh Covid-19 kéo dài, phát sinh nhiều ca bệnh",
    "Tạo điều kiện để Ủy ban Mặt trận Tổ quốc và các đoàn thể",
    "cùng tầng lớp nhân dân, các tổ chức và cộng đồng doanh nghiệp",
    "việc chăm lo cho gia đình chính sách, đối tượng người có công",     # footnotes sat between the halves
    "Chỉ thị 16/CT-TTg của Thủ tướng Chính phủ",
]


@pytest.mark.parametrize("phrase", PAGE_BREAK_JOINS, ids=[p[-30:] for p in PAGE_BREAK_JOINS])
def test_seed_paragraphs_split_by_page_breaks_are_joined(seed, seed_md, phrase):
    assert phrase in seed.text
    assert phrase in seed_md.text


def test_seed_pdf_and_md_normalize_to_the_same_text(seed, seed_md):
    assert seed.text == seed_md.text


def test_seed_page_numbers_kept_out_and_recorded(seed):
    assert [(p, k, t) for p, k, t in seed.excluded] == [(n, "page-number", str(n)) for n in range(1, 11)]
    assert not re.search(r"\n\n\d{1,2}\n\n", seed.text)


def test_seed_headings_are_paragraphs_of_their_own(seed):
    for heading in ("I. Tình hình chung", "2.1. Lĩnh vực phát triển kinh tế", "III. Đánh giá chung", "1. Ưu điểm",
                    "IV. Phương hướng và giải pháp thực hiện trong thời gian đến"):
        assert f"\n\n{heading}\n\n" in seed.text
    assert "\n\n\n" not in seed.text and "  " not in seed.text


def test_seed_footnotes_move_to_the_end_with_superscript_markers(seed):
    body_end = seed.footnote_spans[0][0]
    assert [m for _, _, m in seed.footnote_spans] == ["1", "2", "3"]
    starts = [seed.text[a:b][:40] for a, b, _ in seed.footnote_spans]
    assert starts[0].startswith("¹ Công văn số 18-CV/BDVHU")
    assert starts[2].startswith("³ Mô hình thấp sáng đường quê")
    assert seed.footnote_spans[-1][1] == len(seed.text)
    body = seed.text[:body_end]
    assert "cấp huyện¹. Đồng thời" in body and "văn hóa²; thấp sáng đường quê³;" in body
    assert "Mô hình thấp sáng" not in body and "Công văn số 18-CV" not in body
    assert "440 m² đất" in body


def test_seed_segments_map_every_copied_char(seed):
    _mapped(seed)
    copied = sum(s.end - s.start for s in seed.segments)
    assert copied / len(seed.text) > 0.95      # only separators are made up


@pytest.mark.parametrize("raw", ["380.000.000 đồng", "14.719 km", "2.740 tỷ đồng", "16/21 xã", "14,9km"])
def test_seed_locate_gives_page_and_bbox_of_a_figure(seed, raw):
    start = seed.text.index(raw)
    page_no, bbox, conf = seed.locate(start, start + len(raw))
    expected = [p.number for p in seed.pages if raw.split()[0] in p.text]
    assert page_no == expected[0]
    page = seed.pages[page_no - 1]
    assert bbox is not None and conf is None
    x0, top, x1, bottom = bbox
    assert 0 < x0 < x1 <= page.width and 0 < top < bottom <= page.height
    assert bottom - top < 15                                   # one line high
    # the box covers exactly the characters of the raw on the page
    i = page.text.index(raw.split()[0])
    assert x0 == pytest.approx(page.boxes[i][0], abs=0.01)


def test_seed_footnote_figure_locates_to_the_page_bottom(seed):
    start = seed.text.index("14,9km")
    page_no, bbox, _ = seed.locate(start, start + 6)
    assert page_no == 5 and bbox is not None and bbox[1] > 0.75 * seed.pages[4].height


# ----------------------------------------------------------------------------- stamps


def test_daknong_So_Tai_chinh_99_BC_STC_2019_cchc_6_thang_dau_nam():
    doc = normalize(read_document(STC_99))
    for stamp_text in ("Người ký", "Thời gian ký", "+07:00", "stc@daknong", "16:48:26", "20.05.2019"):
        assert stamp_text not in doc.text
    stamps = [t for p, k, t in doc.excluded if k == "signature-stamp"]
    assert {p for p, k, _ in doc.excluded if k == "signature-stamp"} == {14}
    for line in ("Người ký: Sở", "Email:", "Cơ quan: Tỉnh", "Thời gian ký:", "20.05.2019", "16:48:26", "+07:00",
                 "16:48:06"):
        assert line in stamps
    assert [t for p, k, t in doc.excluded if k == "page-number"] == [str(n) for n in range(2, 15)]
    assert "Nơi nhận" in doc.text and "PHÓ GIÁM ĐỐC" in doc.text          # the real closing stays
    assert "quý III/2019 của Sở Tài chính tỉnh Đăk Nông./." in doc.text
    _mapped(doc)


STAMP_LINES = [
    "Người ký: Sở Tài chính Email: stc@daknong.gov.vn Cơ quan: Tỉnh Đắk Nông Thời gian ký: 20.05.2019 09:20:18 +07:00",
    "Người ký: Sở Tài chính\nEmail: stc@daknong.gov.vn\nCơ quan: Tỉnh Đắk Nông\nThời gian ký: 20.05.2019 09:20:18 +07:00",
]


@pytest.mark.parametrize("stamp", STAMP_LINES, ids=["one-line", "four-lines"])
def test_stamp_in_plain_text_is_excluded(stamp):
    doc = normalize(_txt(f"Trên đây là báo cáo của Sở.\n{stamp}\nNơi nhận:\n- UBND tỉnh;"))
    assert doc.text == "Trên đây là báo cáo của Sở.\n\nNơi nhận:\n\n- UBND tỉnh;"
    assert all(k == "signature-stamp" for _, k, _ in doc.excluded) and doc.excluded


# ----------------------------------------------------------------------------- other formats


def test_docx_footnotes_go_last():
    raw = RawDocument(path="x.docx", sha256="0", format="docx",
                      pages=[Page(number=1, text="BÁO CÁO\nThắp sáng đường quê¹ ở xã Bình Minh.")],
                      footnotes=[("1", "Mô hình thắp sáng  đường quê: 14,9km.")])
    doc = normalize(raw)
    assert doc.text == "BÁO CÁO\n\nThắp sáng đường quê¹ ở xã Bình Minh.\n\n¹ Mô hình thắp sáng đường quê: 14,9km."
    a, b, marker = doc.footnote_spans[0]
    assert (doc.text[a:b], marker) == ("¹ Mô hình thắp sáng đường quê: 14,9km.", "1")


def test_md_hard_wrapped_paragraph_is_joined_but_headings_stay():
    doc = normalize(_txt("Căn cứ Nghị định số\n45/2017/NĐ-CP ngày 21/4/2017;\n\nI. TÌNH HÌNH\n\nNội dung.", "md"))
    assert doc.text == "Căn cứ Nghị định số 45/2017/NĐ-CP ngày 21/4/2017;\n\nI. TÌNH HÌNH\n\nNội dung."


@pytest.mark.parametrize("path", public_documents())
def test_every_public_document_normalizes(path):
    doc = normalize(read_document(path))
    assert unicodedata.is_normalized("NFC", doc.text)
    _mapped(doc)
    for a, b, marker in doc.footnote_spans:
        assert doc.text[a:b].startswith(marker.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")))


# ----------------------------------------------------------------------------- a PDF with running headers

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def _pdf_with_running_header(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("serif", "", str(FONT))
    pdf.set_auto_page_break(False)
    words = ("Nhân dân đóng góp 979 ngày công để bê tông hóa đường giao thông nông thôn " * 40).split()
    chunks = [words[:120], words[120:240], words[240:]]
    for n, chunk in enumerate(chunks, start=1):
        pdf.add_page()
        pdf.set_font("serif", size=9)
        pdf.set_xy(20, 10)
        pdf.cell(0, 5, "Sở Tài chính tỉnh Đắk Nông - Báo cáo số 99/BC-STC")
        pdf.set_font("serif", size=12)
        pdf.set_xy(30 if n == 1 else 20, 25)    # page 1 opens an indented paragraph; the others continue it
        pdf.set_left_margin(20)
        pdf.multi_cell(170, 7, " ".join(chunk))
        pdf.set_xy(0, 285)
        pdf.cell(210, 5, f"Trang {n}/3", align="C")
    pdf.output(str(path))


@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Serif not installed (apt install fonts-dejavu-core)")
def test_running_headers_and_page_numbers_leave_one_joined_paragraph(tmp_path):
    path = tmp_path / "header.pdf"
    _pdf_with_running_header(path)
    doc = normalize(read_document(path))
    expected = " ".join(("Nhân dân đóng góp 979 ngày công để bê tông hóa đường giao thông nông thôn " * 40).split())
    assert doc.text == expected
    assert sorted(doc.excluded) == sorted(
        [(n, "running-header", "Sở Tài chính tỉnh Đắk Nông - Báo cáo số 99/BC-STC") for n in (1, 2, 3)]
        + [(n, "page-number", f"Trang {n}/3") for n in (1, 2, 3)]
    )
    _mapped(doc)


# ----------------------------------------------------------------------------- OCR-like geometry


def _page(number: int, lines: list[tuple[str, float, float, float]]) -> Page:
    """Build an OCR-like page: (text, x0, baseline, size) per line, evenly spaced character boxes."""
    text, boxes, sizes = [], [], []
    for k, (line, x0, base, size) in enumerate(lines):
        if k:
            text.append("\n")
            boxes.append(None)
            sizes.append(None)
        w = 0.5 * size
        for i, ch in enumerate(line):
            text.append(ch)
            boxes.append((x0 + i * w, base - 0.9 * size, x0 + (i + 1) * w, base + 0.2 * size))
            sizes.append(size)
    return Page(number=number, text="".join(text), boxes=boxes, sizes=sizes, width=595.0, height=842.0,
                source="ocr", confidences=[0.9] * len(text))


def test_skewed_scan_with_a_garbled_footnote_marker():
    # the left margin drifts from 80 to 96 points down the page (a rotated scan); the paragraph goes on to the
    # next page past two footnotes, the first of which OCR read as "?'" instead of "²"
    body = [(f"dòng thứ {i} của đoạn văn bản dài về xây dựng nông thôn mới ở huyện", 80 + i, 100 + 16 * i, 13.0)
            for i in range(16)]
    body[0] = ("Thực hiện" + body[0][0][9:], 110.0, 100.0, 13.0)           # an indented first line
    notes = [("?'Mô hình phát huy hiệu quả vai trò của Hương ước thôn", 82.0, 740.0, 10.5),
             ("tại xã Bình Dương đã cho ra mắt.", 82.0, 752.0, 10.5),
             ("3 Mô hình thắp sáng đường quê đã thắp sáng được 14,9km đường.", 96.0, 764.0, 10.5)]
    last = ("việc chăm lo cho gia đình", 96.0, 100 + 16 * 16, 13.0)
    page1 = _page(1, [*body, last, *notes])
    page2 = _page(2, [("chính sách, đối tượng người có công với cách mạng.", 81.0, 60.0, 13.0)])
    doc = normalize(RawDocument(path="scan.pdf", sha256="0", format="pdf", pages=[page1, page2]))
    paragraphs = doc.text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Thực hiện") and "gia đình chính sách, đối tượng" in paragraphs[0]
    assert paragraphs[1] == "² Mô hình phát huy hiệu quả vai trò của Hương ước thôn tại xã Bình Dương đã cho ra mắt."
    assert paragraphs[2].startswith("³ Mô hình thắp sáng")
    assert [m for _, _, m in doc.footnote_spans] == ["2", "3"]
    _mapped(doc)
    start = doc.text.index("14,9km")
    page_no, bbox, conf = doc.locate(start, start + 6)
    assert page_no == 1 and bbox is not None and bbox[1] > 740 and conf == pytest.approx(0.9)
