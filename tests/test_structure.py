"""Structure: header, title, numbered headings and section paths, footnotes, signature, recipients."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.normalize import normalize
from pipeline.read import read_document
from pipeline.structure import find_structure, heading_of
from tests.conftest import public_documents

ROOT = Path(__file__).resolve().parents[1]
SEED = {
    "pdf": ROOT / "corpus/seed/binhson-2021-dan-van-kheo.pdf",
    "md": ROOT / "corpus/seed/binhson-2021-dan-van-kheo.md",
}
PUBLIC = sorted(p for p in (ROOT / "corpus/public").iterdir() if p.name != "SOURCES.md")

HEADINGS = [
    ("I. Tình hình chung", (1, "I", "Tình hình chung")),
    ("IV. Phương hướng và giải pháp", (1, "IV", "Phương hướng và giải pháp")),
    ("II. Công tác chỉ đạo, điều hành CCHC:", (1, "II", "Công tác chỉ đạo, điều hành CCHC")),
    ("1. Ưu điểm", (2, "1", "Ưu điểm")),
    ("2.1. Lĩnh vực phát triển kinh tế", (3, "2.1", "Lĩnh vực phát triển kinh tế")),
    ("1.1. Xây dựng và ban hành các văn bản QPPL:", (3, "1.1", "Xây dựng và ban hành các văn bản QPPL")),
    ("2.1.3. Đường giao thông", (4, "2.1.3", "Đường giao thông")),
    ("a) Về kinh tế", (4, "a", "Về kinh tế")),
    ("Điều 1. Phạm vi điều chỉnh, đối tượng áp dụng", (1, "Điều 1", "Phạm vi điều chỉnh, đối tượng áp dụng")),
    ("Phần 2. Tổ chức thực hiện", (1, "Phần 2", "Tổ chức thực hiện")),
    ("Chương II: Quy định cụ thể", (1, "Chương II", "Quy định cụ thể")),
]
NOT_HEADINGS = [
    "2021, Ban Thường vụ Huyện ủy Bình Sơn kính báo cáo.",
    "16/21 xã đạt chuẩn nông thôn mới",
    "19 kéo dài",
    "1,5 tỷ đồng",
    "1.234 tỷ đồng",
    "1. " + "Tiếp tục kiên trì thực hiện có hiệu quả các quan điểm của Đảng " * 5,   # a numbered paragraph
    "Ủy ban nhân dân huyện",
]


@pytest.mark.parametrize(("text", "expected"), HEADINGS, ids=[t for t, _ in HEADINGS])
def test_heading_of(text, expected):
    assert heading_of(text) == expected


@pytest.mark.parametrize("text", NOT_HEADINGS, ids=[t[:30] for t in NOT_HEADINGS])
def test_not_headings(text):
    assert heading_of(text) is None


@pytest.fixture(scope="module", params=["pdf", "md"])
def seed(request):
    doc = normalize(read_document(SEED[request.param]))
    return doc, find_structure(doc)


SEED_HEADINGS = [
    (1, "I", "Tình hình chung"),
    (1, "II", "Công tác lãnh đạo, chỉ đạo triển khai thực hiện"),
    (1, "III", "Kết quả thực hiện"),
    (2, "1", "Sự phối hợp của các cấp, các ngành trong công tác tuyên truyền, nâng cao nhận thức về “Dân vận "
             "khéo”; triển khai tổ chức thực hiện"),
    (2, "2", "Kết quả thực hiện phong trào thi đua “Dân vận khéo” trên các lĩnh vực: Phát triển kinh tế, văn hóa – "
             "xã hội, quốc phòng, an ninh, xây dựng hệ thống chính trị"),
    (3, "2.1", "Lĩnh vực phát triển kinh tế"),
    (3, "2.2", "Lĩnh vực văn hóa - xã hội"),
    (3, "2.3", "Lĩnh vực quốc phòng - an ninh"),
    (3, "2.4", "Xây dựng hệ thống chính trị"),
    (2, "3", "Kết quả xây dựng, nhân rộng các mô hình, điển hình “Dân vận khéo”"),
    (1, "III", "Đánh giá chung"),                       # the seed has two "III." headings: kept as written
    (2, "1", "Ưu điểm"),
    (2, "2", "Khuyết điểm, hạn chế, vướng mắc"),
    (2, "3", "Nguyên nhân"),
    (2, "4", "Một số kinh nghiệm"),
    (1, "IV", "Phương hướng và giải pháp thực hiện trong thời gian đến"),
]


def test_seed_headings(seed):
    _, s = seed
    got = [(b.level, b.label, b.title) for b in s.blocks if b.kind == "heading"]
    assert got == SEED_HEADINGS


def test_seed_header_title_signature_recipients(seed):
    doc, s = seed
    by_kind = {b.kind: b for b in s.blocks if b.kind in ("header", "title", "signature", "recipients")}
    assert doc.text[by_kind["header"].start:by_kind["header"].end] == "*\n\nSố 374-BC/HU"
    title = by_kind["title"]
    assert title.label == "BÁO CÁO"
    assert title.title == "kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2021"
    assert doc.text[title.start:title.end].startswith("BÁO CÁO\n\nkết quả")
    sig = by_kind["signature"]
    assert sig.title == "Đỗ Thiết Khiêm"
    assert doc.text[sig.start:sig.end] == "T/M BAN THƯỜNG VỤ\n\nPHÓ BÍ THƯ\n\nĐỗ Thiết Khiêm"
    rec = doc.text[by_kind["recipients"].start:by_kind["recipients"].end]
    assert rec.startswith("Nơi nhận:") and rec.endswith("- Lưu VPH.")


def test_seed_footnote_blocks(seed):
    doc, s = seed
    notes = [b for b in s.blocks if b.kind == "footnote"]
    assert [b.footnote for b in notes] == ["1", "2", "3"]
    at = doc.text.index("14,9km")
    assert s.footnote_at(at) == "3"
    assert s.footnote_at(doc.text.index("900m")) is None
    assert [doc.text[b.anchor - 6:b.anchor + 1] for b in notes] == ["g huyện¹"[1:], "văn hóa²"[1:], "ờng quê³"[1:]]


SECTIONS = [
    ("22 xã, thị trấn", "II Công tác lãnh đạo, chỉ đạo triển khai thực hiện"),
    ("86 mô hình", "III > 1 Sự phối hợp của các cấp, các ngành trong công tác tuyên truyền, nâng cao nhận thức về "
                   "“Dân vận khéo”; triển khai tổ chức thực hiện"),
    ("900m", "III > 2 > 2.1 Lĩnh vực phát triển kinh tế"),
    ("31,2 tấn", "III > 2 > 2.1 Lĩnh vực phát triển kinh tế"),
    ("14.719 km", "III > 2 > 2.2 Lĩnh vực văn hóa - xã hội"),
    ("131 tổ hòa giải", "III > 2 > 2.3 Lĩnh vực quốc phòng - an ninh"),
    ("46 mô hình", "III > 3 Kết quả xây dựng, nhân rộng các mô hình, điển hình “Dân vận khéo”"),
    ("Chất lượng một số mô hình", "III > 2 Khuyết điểm, hạn chế, vướng mắc"),
    # footnotes sit at the end of the text but belong where their marker is
    ("14,9km", "III > 2 > 2.2 Lĩnh vực văn hóa - xã hội"),
    ("09-KH/BDVHU", "II Công tác lãnh đạo, chỉ đạo triển khai thực hiện"),
]


@pytest.mark.parametrize(("raw", "path"), SECTIONS, ids=[r for r, _ in SECTIONS])
def test_seed_section_paths(seed, raw, path):
    doc, s = seed
    assert s.section_path(doc.text.index(raw)) == path


def test_seed_blocks_cover_the_text_in_order(seed):
    doc, s = seed
    starts = [b.start for b in s.blocks]
    assert starts == sorted(starts)
    for b in s.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)
        assert doc.text[b.start] not in " \n" and doc.text[b.end - 1] not in " \n"
    assert s.block_at(doc.text.index("380.000.000")).kind == "paragraph"


def test_daknong_So_Tai_chinh_99_BC_STC_2019_structure():
    doc = normalize(read_document(ROOT / "corpus/public/daknong_So-Tai-chinh_99-BC-STC_2019_cchc-6-thang-dau-nam.pdf"))
    s = find_structure(doc)
    title = next(b for b in s.blocks if b.kind == "title")
    assert (title.label, title.title) == ("BÁO CÁO", "Tình hình thực hiện công tác cải cách hành chính 6 tháng năm 2019")
    heads = [(b.level, b.label, b.title) for b in s.blocks if b.kind == "heading"]
    assert heads[:3] == [(1, "I", "Công tác chỉ đạo, điều hành CCHC"),
                         (2, "1", "Về xây dựng kế hoạch và tổ chức, chỉ đạo, điều hành CCHC"),
                         (2, "2", "Về kiểm tra công tác CCHC")]
    assert (1, "VI", "Phương hướng, nhiệm vụ công tác trong Quý III/2019") in heads
    # the two-column letterhead and closing come out one column after the other
    kinds = {b.kind: doc.text[b.start:b.end] for b in s.blocks if b.kind in ("header", "recipients", "signature")}
    assert kinds["header"].split("\n\n") == [
        "UBND TỈNH ĐĂK NÔNG", "SỞ TÀI CHÍNH", "Số: 99/BC-STC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Đăk Nông, ngày 20 tháng 5 năm 2019",
    ]
    assert kinds["recipients"].split("\n\n") == [
        "Nơi nhận:", "- UBND tỉnh (B/c);", "- Sở Nội vụ;", "- Ban Giám đốc Sở TC;", "- Trưởng các Phòng;",
        "- Lưu: VT,VP (S).",
    ]
    assert kinds["signature"] == "KT. GIÁM ĐỐC\n\nPHÓ GIÁM ĐỐC"


def test_daknong_So_Tai_chinh_216_BC_STC_2018_closing_before_the_annex():
    doc = normalize(read_document(ROOT / "corpus/public/daknong_So-Tai-chinh_216-BC-STC_2018_cchc-nam-2018.pdf"))
    s = find_structure(doc)
    sig = next(b for b in s.blocks if b.kind == "signature")
    assert doc.text[sig.start:sig.end] == "KT.GIÁM ĐỐC\n\nPHÓ GIÁM ĐỐC"
    assert s.block_at(doc.text.index("Phụ lục 2")).kind == "paragraph"


@pytest.mark.parametrize("path", public_documents())
def test_every_public_document_has_a_structure(path):
    doc = normalize(read_document(path))
    s = find_structure(doc)
    for b in s.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)


TITLES = [
    ("camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md", "KẾ HOẠCH",
     "TÀI CHÍNH - NGÂN SÁCH NHÀ NƯỚC 03 NĂM 2026 - 2028 TỈNH CÀ MAU", "Lâm Văn Bi"),
    ("hanoi_HDND-thanh-pho_48-2025-NQ-HDND_dinh-muc-phan-bo-ngan-sach.md", "NGHỊ QUYẾT",
     "VỀ ĐỊNH MỨC PHÂN BỔ NGÂN SÁCH VÀ TỶ LỆ PHẦN TRĂM (%) ĐỐI VỚI CÁC KHOẢN THU PHÂN CHIA GIỮA CÁC CẤP NGÂN SÁCH "
     "THÀNH PHỐ HÀ NỘI", "Phùng Thị Hồng Hà"),
    ("sonla_UBND-tinh_2954-QD-UBND_2025_ke-hoach-xuat-khau-2026-2030.md", "QUYẾT ĐỊNH",
     "VỀ VIỆC BAN HÀNH KẾ HOẠCH XUẤT KHẨU SẢN PHẨM HÀNG HÓA TỈNH SƠN LA GIAI ĐOẠN 2026 - 2030", "Nguyễn Thành Công"),
    ("quangninh_luongminh_MTTQ-xa_HD-MTTQ-BTT_2025_huong-dan-gioi-thieu-ung-cu.txt", "HƯỚNG DẪN",
     "Các cơ quan, tổ chức, đơn vị giới thiệu người ứng cử đại biểu Hội đồng nhân dân xã; thời gian thực hiện từ "
     "ngày 17/12/2025 đến ngày 25/01/2026", None),
]


@pytest.mark.parametrize(("name", "label", "title", "signer"), TITLES, ids=[t[0][:40] for t in TITLES])
def test_public_titles_and_signers(name, label, title, signer):
    doc = normalize(read_document(ROOT / "corpus/public" / name))
    s = find_structure(doc)
    t = next(b for b in s.blocks if b.kind == "title")
    assert (t.label, t.title) == (label, title)
    sig = next((b for b in s.blocks if b.kind == "signature"), None)
    assert (sig.title if sig else None) == signer


def test_ocr_misread_first_roman_heading_is_repaired():
    from pipeline.model import Document

    text = "1. Tình hình chung\n\nNội dung.\n\nII. Công tác lãnh đạo\n\n1. Ưu điểm\n\nNội dung."
    s = find_structure(Document(path="x.txt", sha256="0", format="txt", text=text, pages=[]))
    assert [(b.level, b.label) for b in s.blocks if b.kind == "heading"] == [(1, "I"), (1, "II"), (2, "1")]
    text = "I. Tình hình\n\n1. Ưu điểm\n\nII. Công tác"                # a real "1." under "I." stays
    s = find_structure(Document(path="x.txt", sha256="0", format="txt", text=text, pages=[]))
    assert [(b.level, b.label) for b in s.blocks if b.kind == "heading"] == [(1, "I"), (2, "1"), (1, "II")]
