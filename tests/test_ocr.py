"""OCR with real Tesseract on real page images: Hiệp Hòa bad layer, a public scan, the noisy seed scan, cache."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from core.errors import OCRUnavailable, UsageError
from pipeline import ocr
from pipeline.model import Page, RawDocument
from pipeline.ocr import PageText, recover_text, repair_text
from pipeline.ocr_cache import default_cache_dir
from pipeline.read import read_document
from pipeline.tesseract import repair_number, tesseract_invocations

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "corpus" / "public"
HIEP_HOA = PUBLIC / "bacgiang_hiephoa_UBND-huyen_150-KH-UBND_2017_de-an-tin-hoc-cntt-truong-hoc.pdf"
DAKRLAP = PUBLIC / "daknong_dakrlap_UBND-huyen_144-BC-UBND_2019_tiep-cong-dan-thang-5.pdf"
SEED_PDF = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"
SEED_SCAN = ROOT / "corpus" / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"


def _pages(raw: RawDocument, *numbers: int) -> RawDocument:
    return dataclasses.replace(raw, pages=[p for p in raw.pages if p.number in numbers])


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _check_lists(page: Page) -> None:
    assert page.boxes is not None and len(page.boxes) == len(page.text)
    assert page.confidences is not None and len(page.confidences) == len(page.text)
    if page.repaired is not None:
        assert len(page.repaired) == len(page.text)


# --------------------------------------------------------------------------- numeric repair (no Tesseract)

REPAIRS = [
    ("7§.346", "78.346"),
    ("I18", "118"),
    ("2O21", "2021"),
    ("l9", "19"),
    ("1O.5OO", "10.500"),
    ("125,500,000", "125.500.000"),   # two decimal commas cannot be: thousands dots misread
    ("3|0", "310"),
]
NOT_REPAIRED = ["31,2", "380.000.000", "1.234,5", "II", "I", "Ol", "lO", "l.", "1.2.3", "O", "OO1"]


@pytest.mark.parametrize(("token", "fixed"), REPAIRS, ids=[a for a, _ in REPAIRS])
def test_repair_number(token: str, fixed: str) -> None:
    assert repair_number(token) == fixed


@pytest.mark.parametrize("token", NOT_REPAIRED)
def test_not_repaired(token: str) -> None:
    assert repair_number(token) is None


def _pt(text: str) -> PageText:
    boxes: list[tuple[float, float, float, float] | None] = [None if c.isspace() else (float(i), 0.0, float(i + 1), 10.0) for i, c in enumerate(text)]
    confs: list[float | None] = [None if c.isspace() else 0.9 for c in text]
    return PageText(text, boxes, confs, [False] * len(text))


TEXT_REPAIRS = [
    ("đạt I18%KH năm", "đạt 118%KH năm"),
    ("ủng hộ 31,2 tắn gạo", "ủng hộ 31,2 tấn gạo"),
    ("số tiền 380.000.000 đông (trong đó", "số tiền 380.000.000 đồng (trong đó"),
    ("hiến 440 m7 đất", "hiến 440 m² đất"),
    ("hiến 440 m? đất", "hiến 440 m² đất"),
    ("giá 7§.346 đ/kg", "giá 78.346 đ/kg"),
    ("với l9 người", "với 19 người"),
    ("mùa đông năm nay", "mùa đông năm nay"),           # "đông" not after a number: a real word
    ("phía đông giáp xã Bình Trị", "phía đông giáp xã Bình Trị"),
    ("Số: 374-BC/HU", "Số: 374-BC/HU"),
    ("S6 472/QD-UBND", "S6 472/QD-UBND"),              # letter-digit word: not a clear number
    ("I. Tình hình chung", "I. Tình hình chung"),
    ("II. Công tác", "II. Công tác"),
]


@pytest.mark.parametrize(("text", "fixed"), TEXT_REPAIRS, ids=[a for a, _ in TEXT_REPAIRS])
def test_repair_text(text: str, fixed: str) -> None:
    pt = _pt(text)
    n = repair_text(pt)
    assert pt.text == fixed
    assert (n > 0) == (text != fixed)
    assert len(pt.boxes) == len(pt.confidences) == len(pt.repaired) == len(pt.text)
    changed = [i for i, r in enumerate(pt.repaired) if r]
    if text != fixed:
        assert changed, "repaired characters are marked"
        assert all(pt.boxes[i] is not None for i in changed)
    else:
        assert not changed


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SOLIEU_CACHE_DIR", raising=False)
    assert default_cache_dir().parts[-3:] == (".cache", "solieu", "ocr")
    monkeypatch.setenv("SOLIEU_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "ocr"


def test_missing_tesseract_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))   # no tesseract on PATH
    ocr.tesseract_version.cache_clear()
    try:
        with pytest.raises(OCRUnavailable, match="tesseract-ocr tesseract-ocr-vie"):
            recover_text(_pages(read_document(DAKRLAP), 1), cache_dir=tmp_path)
    finally:
        monkeypatch.undo()
        ocr.tesseract_version.cache_clear()


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(UsageError, match="auto, always, never"):
        recover_text(read_document(DAKRLAP), "sometimes")


def test_mode_never_keeps_the_bad_layer_but_records_triage() -> None:
    raw = _pages(read_document(HIEP_HOA), 1)
    before = tesseract_invocations()
    out = recover_text(raw, "never")
    assert tesseract_invocations() == before
    assert out.pages[0].text == raw.pages[0].text
    assert out.pages[0].source == "text-layer"
    assert out.pages[0].triage == "bad-layer"


# --------------------------------------------------------------------------- real Tesseract


@pytest.mark.ocr
def test_hiep_hoa_page_1_is_reocrd(tmp_path: Path) -> None:
    raw = _pages(read_document(HIEP_HOA), 1)
    out = recover_text(raw, cache_dir=tmp_path)
    page = out.pages[0]
    assert page.triage == "bad-layer"
    assert "diacritics stripped" in (page.triage_reason or "")
    assert page.source == "ocr"
    text = _flat(page.text)
    assert "ỦY BAN NHÂN DÂN" in text
    # one tone-mark convention is normalize()'s job: accept either placement here
    assert "HUYỆN HIỆP HÒA" in text or "HUYỆN HIỆP HOÀ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    _check_lists(page)
    assert page.width == pytest.approx(595.0) and page.height == pytest.approx(840.0)
    i = page.text.index("ỦY")
    assert page.boxes is not None and page.confidences is not None
    box = page.boxes[i]
    assert box is not None
    x0, top, _x1, bottom = box
    # the header sits in the top-left quarter of the A4 page, in PDF points (same place as the old layer's)
    assert 60 < x0 < 160 and 40 < top < 110 and bottom - top < 25
    assert 0.5 < (page.confidences[i] or 0) <= 1.0


@pytest.mark.ocr
def test_public_scan_page_is_ocrd(tmp_path: Path) -> None:
    out = recover_text(_pages(read_document(DAKRLAP), 1), cache_dir=tmp_path)
    page = out.pages[0]
    assert page.triage == "no-text"
    assert page.source == "ocr"
    text = _flat(page.text)
    assert "BÁO CÁO" in text
    assert "Công tác tiếp công dân" in text
    assert "19 lượt" in text
    assert "với 19 người" in text, "'l9' is repaired to 19"
    assert page.repaired is not None and any(page.repaired)
    _check_lists(page)
    # read() said page 1 needs OCR; it had it: the warning says so instead of asking for it again
    assert out.warnings == ["page 1 had no text layer and was OCR'd"]


@pytest.fixture(scope="module")
def seed_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[RawDocument, Path, int]:
    """OCR the whole noisy seed scan once (real Tesseract, all cores) with a fresh cache."""
    cache = tmp_path_factory.mktemp("ocr-cache")
    before = tesseract_invocations()
    out = recover_text(read_document(SEED_SCAN), cache_dir=cache)
    return out, cache, tesseract_invocations() - before


SEED_SURFACES = ["380.000.000 đồng", "180.000.000 đồng", "14.719 km", "16/21 xã", "31,2 tấn", "86 mô hình",
                 "542.372.000 đồng", "890.000.000 đồng", "2.740 tỷ đồng", "440 m² đất", "22 xã, thị trấn"]


@pytest.mark.ocr
@pytest.mark.parametrize("surface", SEED_SURFACES)
def test_noisy_seed_scan_keeps_figures(seed_scan: tuple[RawDocument, Path, int], surface: str) -> None:
    out, _, _ = seed_scan
    assert surface in _flat("\n".join(p.text for p in out.pages))


@pytest.mark.ocr
def test_noisy_seed_scan_pages(seed_scan: tuple[RawDocument, Path, int]) -> None:
    out, _, calls = seed_scan
    assert calls == len(out.pages) == 10
    for page in out.pages:
        assert page.source == "ocr" and page.triage == "no-text"
        _check_lists(page)
        confs = [c for c in page.confidences or [] if c is not None]
        assert sum(confs) / len(confs) > 0.85
        boxes = [b for b in page.boxes or [] if b is not None]
        assert all(-5 <= b[0] <= b[2] <= 600 and -5 <= b[1] <= b[3] <= 850 for b in boxes)


@pytest.mark.ocr
def test_noisy_seed_scan_warning_says_the_pages_were_ocrd(seed_scan: tuple[RawDocument, Path, int]) -> None:
    out, _, _ = seed_scan
    assert out.warnings == ["pages 1-10 had no text layer and were OCR'd"]


@pytest.mark.ocr
def test_rerun_never_ocrs_a_page_twice(seed_scan: tuple[RawDocument, Path, int]) -> None:
    out, cache, _ = seed_scan
    before = tesseract_invocations()
    again = recover_text(read_document(SEED_SCAN), cache_dir=cache)
    assert tesseract_invocations() == before, "every page came from the cache"
    assert [p.text for p in again.pages] == [p.text for p in out.pages]
    assert [p.boxes for p in again.pages] == [p.boxes for p in out.pages]


@pytest.mark.ocr
def test_cache_key_includes_settings(seed_scan: tuple[RawDocument, Path, int]) -> None:
    _, cache, _ = seed_scan
    raw = _pages(read_document(SEED_SCAN), 1)
    before = tesseract_invocations()
    recover_text(raw, cache_dir=cache, settings=ocr.OCRSettings(psm=6))
    assert tesseract_invocations() == before + 1, "another page segmentation mode is another cache entry"


@pytest.mark.ocr
def test_mode_always_ocrs_a_good_text_layer(tmp_path: Path) -> None:
    raw = _pages(read_document(SEED_PDF), 1)
    out = recover_text(raw, "always", cache_dir=tmp_path)
    page = out.pages[0]
    assert page.source == "ocr"
    assert page.triage == "good"
    assert "--ocr always" in (page.triage_reason or "")
    assert "Số 374-BC/HU" in _flat(page.text)


def test_hiep_hoa_every_page_is_triaged_bad_including_short_table_pages() -> None:
    out = recover_text(read_document(HIEP_HOA), "never")
    decisions = [p.triage for p in out.pages]
    assert decisions == ["bad-layer"] * 33
    table_page = out.pages[22]
    assert "lost them on" in (table_page.triage_reason or ""), table_page.triage_reason
    assert all(p.image_coverage is not None and p.image_coverage > 0.9 for p in out.pages)


# --------------------------------------------------------------------------- recorded Tesseract output

RECORDED = ROOT / "tests" / "data" / "ocr" / "binhson-scan-p1.json"


def test_recorded_tsv_boxes_land_where_the_text_is_on_the_scan() -> None:
    """Boxes from a deskewed image are turned back onto the (rotated) scan page, in PDF points."""
    import json
    import math

    rec = json.loads(RECORDED.read_text(encoding="utf-8"))
    page = ocr.page_from_ocr(1, rec, ocr.OCRSettings(dpi=rec["dpi"], psm=rec["psm"]), 595.28, 841.89)
    _check_lists(page)
    assert "Số 374-BC/HU" in page.text and "BÁO CÁO" in page.text
    seed = read_document(SEED_PDF).pages[0]
    assert seed.boxes is not None and page.boxes is not None
    for word in ("BÁO", "Thực"):
        x0, top, _, _ = seed.boxes[seed.text.index(word)]  # type: ignore[misc]
        # the scan rotated the seed page by -angle around its centre (PIL convention, y down)
        a = math.radians(-rec["angle"])
        cx, cy = 595.28 / 2, 841.89 / 2
        ex = cx + (x0 - cx) * math.cos(a) + (top - cy) * math.sin(a)
        ey = cy - (x0 - cx) * math.sin(a) + (top - cy) * math.cos(a)
        box = page.boxes[page.text.index(word)]
        assert box is not None
        assert abs(box[0] - ex) < 5 and abs(box[1] - ey) < 5, (word, box, (ex, ey))


def test_recorded_tsv_gives_font_sizes() -> None:
    import json

    rec = json.loads(RECORDED.read_text(encoding="utf-8"))
    page = ocr.page_from_ocr(1, rec, ocr.OCRSettings(dpi=rec["dpi"]), 595.28, 841.89)
    assert page.sizes is not None
    body = page.sizes[page.text.index("Bình Sơn là huyện")]
    assert body is not None and 11 <= body <= 16


def test_cache_round_trip_and_corrupt_entry(tmp_path: Path) -> None:
    from pipeline.ocr_cache import OCRCache, cache_key

    c = OCRCache(tmp_path)
    k1 = cache_key(b"\x00" * 100, (10, 10), "5.3.0", "vie", {"dpi": 200})
    assert k1 != cache_key(b"\x00" * 100, (10, 10), "5.3.0", "vie", {"dpi": 300})
    assert k1 != cache_key(b"\x00" * 100, (10, 10), "5.4.0", "vie", {"dpi": 200})
    assert k1 != cache_key(b"\x01" + b"\x00" * 99, (10, 10), "5.3.0", "vie", {"dpi": 200})
    assert c.get(k1) is None
    c.put(k1, {"tsv": "level\n", "angle": 0.0, "size": [10, 10]})
    assert c.get(k1) == {"tsv": "level\n", "angle": 0.0, "size": [10, 10]}
    path = tmp_path / k1[:2] / f"{k1}.json"
    path.write_text("{not json", encoding="utf-8")
    assert c.get(k1) is None, "a damaged entry is a miss, and the page is OCR'd again"


# --------------------------------------------------------------------------- stale "need OCR" warning, blank pages

NEED_OCR = "they need OCR (solieu ingest --ocr auto)"
WARNING_REWRITES = [
    # (pages without a text layer, of how many, pages OCR'd, blank renders, warnings after)
    (set(range(1, 10)), 9, set(range(1, 10)), set(), ["pages 1-9 had no text layer and were OCR'd"]),
    ({1, 3, 5}, 5, {1, 3, 5}, {5},
     ["pages 1, 3 had no text layer and were OCR'd", "page 5 had no text layer and is blank (nothing to OCR)"]),
    ({2, 3, 4}, 9, {2}, set(),
     ["page 2 had no text layer and was OCR'd",
      f"2 of 9 pages have no text layer (pages 3-4): probably scanned; {NEED_OCR}"]),
    ({1, 2}, 2, set(), set(), [f"2 of 2 pages have no text layer (pages 1-2): probably scanned; {NEED_OCR}"]),
    (set(), 5, {4}, set(), []),
]


@pytest.mark.parametrize(("missing", "total", "ocrd", "blank", "after"), WARNING_REWRITES,
                         ids=[f"{sorted(w[0])} of {w[1]}, ocr {sorted(w[2])}" for w in WARNING_REWRITES])
def test_need_ocr_warning_is_rewritten_for_the_pages_ocrd(missing: set[int], total: int, ocrd: set[int],
                                                          blank: set[int], after: list[str]) -> None:
    other = "page 4: tables not read (ValueError: x); its text and prose figures are kept"
    before = [other] + ([ocr.no_text_layer_warning(sorted(missing), total)] if missing else [])
    # The warning carries its page numbers: OCR rewrites it without parsing its English.
    assert ocr.rewrite_no_text_warnings(before, ocrd, blank) == [other, *after]


def test_the_need_ocr_warning_survives_pickling_with_its_pages() -> None:
    import pickle

    w = pickle.loads(pickle.dumps(ocr.no_text_layer_warning([2, 3], 9)))
    assert ocr.rewrite_no_text_warnings([w], {2, 3}, set()) == ["pages 2-3 had no text layer and were OCR'd"]


def test_mode_never_keeps_the_need_ocr_warning() -> None:
    raw = read_document(DAKRLAP)
    assert raw.warnings and "need OCR" in raw.warnings[0]
    assert recover_text(raw, "never").warnings == raw.warnings


def _pdf_with_blank_page(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Report on the model villages of the district, year 2021: 12 models built. " * 3)
    pdf.add_page()                      # nothing drawn: a blank page, no text layer
    pdf.output(str(path))
    return path


def test_blank_page_is_not_given_to_tesseract(tmp_path: Path) -> None:
    raw = read_document(_pdf_with_blank_page(tmp_path / "blank-page.pdf"))
    assert raw.warnings == [f"1 of 2 pages have no text layer (pages 2): probably scanned; {NEED_OCR}"]
    before = tesseract_invocations()
    out = recover_text(raw, use_cache=False)
    assert tesseract_invocations() == before, "a blank render has no text: Tesseract is not run"
    blank = out.pages[1]
    assert blank.triage == "no-text" and blank.source == "ocr" and blank.text == ""
    assert "blank" in (blank.triage_reason or "")
    assert out.pages[0].source == "text-layer"
    assert out.warnings == ["page 2 had no text layer and is blank (nothing to OCR)"]


def test_is_blank_tells_a_white_page_from_a_page_with_one_digit() -> None:
    from PIL import Image, ImageDraw

    white = Image.new("L", (1654, 2339), 255)
    assert ocr.is_blank(white)
    specks = white.copy()
    for x in range(0, 1600, 200):       # scanner dust: isolated dark pixels
        specks.putpixel((x, 100), 0)
    assert ocr.is_blank(specks)
    digit = white.copy()
    ImageDraw.Draw(digit).rectangle((800, 2200, 812, 2230), fill=0)   # a page number's worth of ink
    assert not ocr.is_blank(digit)


# --------------------------------------------------------------------------------------------------
# Pages scanned sideways, and ruled tables read cell by cell (issue 8)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_turn_point_round_trip(turn: int) -> None:
    from PIL import Image

    img = Image.new("L", (40, 30), 255)
    img.putpixel((3, 5), 0)
    turned = ocr.turn_image(img, turn)
    ys, xs = (turned.size[1], turned.size[0])
    dark = [(x, y) for y in range(ys) for x in range(xs) if turned.getpixel((x, y)) < 128]
    assert [ocr.turn_point(3.5, 5.5, turn, img.size)] == [(dark[0][0] + 0.5, dark[0][1] + 0.5)]
    assert ocr.unturn_point(*ocr.turn_point(3.5, 5.5, turn, img.size), turn, turned.size) == (3.5, 5.5)


def _ruled_table_image() -> Any:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 30)
    img = Image.new("L", (1600, 1100), 255)
    draw = ImageDraw.Draw(img)
    draw.text((100, 60), "Biểu số 01: Thu ngân sách các xã năm 2024", font=font, fill=0)
    draw.text((100, 110), "Đơn vị tính: triệu đồng", font=font, fill=0)
    xs, ys = [100, 200, 800, 1150, 1500], [180 + 70 * k for k in range(8)]
    rows = [["STT", "Tên xã", "Kế hoạch", "Thực hiện"], ["1", "Xã Đắk Sôr", "1.250", "1.380"],
            ["2", "Xã Nam Đà", "2.400", "2.515"], ["3", "Xã Đắk Mâm", "3.125", "3.090"],
            ["4", "Xã Buôn Choáh", "980", "1.020"], ["5", "Xã Quảng Phú", "1.560", "1.745"],
            ["", "Tổng cộng", "9.315", "9.750"]]
    for y in ys:
        draw.line([(xs[0], y), (xs[-1], y)], fill=90, width=2)      # grey rules, as scans have them
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=90, width=2)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            w = draw.textlength(text, font=font)
            x = xs[c + 1] - 12 - w if c >= 2 else xs[c] + 12     # figures right-aligned against the rule
            draw.text((x, ys[r] + 16), text, font=font, fill=0)
    return img


@pytest.mark.ocr
def test_sideways_table_page_is_turned_and_its_table_read(tmp_path: Path) -> None:
    from pipeline.ocr_cache import OCRCache

    img = _ruled_table_image().rotate(90, expand=True)               # scanned sideways
    settings = ocr.OCRSettings()
    result = ocr.ocr_image(img, settings, OCRCache(tmp_path))
    assert result["turn"] == 270
    (table,) = result["tables"]
    cells = {(c["row"], c["col"]): c["text"] for c in table["cells"]}
    assert [cells[(r, 3)] for r in range(1, 7)] == ["1.380", "2.515", "3.090", "1.020", "1.745", "9.750"]
    page = ocr.page_from_ocr(1, result, settings, img.width * 72 / settings.dpi, img.height * 72 / settings.dpi)
    assert "Xã Nam Đà 2.400 2.515" in page.text                      # one table row to a line
    calls = tesseract_invocations()
    assert ocr.ocr_image(img, settings, OCRCache(tmp_path)) == result and tesseract_invocations() == calls


# --------------------------------------------------------------------------- Word files of pasted scans

def _docx_of_seed_scans(path: Path, pages: tuple[int, ...], text: str = "", dpi: int = 100) -> Path:
    """Write a Word file showing seed PDF pages as pictures rendered at `dpi` (a pasted ~100 dpi scan)."""
    import io

    import docx
    import pypdfium2 as pdfium
    from docx.shared import Inches

    d = docx.Document()
    if text:
        d.add_paragraph(text)
    pdf = pdfium.PdfDocument(str(SEED_PDF))
    try:
        for n in pages:
            img = pdf[n - 1].render(scale=dpi / 72, grayscale=True).to_pil()
            buf = io.BytesIO()
            img.convert("L").save(buf, format="JPEG", quality=85)
            d.add_picture(io.BytesIO(buf.getvalue()), width=Inches(img.width / dpi))
    finally:
        pdf.close()
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Word file of seed pages 1 and 2 pasted as 100 dpi pictures, no text."""
    return _docx_of_seed_scans(tmp_path_factory.mktemp("docx") / "seed-scans.docx", (1, 2))


