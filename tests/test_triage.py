"""Per-page triage of text layers: good, no text, bad layer (stripped, CID, private use, U+FFFD, scan), legacy."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.legacy import encode
from pipeline.model import Page
from pipeline.read import read_document
from pipeline.triage import triage_page

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "corpus" / "public"
HIEP_HOA = PUBLIC / "bacgiang_hiephoa_UBND-huyen_150-KH-UBND_2017_de-an-tin-hoc-cntt-truong-hoc.pdf"
DAKRLAP = PUBLIC / "daknong_dakrlap_UBND-huyen_144-BC-UBND_2019_tiep-cong-dan-thang-5.pdf"
BORN_DIGITAL = PUBLIC / "daknong_So-Tai-chinh_216-BC-STC_2018_cchc-nam-2018.pdf"

GOOD = (
    "Thực hiện Công văn số 324-CV/BDVTU ngày 08/11/2021 của Ban Dân vận Tỉnh ủy Quảng Ngãi về báo cáo kết quả "
    "thực hiện phong trào thi đua “Dân vận khéo” năm 2021, Ban Thường vụ Huyện ủy Bình Sơn báo cáo kết quả "
    "thực hiện như sau: toàn huyện đã xây dựng và làm mới được 86 mô hình, điển hình trên tất cả các lĩnh vực."
)
STRIPPED = (
    "UY BAN NHAN DAN CONG HOA XA HOI CHU NGHTA VIET NAM\nHUYEN HIEP HOA Doc lap - Tu. do -114nh phtic\n"
    "S6://6-0 /KH- UBND Hiep Hoa, ngay olf thong 10 nam 2017\nKE HOACH\n"
    "Thuc hien Quyet dinh s6 472/QD-UBND ngay 31/3/2016 cua UBND tinh Bac Giang ve phe duyet quy hoach "
    "phat trien cong nghe thong tin den nam 2020 va dinh huong den nam 2030; Toan huyen c6 59 truong, "
    "trong do 32 truong tieu hoc, 24 truong THCS va 3 truong TH&THCS."
)

TRIAGE = [
    pytest.param(Page(1, GOOD), "good", "Unicode", id="good-unicode-vietnamese"),
    pytest.param(Page(1, ""), "no-text", "0 visible", id="empty-layer"),
    pytest.param(Page(1, "  \n 3 \n"), "no-text", "visible", id="page-number-only"),
    pytest.param(Page(1, STRIPPED), "bad-layer", "diacritics stripped", id="UY-BAN-NHAN-DAN-stripped"),
    pytest.param(Page(1, GOOD[:60] + " (cid:123)(cid:45)(cid:78) " + GOOD[60:]), "bad-layer", "CID",
                 id="cid-glyphs"),
    pytest.param(Page(1, GOOD.replace("ệ", "\ue00f")), "bad-layer", "private-use", id="private-use"),
    pytest.param(Page(1, GOOD.replace("ư", "\ufffd")), "bad-layer", "U+FFFD", id="replacement-chars"),
    pytest.param(Page(1, "Người ký: Ủy ban nhân dân huyện Đắk R'lấp\nThời gian ký: 16.05.2019",
                      image_coverage=1.0), "bad-layer", "signature box", id="scan-with-signature-box-only"),
    pytest.param(Page(1, "Người ký: Ủy ban nhân dân huyện Đắk R'lấp\nThời gian ký: 16.05.2019",
                      image_coverage=0.0), "good", "Unicode", id="short-born-digital-page"),
    pytest.param(Page(1, encode(GOOD.lower(), "tcvn3")), "legacy", "TCVN3", id="tcvn3-page"),
    pytest.param(Page(1, encode(GOOD, "vni")), "legacy", "VNI", id="vni-page"),
    pytest.param(Page(1, "Ñoäk lËp Tïr dø Hønh phøk Ëx Öy ÞÞ ØØ åå " * 4), "bad-layer", "no known table",
                 id="undecodable-mojibake"),
    pytest.param(Page(1, "Quarterly report of the district. " * 5), "good", "Unicode", id="english-not-stripped"),
]


@pytest.mark.parametrize(("page", "decision", "reason_part"), TRIAGE)
def test_triage_table(page: Page, decision: str, reason_part: str) -> None:
    got, reason = triage_page(page)
    assert got == decision, reason
    assert reason_part in reason


def test_hiep_hoa_pages_are_bad_layers() -> None:
    raw = read_document(HIEP_HOA)
    decision, reason = triage_page(raw.pages[0])
    assert decision == "bad-layer"
    assert "diacritics stripped" in reason
    bad = sum(1 for p in raw.pages if triage_page(p)[0] == "bad-layer")
    assert bad >= 28, "the OCR layer lost its diacritics on all text pages (short table pages are caught by recover_text)"


def test_born_digital_report_is_good() -> None:
    raw = read_document(BORN_DIGITAL)
    assert [triage_page(p)[0] for p in raw.pages] == ["good"] * len(raw.pages)


def test_dakrlap_scan_has_no_text() -> None:
    raw = read_document(DAKRLAP)
    assert triage_page(raw.pages[0])[0] in ("no-text", "bad-layer")
