"""TCVN3 (ABC) and VNI legacy-font text: every letter, real samples, and Unicode left alone."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.legacy import decode, decode_text, encode, is_syllable, judge_line
from pipeline.model import Page, RawDocument
from pipeline.ocr import recover_text
from pipeline.read import read_document

ROOT = Path(__file__).resolve().parent.parent
HOANG_LUONG = ROOT / "corpus" / "public" / "bacgiang_hiephoa_THCS-HoangLuong_BC_2013_hoc-tap-lam-theo-Bac_TCVN3-header.txt"

VOWELS = "aăâeêioôơuưy"
TONES = {"ngang": "", "huyền": "\u0300", "sắc": "\u0301", "hỏi": "\u0309", "ngã": "\u0303", "nặng": "\u0323"}


def _letter(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


LOWER = [_letter(v, t) for v in VOWELS for t in TONES.values()] + ["đ"]
UPPER = [_letter(v.upper(), t) for v in VOWELS for t in TONES.values()] + ["Đ"]


def test_every_letter_is_covered() -> None:
    assert len(LOWER) == 73 and len(UPPER) == 73
    assert len(set(LOWER)) == 73


@pytest.mark.parametrize("letter", LOWER + UPPER, ids=lambda s: s)
def test_vni_round_trip_every_letter(letter: str) -> None:
    enc = encode(letter, "vni")
    assert all(ord(c) < 256 for c in enc), "VNI writes Windows-1252 bytes only"
    assert decode(enc, "vni") == letter


@pytest.mark.parametrize("letter", LOWER, ids=lambda s: s)
def test_tcvn3_round_trip_every_lower_case_letter(letter: str) -> None:
    enc = encode(letter, "tcvn3")
    assert len(enc) == 1 and ord(enc) < 256, "TCVN3 has one byte per letter"
    assert decode(enc, "tcvn3") == letter


@pytest.mark.parametrize("letter", UPPER, ids=lambda s: s)
def test_tcvn3_capitals(letter: str) -> None:
    # ABC codes only the untoned capitals Ă Â Ê Ô Ơ Ư Đ; toned capitals are lower-case codes in a
    # capital (.VnTimeH) font, so they decode to the lower-case letter.
    enc = encode(letter, "tcvn3")
    expected = letter if letter in "ĂÂÊÔƠƯĐAEIOUY" else letter.lower()
    assert decode(enc, "tcvn3") == expected


# Spellings taken from real documents and font charts, independent of our own tables.
REAL_SAMPLES = {
    "tcvn3": [
        ("céng hoµ x· héi chñ nghÜa viÖt nam", "cộng hoà xã hội chủ nghĩa việt nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("TR\u00adêng thcs   hoµng l\u00ad¬ng", "TRường thcs   hoàng lương"),
        ("Phßng Gi¸o dôc& §µo t¹o hiÖp hoµ", "Phòng Giáo dục& Đào tạo hiệp hoà"),
        ("Uû ban nh©n d©n huyÖn B×nh S¬n", "Uỷ ban nhân dân huyện Bình Sơn"),
    ],
    "vni": [
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("ñöôïc ngöôøi daân Haø Noäi", "được người dân Hà Nội"),
        ("Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
        ("UÛY BAN NHAÂN DAÂN HUYEÄN", "ỦY BAN NHÂN DÂN HUYỆN"),
        ("kyø hoïp thöù möôøi", "kỳ họp thứ mười"),
    ],
}


@pytest.mark.parametrize(("encoding", "legacy", "unicode"),
                         [(e, a, b) for e, rows in REAL_SAMPLES.items() for a, b in rows],
                         ids=lambda s: s if isinstance(s, str) and len(s) < 40 else None)
def test_real_samples_decode(encoding: str, legacy: str, unicode: str) -> None:
    assert decode(legacy, encoding) == unicode
    d = decode_text(legacy)
    assert d.text == unicode, "detection picks the right encoding on its own"
    assert d.lines == [(0, encoding)]


SENTENCES = [
    "ủy ban nhân dân huyện bình sơn báo cáo kết quả thực hiện phong trào thi đua",
    "đường giao thông nông thôn được bê tông hóa, kiên cố hóa kênh mương nội đồng",
    "vận động nhân dân hiến đất, ủng hộ tiền mặt và nhu yếu phẩm các loại",
]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("sentence", SENTENCES, ids=lambda s: s[:30])
def test_encoded_sentences_are_detected_and_decoded(encoding: str, sentence: str) -> None:
    legacy = encode(sentence, encoding)
    assert legacy != sentence
    v = judge_line(legacy)
    assert v.certain and v.encoding == encoding
    assert decode_text(legacy).text == sentence


# Proper Unicode Vietnamese, including lines made only of Latin-1 letters that a legacy table could map.
UNICODE_UNTOUCHED = [
    "Cà phê sáng ở Hà Nội",
    "Cà phê và bánh mì",
    "Tôi là công dân",
    "Bà Hà có hai con",
    "Hòa Bình, Hoà Bình",
    "BÁO CÁO",
    "Kết quả thực hiện năm 2013",
    "Số: 374-BC/HU",
    "Café, résumé, naïve — English/French words with accents",
    "UY BAN NHAN DAN HUYEN HIEP HOA",
    "é è ê ô ò ó",
]


@pytest.mark.parametrize("line", UNICODE_UNTOUCHED)
def test_unicode_is_never_touched(line: str) -> None:
    d = decode_text(line)
    assert d.text == line
    assert not d.changed


@pytest.mark.parametrize(("word", "ok"), [
    ("nghĩa", True), ("trường", True), ("khuya", True), ("quyết", True), ("anh", True), ("ếch", True),
    ("ơnh", False), ("aic", False), ("thcs", False), ("hoàng", True), ("xyz", False), ("ắắ", False),
])
def test_syllable_check(word: str, ok: bool) -> None:
    assert is_syllable(word) is ok


def test_source_index_maps_decoded_chars_back() -> None:
    legacy = "abc\nVieät Nam\nxyz"
    d = decode_text(legacy)
    assert d.text == "abc\nViệt Nam\nxyz"
    assert len(d.source_index) == len(d.text)
    for i, ch in enumerate(d.text):
        if ch.isascii():
            assert legacy[d.source_index[i]] == ch
    assert legacy[d.source_index[d.text.index("ệ")]] == "e"


def test_bacgiang_hiephoa_THCS_HoangLuong_BC_2013_TCVN3_header() -> None:
    """The TCVN3 header of this .txt decodes; its Unicode body is untouched (regression named after the doc)."""
    raw = read_document(HOANG_LUONG)
    original = raw.pages[0].text
    out = recover_text(raw)
    page = out.pages[0]
    assert page.triage == "legacy"
    assert "TCVN3" in (page.triage_reason or "")
    text = page.text.replace("\u00a0", " ")
    for expected in ("Phòng Giáo dục& Đào tạo hiệp hoà", "TRường thcs   hoàng lương", "Số: … /KH-THCS",
                     "cộng hoà xã hội chủ nghĩa việt nam", "Độc lập - Tự do - Hạnh phúc",
                     "Hoàng Lương, ngày 23 tháng 12  năm 2013"):
        assert expected in text
    for legacy_char in "µ¸¹§\u00ad¬ÖÜ":
        assert legacy_char not in text
    body_at = original.index("BÁO CÁO")
    assert text[text.index("BÁO CÁO"):] == original[body_at:], "the Unicode body is byte-for-byte unchanged"
    assert raw.pages[0].text == original, "recover_text returns a new document, the input is unchanged"


def test_mixed_vni_and_unicode_text_document_line_by_line() -> None:
    text = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\nĐộc lập - Tự do - Hạnh phúc\nCà phê sáng"
    raw = RawDocument("x.txt", "0", "txt", [Page(1, text)])
    out = recover_text(raw)
    assert out.pages[0].text == "Cộng hòa xã hội chủ nghĩa Việt Nam\nĐộc lập - Tự do - Hạnh phúc\nCà phê sáng"
    assert out.pages[0].triage == "legacy"


def test_docx_with_tcvn3_paragraph_and_vni_table_cell(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    p = d.add_paragraph()
    p.add_run(encode("ủy ban nhân dân huyện bình sơn", "tcvn3")).font.name = ".VnTimeH"
    d.add_paragraph("Kết quả thực hiện năm 2021: đạt 86 mô hình.")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = encode("Đường giao thông nông thôn", "vni")
    table.cell(0, 1).text = "14.719 km"
    path = tmp_path / "legacy.docx"
    d.save(str(path))
    out = recover_text(read_document(path))
    text = out.pages[0].text
    # .VnTimeH is the capital font of the family: it shows the lower-case codes as capitals, and so does solieu
    assert "ỦY BAN NHÂN DÂN HUYỆN BÌNH SƠN" in text
    assert "Kết quả thực hiện năm 2021: đạt 86 mô hình." in text
    assert "Đường giao thông nông thôn" in text
    assert out.pages[0].triage == "legacy"
    cells = [c for t in out.tables for row in t.rows for c in row]
    assert "Đường giao thông nông thôn" in cells and "14.719 km" in cells


def test_pdf_text_layer_in_vni_is_decoded_with_boxes(tmp_path: Path) -> None:
    """A PDF whose text layer is VNI (a VNI-Times font) is decoded in place: no OCR, boxes follow the letters."""
    fpdf = pytest.importorskip("fpdf")
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not font.exists():
        pytest.skip("DejaVu fonts are not installed")
    pdf = fpdf.FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_font("DejaVu", size=13)
    lines = ["Ủy ban nhân dân huyện Bình Sơn", "Độc lập - Tự do - Hạnh phúc",
             "Kết quả thực hiện phong trào thi đua năm 2021"]
    for line in lines:
        pdf.cell(0, 10, encode(line, "vni"), new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "vni.pdf"
    pdf.output(str(path))
    raw = read_document(path)
    out = recover_text(raw, cache_dir=tmp_path)
    page = out.pages[0]
    assert page.triage == "legacy" and page.source == "text-layer"
    for line in lines:
        assert line in page.text
    assert page.boxes is not None and len(page.boxes) == len(page.text)
    i = page.text.index("Ủy")
    box = page.boxes[i]
    assert box is not None
    # "Ủ" was written "UÛ": its box spans both glyphs and stops before "y"
    nxt = page.boxes[i + 1]
    assert nxt is not None and box[0] < box[2] <= nxt[0] + 0.5
