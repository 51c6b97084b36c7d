"""References to other documents: number, type, date, issuer, offsets; seed gold and public documents."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from extractors.model import Reference
from extractors.references import extract_references, unique_references

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ROOT / "corpus" / "public"
SEED_MD = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.md"
SEED_GOLD = ROOT / "corpus" / "gold" / "binhson-2021-dan-van-kheo.json"


def md_text(md: str) -> str:
    """Reduce markdown to the normalized text the extractors see: no '*', '#', '\\'; <sup>1</sup> -> ¹."""
    md = re.sub(r"<sup>(\d+)</sup>", lambda m: "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(c)] for c in m.group(1)), md)
    return md.replace("*", "").replace("#", "").replace("\\", "")


def one(text: str) -> tuple[str, str | None, str | None, str | None]:
    refs = extract_references(text, own=None)
    assert len(refs) == 1, refs
    r = refs[0]
    return r.number, r.type, r.date, r.issuer


# (text, (number, type, date, issuer))
EXAMPLES = [
    ("Thực hiện Công văn số 324-CV/BDVTU ngày 08/11/2021 của Ban Dân vận Tỉnh ủy Quảng Ngãi về báo cáo",
     ("324-CV/BDVTU", "Công văn", "2021-11-08", "Ban Dân vận Tỉnh ủy Quảng Ngãi")),
    ("Kế hoạch số 31-KH/HU, ngày 06/4/2021 về thực hiện",
     ("31-KH/HU", "Kế hoạch", "2021-04-06", None)),
    ("Nghị quyết 25-NQ/TW của Ban Chấp hành Trung ương (khóa XI)",
     ("25-NQ/TW", "Nghị quyết", None, "Ban Chấp hành Trung ương")),
    ("Chỉ thị 16/CT-TTg của Thủ tướng Chính phủ về tăng cường",
     ("16/CT-TTg", "Chỉ thị", None, "Thủ tướng Chính phủ")),
    ("Căn cứ Nghị quyết số 05/2019/NQ-HĐND ngày 12/7/2019 của Hội đồng nhân dân tỉnh Đắk Nông;",
     ("05/2019/NQ-HĐND", "Nghị quyết", "2019-07-12", "Hội đồng nhân dân tỉnh Đắk Nông")),
    ("(Kèm theo Công văn số 1064/STC-QLNS ngày 20/5/2019 của Sở Tài chính tỉnh Đắk Nông)",
     ("1064/STC-QLNS", "Công văn", "2019-05-20", "Sở Tài chính tỉnh Đắk Nông")),
    ("ban hành kèm theo Quyết định số 713-QĐ/HU ngày 25/7/2011 của Ban Thường vụ Huyện ủy về ban hành",
     ("713-QĐ/HU", "Quyết định", "2011-07-25", "Ban Thường vụ Huyện ủy")),
    ("Thực hiện Chỉ thị số 21/CT-TTg\nngày 25 tháng 11 năm 2022 của Thủ tướng Chính phủ về thúc đẩy",
     ("21/CT-TTg", "Chỉ thị", "2022-11-25", "Thủ tướng Chính phủ")),
    ("Xét Tờ trình số 428/TTr-UBND ngày 21\ntháng 11 năm 2025 của Ủy ban nhân dân Thành phố về việc",
     ("428/TTr-UBND", "Tờ trình", "2025-11-21", "Ủy ban nhân dân Thành phố")),
    ("Báo cáo thẩm tra số\n165/BC-KTNS ngày 24 tháng 11 năm 2025 của Ban Kinh tế ngân sách;",
     ("165/BC-KTNS", "Báo cáo", "2025-11-24", "Ban Kinh tế ngân sách")),
    ("Căn cứ Luật Thủ đô số 39/2024/QH15;", ("39/2024/QH15", "Luật", None, None)),
    ("đã được sửa đổi, bổ sung một số điều theo số 85/2015/QH13;", ("85/2015/QH13", "Luật", None, None)),
    ("Nghị quyết liên tịch số 102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN ngày 26/9/2025 hướng dẫn",
     ("102/2025/NQLT-UBTVQH15-CP-ĐCTUBTWMTTQVN", "Nghị quyết liên tịch", "2025-09-26", None)),
    ("Thực hiện công văn số 1556/SGD&ĐT-VP của sở GD&ĐT Bắc Giang ngày 13/12/2013 và",
     ("1556/SGD&ĐT-VP", "Công văn", "2013-12-13", "sở GD&ĐT Bắc Giang")),
    ("Kèm theo Báo cáo số 216 /BC-STC ngày 14 tháng 11 năm 2018 của Sở Tài chính tỉnh Đắk Nông",
     ("216/BC-STC", "Báo cáo", "2018-11-14", "Sở Tài chính tỉnh Đắk Nông")),
    ("Quyết định số 1746/QĐ-TTg ngày\n30/12/2023 của Thủ tưởng Chính phủ về việc",
     ("1746/QĐ-TTg", "Quyết định", "2023-12-30", "Thủ tưởng Chính phủ")),
    ("Thông tư số 04/2016/TT-BNNPTNT ngày 10/5/2016 của Bộ Nông nghiệp và PTNT (nay là",
     ("04/2016/TT-BNNPTNT", "Thông tư", "2016-05-10", "Bộ Nông nghiệp và PTNT")),
    # type from the symbol alone
    ("theo văn bản 713-QĐ/HU", ("713-QĐ/HU", "Quyết định", None, None)),
    ("số 4096/UBND-NC ngày 02/8/2017", ("4096/UBND-NC", None, "2017-08-02", None)),
]

# Text holding no reference at all.
NOT_REFERENCES = [
    "Kế hoạch số 31 của Tỉnh ủy",                 # a plan named by its bare number: no symbol
    "Nghị quyết Trung ương 4 (khóa XII)",          # a plenum, not a document number
    "đạt 16/21 xã",                                # a ratio
    "07/07 phòng chuyên môn",                      # a ratio with leading zeros
    "ngày 08/11/2021",                             # a date
    "giai đoạn 2021-2025",                         # a period
    "Dịch bệnh Covid-19 kéo dài",                  # a disease's name
    "dự án mở rộng Quốc lộ 1A",                    # a road's name
    "Tiêu chuẩn ISO 9001:2015",                    # a standard
    "quý III/2019",                                # a quarter
    "Danh sách theo Mẫu số 04/BCĐBHĐND-MT",        # a form, not a document
]

# Bugs found on real documents; each row names the document that taught it.
BUGS_CAUGHT = [
    # seed: a type word far before the number must not swallow "Quy chế ..., Kế hoạch"
    ("Quy chế công tác dân vận của hệ thống chính trị huyện, Kế hoạch số 81-KH/HU, ngày 22/8/2013 của Ban "
     "Thường vụ Huyện ủy về", ("81-KH/HU", "Kế hoạch", "2013-08-22", "Ban Thường vụ Huyện ủy")),
    # camau 0204/KH-UBND: an amount after the issuer is not part of it
    ("Nghị quyết số 204/2025/QH15 ngày 17/6/2025 của Quốc hội khoảng 110\ntỷ đồng",
     ("204/2025/QH15", "Nghị quyết", "2025-06-17", "Quốc hội")),
    # hanoi 48/2025/NQ-HĐND: "và" + a clause ends the issuer
    ("Nghị quyết số 47/2025/NQ-HĐND ngày 13/11/2025 của HĐND Thành phố và\nkinh phí hỗ trợ",
     ("47/2025/NQ-HĐND", "Nghị quyết", "2025-11-13", "HĐND Thành phố")),
    # 216/BC-STC: a lower-case "luật" is a common noun, not the type of "văn bản số ..."
    ("các quy định của pháp luật tại các văn\nbản số: 1553/STC-HCSN ngày 09/7/2018",
     ("1553/STC-HCSN", None, "2018-07-09", None)),
    # 216/BC-STC: the text layer breaks the line after the symbol's hyphen
    ("ban hành Quyết định số 09/2018/QĐ-\nUBND ngày 28/3/2018 về viêc ban hành",
     ("09/2018/QĐ-UBND", "Quyết định", "2018-03-28", None)),
    # quangninh HD-MTTQ-BTT: a form number after a type word is still a form
    ("lập Biên bản theo Mẫu số 02/BCĐBHĐND-MT", None),
]

# Sentences that give an issuer or a type once for several references; each row names the document.
SHARED_CONTEXT = [
    # daknong 99-BC-STC: the issuer is the subject of "đã ban hành" before the reference
    ("Sở Tài chính đã ban hành Công văn số 90/STC-VP ngày 10/01/2019 về việc rà soát văn bản.",
     [("90/STC-VP", "Công văn", "2019-01-10", "Sở Tài chính")]),
    # daknong 99-BC-STC: "chỉ đạo của X tại Công văn số ..."
    ("Thực hiện chỉ đạo của UBND tỉnh tại Công văn số 6361/UBND-TH ngày 14/12/2018 về việc xây dựng",
     [("6361/UBND-TH", "Công văn", "2018-12-14", "UBND tỉnh")]),
    # daknong 99-BC-STC: "A ... và B ... của X": X issued both
    ("theo Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 và Nghị định số 48/2013/NĐ-CP ngày 14/5/2013 của Chính "
     "phủ về việc sửa đổi",
     [("63/2010/NĐ-CP", "Nghị định", "2010-06-08", "Chính phủ"),
      ("48/2013/NĐ-CP", "Nghị định", "2013-05-14", "Chính phủ")]),
    # daknong 99-BC-STC: "X đã ban hành Quyết định A ... (... của Y tại Công văn B) và Quyết định C"
    ("Ủy ban nhân dân tỉnh đã ban hành Quyết định số 1968/QĐ-UBND ngày 05/12/2018 về việc phê duyệt Bản mô tả "
     "(theo đề nghị của Sở Tài chính tại Công văn số 1773/STC-VP ngày 01/8/2018) và Quyết định số 1976/QĐ-UBND "
     "ngày 04/12/2018 về việc phê duyệt Đề án",
     [("1968/QĐ-UBND", "Quyết định", "2018-12-05", "Ủy ban nhân dân tỉnh"),
      ("1773/STC-VP", "Công văn", "2018-08-01", "Sở Tài chính"),
      ("1976/QĐ-UBND", "Quyết định", "2018-12-04", "Ủy ban nhân dân tỉnh")]),
    # daknong 99-BC-STC: a list after "các Công văn số:" shares the type
    ("ban hành kèm theo các Công văn số: 2318/STC-VP ngày 02/10/2018; 2675/STC-VP ngày 13/11/2018; "
     "97/STC-VP ngày 11/01/2018.",
     [("2318/STC-VP", "Công văn", "2018-10-02", None), ("2675/STC-VP", "Công văn", "2018-11-13", None),
      ("97/STC-VP", "Công văn", "2018-01-11", None)]),
    # daknong 99-BC-STC: a copied header, "Số:" in capitals and the place before the date
    ("+ Công văn Số: 905/STC-VP Đắk Nông, ngày 26 tháng 4 năm 2019 về việc thống nhất danh sách",
     [("905/STC-VP", "Công văn", "2019-04-26", None)]),
    # daknong 99-BC-STC: the issuer abbreviated, then a paragraph break inside its name
    ("theo Nghị quyết số 18-NQ/TW ngày 25/10/2017 của BCH\n\nTrung ương Đảng khóa XII (theo đề nghị",
     [("18-NQ/TW", "Nghị quyết", "2017-10-25", "BCH")]),
    # daknong 99-BC-STC: a decree cited by its bare running number
    ("được ký hợp đồng theo Nghị định 68 và 02 hợp đồng vụ việc.", [("68", "Nghị định", None, None)]),
    # daknong 216-BC-STC: "của X" after a reference belongs to it, not to the next one
    ("bãi bỏ Nghị quyết số 03/2007/NQ-HĐND ngày 25/7/2007 của Hội đồng nhân dân tỉnh Đắk Nông tại Tờ trình số "
     "5579/TTR-UBND ngày 05/11/2018 về việc",
     [("03/2007/NQ-HĐND", "Nghị quyết", "2007-07-25", "Hội đồng nhân dân tỉnh Đắk Nông"),
      ("5579/TTR-UBND", "Tờ trình", "2018-11-05", None)]),
    # daknong 216-BC-STC: an adverb between the subject and "đã ban hành"
    ("làm cơ sở thực hiện. Sở cũng đã ban hành Kế hoạch số 616/KH-STC ngày 23/5/2013 về đào tạo",
     [("616/KH-STC", "Kế hoạch", "2013-05-23", "Sở")]),
    # a decree's bare number needs the clause to end there: "Quyết định 15 ngày" is a duration
    ("trong thời hạn Quyết định 15 ngày kể từ", []),
]

XFAIL = [
    # the name of the report contains a comma; we fall back to the bare number and lose the type
    pytest.param("Báo cáo tiếp thu, giải trình số 507/UBND-KT ngày 26 tháng 11 năm 2025 của Ủy ban nhân dân",
                 ("507/UBND-KT", "Báo cáo", "2025-11-26", "Ủy ban nhân dân"),
                 id="Báo cáo tiếp thu, giải trình số 507/UBND-KT",
                 marks=pytest.mark.xfail(strict=True, reason="comma inside a report's name")),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_examples(text: str, expected: tuple[str, str | None, str | None, str | None]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize("text", NOT_REFERENCES, ids=NOT_REFERENCES)
def test_not_references(text: str) -> None:
    assert extract_references(text, own=None) == []


@pytest.mark.parametrize(("text", "expected"), BUGS_CAUGHT, ids=[t[:60] for t, _ in BUGS_CAUGHT])
def test_bugs_caught(text: str, expected: tuple[str, str | None, str | None, str | None] | None) -> None:
    if expected is None:
        assert extract_references(text, own=None) == []
    else:
        assert one(text) == expected


@pytest.mark.parametrize(("text", "expected"), XFAIL)
def test_xfail(text: str, expected: tuple[str, str | None, str | None, str | None]) -> None:
    assert one(text) == expected


@pytest.mark.parametrize(("text", "expected"), SHARED_CONTEXT, ids=[t[:60] for t, _ in SHARED_CONTEXT])
def test_shared_context(text: str, expected: list[tuple[str, str | None, str | None, str | None]]) -> None:
    refs = extract_references(text, own=None)
    assert [(r.number, r.type, r.date, r.issuer) for r in refs] == expected
    assert all(text[r.char_start:r.char_end] == r.raw for r in refs)


def test_raw_is_the_slice_and_covers_type_to_issuer() -> None:
    text = "Thực hiện Kế hoạch số 31-KH/TU ngày 16/3/2021 của Ban Thường vụ Tỉnh ủy về thực hiện"
    (r,) = extract_references(text)
    assert text[r.char_start:r.char_end] == r.raw == "Kế hoạch số 31-KH/TU ngày 16/3/2021 của Ban Thường vụ Tỉnh ủy"


def test_own_number_in_the_header_is_not_a_reference() -> None:
    text = "Số 374-BC/HU\n\nBÁO CÁO\n\nThực hiện Công văn số 324-CV/BDVTU ngày 08/11/2021, báo cáo 374-BC/HU."
    assert [r.number for r in extract_references(text)] == ["324-CV/BDVTU"]


def test_footnote_without_layout_is_marked_by_its_superscript_marker() -> None:
    text = "Thân bài¹.\n\n¹ Công văn số 18-CV/BDVHU, ngày 26/4/2021 về hướng dẫn"
    (r,) = extract_references(text)
    assert r.in_footnote and r.date == "2021-04-26"


def test_footnote_from_layout() -> None:
    class OnlyFootnotesAfter:
        def footnote_at(self, offset: int) -> str | None:
            return "1" if offset > 10 else None

    text = "Công văn số 1-CV/HU; Công văn số 2-CV/HU"
    refs = extract_references(text, OnlyFootnotesAfter())
    assert [r.in_footnote for r in refs] == [False, True]


def test_unique_references_fills_gaps_from_later_mentions() -> None:
    text = "Chỉ thị 05-CT/TW của Bộ Chính trị; Chỉ thị số 05-CT/TW ngày 15/5/2016"
    refs = extract_references(text)
    assert len(refs) == 2
    (u,) = unique_references(refs)
    assert (u.number, u.date, u.issuer) == ("05-CT/TW", "2016-05-15", "Bộ Chính trị")
    assert u.raw == "Chỉ thị 05-CT/TW của Bộ Chính trị"


# --- the seed report against its gold -------------------------------------------------------------

def _seed_refs() -> list[Reference]:
    return extract_references(md_text(SEED_MD.read_text(encoding="utf-8")))


def test_binhson_2021_dan_van_kheo_all_13_gold_references() -> None:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))["references"]
    refs = unique_references(_seed_refs())
    assert [r.number for r in refs] == [g["number"] for g in gold]      # all 13, nothing else, in order
    for r, g in zip(refs, gold, strict=True):
        assert r.type == g["type"], r
        assert r.date == g["date"], r
        if "issuer" in g:
            assert r.issuer == g["issuer"], r
        assert r.in_footnote == bool(g.get("in_footnote")), r


def test_binhson_2021_dan_van_kheo_unique_flag_gives_the_13() -> None:
    text = md_text(SEED_MD.read_text(encoding="utf-8"))
    refs = extract_references(text, unique=True)
    assert len(refs) == 13
    assert all(text[r.char_start:r.char_end] == r.raw for r in refs)


def test_binhson_2021_dan_van_kheo_mentions() -> None:
    refs = _seed_refs()
    assert len(refs) == 16              # 25-NQ/TW twice, 05-CT/TW three times
    assert "374-BC/HU" not in {r.number for r in refs}


# --- every corpus text: offsets, and no reference that is a figure ---------------------------------

def _public_texts() -> list[tuple[str, str]]:
    out = []
    for p in sorted(PUBLIC.iterdir()):
        if p.suffix in (".md", ".txt") and p.name != "SOURCES.md":
            out.append((p.name, md_text(p.read_text(encoding="utf-8"))))
    return out


@pytest.mark.parametrize(("name", "text"), _public_texts(), ids=[n for n, _ in _public_texts()])
def test_public_text_offsets_and_numbers(name: str, text: str) -> None:
    refs = extract_references(text)
    assert refs, name
    for r in refs:
        assert text[r.char_start:r.char_end] == r.raw
        assert re.fullmatch(r"\d{1,5}(?:/\d{4})?[-/][\w&/-]+", r.number), r
        assert r.date is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.date)


# (document, number, type, date, issuer) that must be among a public document's references
PUBLIC_REFERENCES = [
    ("camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md",
     "45/2017/NĐ-CP", "Nghị định", "2017-04-21", "Chính phủ"),
    ("camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md",
     "69/2017/TT-BTC", "Thông tư", "2017-07-07", "Bộ trưởng Bộ Tài chính"),
    ("cantho_UBND-thanh-pho_157-KH-UBND_2025_thi-dua-chi-tra-tro-giup-xa-hoi-khong-tien-mat.md",
     "552/TB-VPCP", "Thông báo", "2025-10-13", "Văn phòng Chính phủ"),
    ("daklak_UBND-tinh_0134-KH-UBND_2025_quan-trac-moi-truong-nuoi-trong-thuy-san.md",
     "339/QĐ-TTg", "Quyết định", "2021-03-11", "Thủ tướng Chính phủ"),
    ("hanoi_HDND-thanh-pho_48-2025-NQ-HDND_dinh-muc-phan-bo-ngan-sach.md",
     "428/TTr-UBND", "Tờ trình", "2025-11-21", "Ủy ban nhân dân Thành phố"),
    ("hanoi_HDND-thanh-pho_48-2025-NQ-HDND_dinh-muc-phan-bo-ngan-sach.md",
     "72/2025/QH15", "Luật", None, None),
    ("quangninh_luongminh_MTTQ-xa_HD-MTTQ-BTT_2025_huong-dan-gioi-thieu-ung-cu.txt",
     "17/TB-TTHĐND", "Thông báo", "2025-12-12", "HĐND xã Lương Minh"),
    ("sonla_UBND-tinh_2954-QD-UBND_2025_ke-hoach-xuat-khau-2026-2030.md",
     "2679/SCT-QLTM", "Công văn", "2025-11-07", None),
    ("bacgiang_hiephoa_THCS-HoangLuong_BC_2013_hoc-tap-lam-theo-Bac_TCVN3-header.txt",
     "575/PGD&ĐT", "Công văn", "2013-12-20", "phòng GD&ĐT huyện Hiệp Hòa"),
]


@pytest.mark.parametrize(("doc", "number", "rtype", "date", "issuer"), PUBLIC_REFERENCES,
                         ids=[f"{d.split('_')[0]}-{n}" for d, n, *_ in PUBLIC_REFERENCES])
def test_public_document_reference(doc: str, number: str, rtype: str, date: str | None,
                                   issuer: str | None) -> None:
    text = md_text((PUBLIC / doc).read_text(encoding="utf-8"))
    found = [(r.type, r.date, r.issuer) for r in extract_references(text) if r.number == number]
    assert (rtype, date, issuer) in found


def test_public_documents_do_not_reference_themselves() -> None:
    own = {
        "camau_UBND-tinh_0204-KH-UBND_2025_ke-hoach-tai-chinh-ngan-sach-2026-2028.md": "0204/KH-UBND",
        "cantho_UBND-thanh-pho_157-KH-UBND_2025_thi-dua-chi-tra-tro-giup-xa-hoi-khong-tien-mat.md": "157/KH-UBND",
        "daklak_UBND-tinh_0134-KH-UBND_2025_quan-trac-moi-truong-nuoi-trong-thuy-san.md": "0134/KH-UBND",
    }
    for doc, number in own.items():
        text = md_text((PUBLIC / doc).read_text(encoding="utf-8"))
        assert number not in {r.number for r in extract_references(text)}, doc


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_daknong_1064_stc_qlns_annex_has_no_reference_but_its_own_number() -> None:
    pdf = PUBLIC / "daknong_So-Tai-chinh_1064-STC-QLNS_2019_phu-luc-vay-tra-no.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert extract_references(text) == []
    assert [r.number for r in extract_references(text, own=None)] == ["1064/STC-QLNS"] * 2