def test_image_only_docx_reads_as_one_empty_page_per_picture(seed_docx: Path) -> None:
    raw = read_document(seed_docx)
    assert [(p.number, p.text, p.has_text_layer) for p in raw.pages] == [(1, "", False), (2, "", False)]
    assert [(im.width_px, round(im.width_pt or 0)) for im in raw.images] == [(827, 595), (827, 595)]
    assert "need OCR (solieu ingest --ocr auto)" in raw.warnings[0]


def test_image_only_docx_with_ocr_never_fails_saying_to_use_auto(seed_docx: Path) -> None:
    from core.errors import NeedsOCR, UnreadableDocument

    with pytest.raises(UnreadableDocument, match=r"no text: its 2 pages are pasted pictures.*--ocr auto") as err:
        recover_text(read_document(seed_docx), "never")
    assert isinstance(err.value, NeedsOCR) and not err.value.permanent, "retried by the next run with --ocr auto"


@pytest.mark.ocr
def test_image_only_docx_pages_are_ocrd_in_picture_order(seed_docx: Path) -> None:
    out = recover_text(read_document(seed_docx))
    assert [p.number for p in out.pages] == [1, 2] and out.images == []
    assert all(p.source == "ocr" and p.triage == "no-text" for p in out.pages)
    assert "Số 374-BC/HU" in _flat(out.pages[0].text)
    assert "22 xã, thị trấn" in _flat(out.pages[1].text)
    for page in out.pages:
        _check_lists(page)
        boxes = [b for b in page.boxes or [] if b is not None]
        # boxes are points of the picture as shown (595 × 842 pt), like the seed PDF page it was rendered from
        assert all(-5 <= b[0] <= b[2] <= 600 and -5 <= b[1] <= b[3] <= 850 for b in boxes)
    assert out.warnings == ["pages 1-2 had no text layer and were OCR'd"]


