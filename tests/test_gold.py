"""Gold floors: extraction quality on hand-annotated documents, enforced in CI.

Each row runs the real stages (no Prefect) on a corpus document and scores it against its gold file
with the same code as `solieu eval`. Floors are set a little under what was measured, so a change that
loses figures fails here; the measured numbers are in the issue notes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from pipeline.model import Extracted
from pipeline.run import process_file
from solieu.scoring import score_extracted
from tests.conftest import CORPUS

PUB = CORPUS / "public"
GOLD = CORPUS / "gold"


@cache
def _run(path: str, ocr: str = "auto") -> Extracted:
    return process_file(path, ocr=ocr)


def _report(doc: str, gold: str) -> dict[str, Any]:
    return score_extracted(GOLD / gold, _run(str(CORPUS / doc)))


CANTHO = "cantho_UBND-thanh-pho_157-KH-UBND_2025_thi-dua-chi-tra-tro-giup-xa-hoi-khong-tien-mat"
STC99 = "daknong_So-Tai-chinh_99-BC-STC_2019_cchc-6-thang-dau-nam"
DAKRLAP144 = "daknong_dakrlap_UBND-huyen_144-BC-UBND_2019_tiep-cong-dan-thang-5"
KRONGNO237 = "daknong_krongno_UBND-huyen_237-TB-UBND_2019_ket-qua-chi-tieu-ktxh-2018"
DAKRLAP220 = "daknong_dakrlap_UBND-huyen_220-BC-UBND_2019_tiep-cong-dan-thang-7"
DAKRU38 = "daknong_dakrlap_UBND-xa-Dak-Ru_38-BC-UBND_2019_giai-quyet-don-thu-quy-2"
DAKRLAP946 = "daknong_dakrlap_UBND-huyen_946-UBND-NN_2019_phong-chong-dich-ta-lon-chau-Phi"
HOANGLUONG = "bacgiang_hiephoa_Lien-doi-THCS-HoangLuong_BC_2014_cong-tac-doi-thang-11"
LDTBXH662 = "daknong_So-LDTBXH_662-BC-LDTBXH_2019_giai-quyet-khieu-nai-to-cao-thang-4"
SONLA_QTBT = "sonla_Cong-ty-TNHH-MTV-QLKTCTTL_QTBT_2024_quy-trinh-bao-tri-cong-trinh-thuy-loi.p1-8"
SONLA153 = "sonla_Cong-ty-TNHH-MTV-QLKTCTTL_153-QD-CT_2024_ban-hanh-quy-trinh-bao-tri-cong-trinh-thuy-loi"
HDND41 = "daknong_HDND-tinh-Ban-KTNS_41-BC-HDND_2019_tham-tra-ho-tro-thuy-loi-nho-tuoi-tien-tien"
HDND42 = "daknong_HDND-tinh-Ban-KTNS_42-BC-HDND_2019_tham-tra-giam-ngheo-ben-vung"
TTCS443 = "trunguong_Cuc-Thong-tin-co-so_443-TTCS-TTTH_2019_tai-lieu-tuyen-truyen-giet-mo-lon-dich-ta-lon-chau-Phi"
TT08 = "trunguong_Bo-NNMT_08-2026-TT-BNNMT_2026_quy-dinh-chi-tiet-luat-thuy-loi"

# (document, gold file, figure F1 floor, subject-accuracy floor): floors sit a little under the
# measured scores (issue notes), so losing a figure or two on a document fails CI.
FIGURE_FLOORS = [
    pytest.param("seed/binhson-2021-dan-van-kheo.pdf", "binhson-2021-dan-van-kheo.json", 0.97, 0.90, id="seed-pdf"),
    pytest.param("seed/binhson-2021-dan-van-kheo.md", "binhson-2021-dan-van-kheo.json", 0.97, 0.90, id="seed-md"),
    # issue 4: the seed rendered as a noisy, rotated, JPEG-compressed 200 dpi image-only scan
    pytest.param("scans/binhson-2021-dan-van-kheo-scan.pdf", "binhson-2021-dan-van-kheo.json", 0.90, 0.85,
                 id="seed-scan"),
    # issue 3: public documents annotated by reading them
    pytest.param(f"public/{CANTHO}.md", f"{CANTHO}.json", 0.97, 0.78, id="cantho-157-md"),
    pytest.param(f"public/{STC99}.pdf", f"{STC99}.json", 0.93, 0.85, id="daknong-99-pdf"),
    # issue 4: scanned public documents annotated from their page images
    pytest.param(f"public/{DAKRLAP144}.pdf", f"{DAKRLAP144}.json", 0.92, 0.90, id="dakrlap-144-scan"),
    pytest.param(f"public/{KRONGNO237}.pdf", f"{KRONGNO237}.pages1-2.json", 0.95, 0.90, id="krongno-237-scan"),
    # issue 8: a Word file of seven pasted ~100-170 dpi JPEG scans, no text (DEV gold: 7 prose figures).
    # Measured: all 7 found, F1 0.93 (1 false positive read in the garbled small-print table strips; lines of OCR
    # noise give none since issue 8's second round), subject 0.86.
    pytest.param(f"public/{LDTBXH662}.docx", f"{LDTBXH662}.json", 0.88, 0.85, id="ldtbxh-662-docx"),
    # issue 8 development half (the held-out half in corpus/heldout is scored by bench/score_gold.py, not here):
    # measured F1 0.962 / 1.000 / 1.000 / 1.000, subject 1.000 / 1.000 / 0.800 / 1.000 (946 was 0.600 before issue 8's
    # frequency rule: "01 lần/ngày" names the action before it).
    pytest.param(f"public/{DAKRLAP220}.pdf", f"{DAKRLAP220}.json", 0.92, 0.90, id="dakrlap-220-scan"),
    pytest.param(f"public/{DAKRU38}.pdf", f"{DAKRU38}.json", 0.95, 0.90, id="dakru-38-scan"),
    pytest.param(f"public/{DAKRLAP946}.pdf", f"{DAKRLAP946}.json", 0.85, 0.75, id="dakrlap-946-scan"),
    pytest.param(f"public/{HOANGLUONG}.docx", f"{HOANGLUONG}.json", 0.95, 0.90, id="hoangluong-docx"),
    # issue 8, genres nobody tuned on (helper genre): irrigation works of Sơn La. A text PDF of technical
    # parameters (10⁶ m³, m³/s, mm, elevations '+315.25', size-class ranges; 52 figures, pp. 3-8) and the
    # scanned decision issuing it (one figure in a preamble of dates and numbers).
    # Measured: F1 1.000 / 1.000, subject 0.885 / 1.000 (before the fixes: F1 0.774 / 0.000; subject 0.788 before
    # issue 8's "A có B" and "hoặc" subject rules).
    pytest.param(f"public/{SONLA_QTBT}.pdf", f"{SONLA_QTBT}.json", 0.97, 0.83, id="sonla-qtbt-pdf"),
    pytest.param(f"public/{SONLA153}.pdf", f"{SONLA153}.json", 0.95, 0.90, id="sonla-153-scan"),
    # Two scanned HĐND committee verification reports: precision controls (1 and 0 figures in pages of dates,
    # article and document numbers). Measured: F1 1.000 / 1.000 (before: 1.000 / 0.000, an OCR'd seal read as
    # "1 ki"); subject 1.000 on 41 since issue 8's adjunct rule (before: 0.000, '80%' got 'vào năm 2020').
    pytest.param(f"public/{HDND41}.pdf", f"{HDND41}.json", 0.95, 0.9, id="hdnd-41-scan"),
    pytest.param(f"public/{HDND42}.pdf", f"{HDND42}.json", 0.95, 0.0, id="hdnd-42-scan"),
    # A central agency's scanned information material: 27 counts of pigs and test samples on p.4.
    # Measured: F1 0.962, subject 0.640 (before: F1 0.683, every 'mẫu xét nghiệm' missed).
    pytest.param(f"public/{TTCS443}.pdf", f"{TTCS443}.json", 0.94, 0.60, id="ttcs-443-scan"),
    # A ministry's Thông tư (text PDF), pp. 7-10: 23 thresholds and ranges in ha, m³, m³/s, m, cm.
    # Measured: F1 1.000, subject 0.913 (before, on main: F1 0.878; cm unread, 'm³trở lên' glued; subject 0.783
    # before issue 8's adjunct, "A có B" and "hoặc" subject rules).
    pytest.param(f"public/{TT08}.pdf", f"{TT08}.pages7-10.json", 0.97, 0.86, id="tt-08-2026-pdf"),
]

# (document, table gold file, cell F1 floor, row-label and column accuracy floor)
CELL_FLOORS = [
    # issue 8 development half: a Word report's table (measured F1 1.000, row labels 1.000; the row of its
    # one-row table of totals is named by the caption above it)
    pytest.param(f"public/{HOANGLUONG}.docx", f"{HOANGLUONG}.tables.json", 0.95, 0.90, id="hoangluong-docx-cells"),
    pytest.param("public/daknong_So-Tai-chinh_1064-STC-QLNS_2019_phu-luc-vay-tra-no.pdf",
                 "daknong_So-Tai-chinh_1064-STC-QLNS_2019_phu-luc-vay-tra-no.tables.json", 0.97, 0.95,
                 id="daknong-1064-pdf"),
    pytest.param("public/camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md",
                 "camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.tables.json", 0.97, 0.95,
                 id="camau-0204-md"),
    # issue 8: a scanned, sideways Biểu (59/CK-NSNN, page 3) - a DEV gold, the table the scan reader was built on;
    # labels are OCR'd ("TỎNG NGUÒN THU"), so the row floor is lower. Measured: F1 1.00, rows 0.91.
    pytest.param("public/daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.pdf",
                 "daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.p3.tables.json", 0.96, 0.85,
                 id="daknong-207-scan-p3"),
    # issue 8: more scanned tables, read by eye from the page images, of three forms: 207-BC Biểu 60 (pp. 4-5, run on
    # with its header read differently by the OCR) and 61 (p. 6); the Krông Nô annex p. 4 (a ĐVT column, comma
    # decimals); the Sở Tài chính price annex p. 3 (landscape, signature stamp, '-2 -3 …' column numbers).
    # Measured F1 0.980 / 0.825 / 0.854; rows 0.90 / 1.00 / 0.78, columns 1.00 / 0.95 / 1.00.
    pytest.param("public/daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.pdf",
                 "daknong_UBND-tinh_207-BC-UBND_2019_cong-khai-du-toan-ngan-sach-quy-1.p4-6.tables.json", 0.95, 0.85,
                 id="daknong-207-scan-p4-6"),
    pytest.param(f"public/{KRONGNO237}.pdf", f"{KRONGNO237}.annex-p4.tables.json", 0.78, 0.90,
                 id="krongno-237-scan-annex-p4"),
    pytest.param("public/daknong_So-Tai-chinh_113-BC-STC_2019_gia-thi-truong-thang-5.pdf",
                 "daknong_So-Tai-chinh_113-BC-STC_2019_gia-thi-truong-thang-5.annex-p3.tables.json", 0.80, 0.75,
                 id="daknong-113-scan-annex-p3"),
]


@pytest.mark.parametrize(("doc", "gold", "f1_floor", "label_floor"), CELL_FLOORS)
def test_table_cell_floor(doc: str, gold: str, f1_floor: float, label_floor: float) -> None:
    rep = _report(doc, gold)["cells"]
    assert rep["f1"] >= f1_floor, (rep["f1"], rep["missed"])
    assert rep["row_accuracy"] >= label_floor and rep["column_accuracy"] >= label_floor, rep
    assert rep["unit_from_header_accuracy"] >= label_floor, rep


@pytest.mark.parametrize(("doc", "gold", "f1_floor", "subject_floor"), FIGURE_FLOORS)
def test_figure_f1_floor(doc: str, gold: str, f1_floor: float, subject_floor: float) -> None:
    rep = _report(doc, gold)["figures"]
    assert rep["f1"] >= f1_floor, (rep["f1"], rep["missed"], rep["wrong_value"], rep["false_positives"])
    assert rep["subject_accuracy"] >= subject_floor, rep["subject_misses"]


def test_seed_pdf_flags_both_ambiguous_figures_and_links_parts() -> None:
    rep = _report("seed/binhson-2021-dan-van-kheo.pdf", "binhson-2021-dan-van-kheo.json")["figures"]
    assert [(x["id"], x["ok"]) for x in rep["flags_required"]] == [(16, True), (17, True)]
    assert all(x["ok"] for x in rep["in_footnote"]), rep["in_footnote"]
    assert all(x["ok"] for x in rep["part_of"]), rep["part_of"]


def test_seed_pdf_references_and_metadata_are_all_right() -> None:
    rep = _report("seed/binhson-2021-dan-van-kheo.pdf", "binhson-2021-dan-van-kheo.json")
    refs = rep["references"]
    assert (refs["tp"], refs["fp"], refs["fn"]) == (13, 0, 0), refs["problems"]
    assert refs["fields_correct"] == refs["fields_checked"], refs["problems"]
    assert rep["metadata"]["correct"] == rep["metadata"]["checked"], rep["metadata"]["wrong"]


def test_seed_pdf_figures_point_back_to_their_page_and_text() -> None:
    ex = _run(str(CORPUS / "seed/binhson-2021-dan-van-kheo.pdf"))
    text = ex.document.text
    for f in ex.figures:
        assert text[f.char_start:f.char_end] == f.raw
        assert f.page is not None and f.bbox is not None
        x0, top, x1, bottom = f.bbox
        assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 850