@pytest.mark.ocr
def test_image_only_docx_figures_come_from_ocr_with_their_picture_number(seed_docx: Path) -> None:
    from pipeline.run import process_file

    ex = process_file(str(seed_docx), ocr="auto")
    assert ex.document.text_source == "ocr"
    found = {(f.raw, f.page, f.source) for f in ex.figures}
    assert ("22 xã, thị trấn", 2, "ocr") in found, sorted(found, key=str)
    assert all(f.bbox is not None for f in ex.figures)


def test_docx_with_text_and_a_picture_keeps_its_text_and_ignores_the_picture(tmp_path: Path) -> None:
    text = ("Trong năm 2021, toàn huyện đã xây dựng được 86 mô hình dân vận khéo, trong đó có 16/21 xã đạt chuẩn "
            "và 14.719 km đường giao thông nông thôn được bê tông hóa; kinh phí 380.000.000 đồng.")
    raw = read_document(_docx_of_seed_scans(tmp_path / "mixed.docx", (1,), text=text))
    assert raw.images == [] and len(raw.pages) == 1
    assert raw.pages[0].text.strip() == text


def test_image_only_docx_picture_over_the_pixel_limit_is_refused_before_decoding(
        seed_docx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.errors import LimitExceeded

    monkeypatch.setenv("SOLIEU_MAX_IMAGE_MPX", "0.5")     # the 827 × 1170 px pictures are 0.97 Mpx
    with pytest.raises(LimitExceeded, match=r"picture 1 is 827 × 1,170 pixels.*SOLIEU_MAX_IMAGE_MPX"):
        read_document(seed_docx)
