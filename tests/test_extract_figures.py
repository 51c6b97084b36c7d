"""extract(): named tables of Vietnamese sentences and the figures they state (ids show the text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from extractors.figures import extract, sentence_spans
from extractors.model import Figure
from extractors.quantity import parse_quantity

D = Decimal


@dataclass
class Want:
    """One expected figure: the fields named here must equal the figure's."""

    kind: str
    value: Decimal | None
    unit: str
    raw: str
    more: dict[str, Any] = field(default_factory=dict)


def _check(text: str, got: list[Figure], want: list[Want]) -> None:
    assert [(f.kind, f.value, f.unit, f.raw) for f in got] == [(w.kind, w.value, w.unit, w.raw) for w in want]
    for f, w in zip(got, want, strict=True):
        assert text[f.char_start:f.char_end] == f.raw
        for name, value in w.more.items():
            assert getattr(f, name) == value, (name, f)


EXAMPLES: list[tuple[str, list[Want]]] = [
    ("Toàn huyện đã làm mới được 86 mô hình.", [Want("count", D(86), "count", "86 mô hình")]),
    ("lĩnh vực kinh tế 03 mô hình", [Want("count", D(3), "count", "03 mô hình", {"domain": "kinh tế"})]),
    ("Toàn huyện có 12 nhà tạm được xóa.", [Want("count", D(12), "count", "12 nhà tạm")]),
    ("thành lập 131 tổ hòa giải ở cơ sở", [Want("count", D(131), "count", "131 tổ hòa giải",
                                                {"subject": "tổ hòa giải"})]),
    ("Xây dựng hai mươi lăm mô hình mới.", [Want("count", D(25), "count", "hai mươi lăm mô hình")]),
    ("có 16/21 xã đạt chuẩn", [Want("ratio", D(16), "count", "16/21 xã", {"denominator": D(21)})]),
    ("Đã có 07/07 phòng hoàn thành.", [Want("ratio", D(7), "count", "07/07 phòng", {"denominator": D(7)})]),
    ("tổng số tiền là 380.000.000 đồng", [Want("money", D(380000000), "VND", "380.000.000 đồng")]),
    ("Kinh phí 2 tỷ đồng.", [Want("money", D(2000000000), "VND", "2 tỷ đồng")]),
    ("Kinh phí hơn 2 tỷ đồng.", [Want("money", D(2000000000), "VND", "hơn 2 tỷ đồng",
                                      {"qualifier": "more_than"})]),
    ("Tổng vốn hơn 2 tỷ.", [Want("money", D(2000000000), "VND", "hơn 2 tỷ", {"qualifier": "more_than"})]),
    ("Dự án 1.234,5 tỷ đồng.", [Want("money", D(1234500000000), "VND", "1.234,5 tỷ đồng")]),
    ("Hỗ trợ 2 triệu 500 nghìn đồng.", [Want("money", D(2500000), "VND", "2 triệu 500 nghìn đồng")]),
    ("Hỗ trợ từ 5 đến 10 triệu đồng cho mỗi hộ.", [Want("money", None, "VND", "từ 5 đến 10 triệu đồng",
                                                      {"min": D(5000000), "max": D(10000000)})]),
    ("Mỗi hộ được hỗ trợ 3 - 5 triệu đồng/hộ.", [Want("money", None, "VND", "3 - 5 triệu đồng/hộ",
                                                     {"min": D(3000000), "max": D(5000000), "per": "hộ"})]),
    ("Giá lúa 11.000 đồng/kg.", [Want("money", D(11000), "VND", "11.000 đồng/kg", {"per": "kg"})]),
    ("Thu nhập 52 triệu đồng/người/năm.", [Want("money", D(52000000), "VND", "52 triệu đồng/người/năm",
                                                {"per": "người/năm"})]),
    ("Vốn 5 triệu USD và 2 triệu EUR.", [Want("money", D(5000000), "USD", "5 triệu USD"),
                                         Want("money", D(2000000), "EUR", "2 triệu EUR")]),
    ("Kinh phí 2,5 trđ và 3 tr.đ.", [Want("money", D(2500000), "VND", "2,5 trđ"),
                                     Want("money", D(3000000), "VND", "3 tr.đ")]),
    ("Giá 500.000đ/tháng.", [Want("money", D(500000), "VND", "500.000đ/tháng", {"per": "tháng"})]),
    ("kiên cố 900m kênh mương nội đồng.", [Want("length", D(900), "m", "900m",
                                                {"subject": "kênh mương nội đồng"})]),
    ("thắp sáng được 14,9km đường", [Want("length", D("14.9"), "km", "14,9km")]),
    ("hiến 440 m² đất", [Want("area", D(440), "m2", "440 m²", {"subject": "đất hiến"})]),
    ("Trồng mới 120 ha rừng.", [Want("area", D(120), "ha", "120 ha")]),
    ("Nạo vét 1.200 m3 đất.", [Want("volume", D(1200), "m3", "1.200 m3")]),
    ("ủng hộ 31,2 tấn gạo", [Want("mass", D("31.2"), "t", "31,2 tấn")]),
    ("Năng suất 5 tạ/ha.", [Want("mass", D(5), "quintal", "5 tạ/ha", {"per": "ha"})]),
    ("Nhân dân đóng góp 979 ngày công.", [Want("labour", D(979), "person_day", "979 ngày công",
                                               {"subject": "Nhân dân đóng góp"})]),
    ("Có 100% khu dân cư trong huyện.", [Want("percent", D(100), "percent", "100%", {"subject": "khu dân cư"})]),
    ("Đạt 95%KH.", [Want("percent", D(95), "percent", "95%KH")]),
    ("Đạt năm phần trăm.", [Want("percent", D(5), "percent", "năm phần trăm")]),
    ("Tối đa 5 triệu đồng.", [Want("money", D(5000000), "VND", "Tối đa 5 triệu đồng", {"qualifier": "at_most"})]),
    ("Ít nhất 3 người.", [Want("count", D(3), "count", "Ít nhất 3 người", {"qualifier": "at_least"})]),
    ("Gần 300 hộ thoát nghèo.", [Want("count", D(300), "count", "Gần 300 hộ", {"qualifier": "approximately"})]),
    ("Khoảng 1.000 người tham gia.", [Want("count", D(1000), "count", "Khoảng 1.000 người",
                                           {"qualifier": "approximately"})]),
    ("Dưới 50% hộ.", [Want("percent", D(50), "percent", "Dưới 50%", {"qualifier": "less_than"})]),
    ("Mô hình của xã Bình Minh huy động 380.000.000 đồng.", [
        Want("money", D(380000000), "VND", "380.000.000 đồng", {"place": "xã Bình Minh"})]),
    ("Thu 1.500.000.000 đồng (trong đó Nhân dân góp 600.000.000 đồng).", [
        Want("money", D(1500000000), "VND", "1.500.000.000 đồng", {"flags": []}),
        Want("money", D(600000000), "VND", "600.000.000 đồng", {"part_of": 0, "flags": []})]),
    # achieved/planned in one unit: a ratio whose unit is the measure's
    ("Tổng diện tích gieo trồng đạt 62.372/52.786 ha", [
        Want("ratio", D(62372), "ha", "62.372/52.786 ha",
             {"denominator": D(52786), "subject": "Tổng diện tích gieo trồng"})]),
    ("Tổng sản lượng lương thực đạt 168.604/138.197 tấn", [
        Want("ratio", D(168604), "t", "168.604/138.197 tấn", {"denominator": D(138197)})]),
    ("đạt 75,11/77,64 triệu đồng", [
        Want("ratio", D(75110000), "VND", "75,11/77,64 triệu đồng", {"denominator": D(77640000)})]),
    ("Tỷ lệ hộ gia đình văn hóa đạt 88,5/90%", [
        Want("ratio", D("88.5"), "percent", "88,5/90%", {"denominator": D(90)})]),
    ("Tổng đàn gia súc đạt 80,755/80,2 ngàn con", [
        Want("ratio", D(80755), "count", "80,755/80,2 ngàn con",
             {"denominator": D(80200), "subject": "Tổng đàn gia súc"})]),
    ("từ 95- dưới 100% cộng 04 điểm", [Want("percent", None, "percent", "từ 95- dưới 100%",
                                          {"min": D(95), "max": D(100)}),
                                     Want("count", D(4), "count", "04 điểm")]),
    ("Lĩnh vực nông nghiệp chiếm 57,1% (kế hoạch 55,27%).", [
        Want("percent", D("57.1"), "percent", "57,1%"), Want("percent", D("55.27"), "percent", "55,27%")]),
    # a percent of plan right after a figure rates that figure's measure
    ("Giá trị sản xuất đạt 7.906,7 tỷ đồng, đạt 106%KH.", [
        Want("money", D(7906700000000), "VND", "7.906,7 tỷ đồng", {"subject": "Giá trị sản xuất"}),
        Want("percent", D(106), "percent", "106%KH", {"subject": "Giá trị sản xuất — so với kế hoạch"})]),
    ("Tỷ lệ học sinh đi học 98%, đạt 70% kế hoạch.", [
        Want("percent", D(98), "percent", "98%", {"subject": "Tỷ lệ học sinh đi học"}),
        Want("percent", D(70), "percent", "70%", {"subject": "Tỷ lệ học sinh đi học — so với kế hoạch"})]),
    # a bare counted noun after a clause naming the measure: the clause is the subject
    ("Số lao động có việc làm 51,36 nghìn người.", [
        Want("count", D(51360), "count", "51,36 nghìn người", {"subject": "Số lao động có việc làm"})]),
    ("đào tạo nghề theo đề án đạt trên 105 lao động.", [
        Want("count", D(105), "count", "trên 105 lao động", {"subject": "đào tạo nghề theo đề án"})]),
    ("Số giường bệnh/vạn dân 13,9 giường.", [
        Want("count", D("13.9"), "count", "13,9 giường", {"subject": "Số giường bệnh/vạn dân"})]),
    ("(4) Thu nhập bình quân đầu người đạt 43,25 triệu đồng/năm.", [
        Want("money", D(43250000), "VND", "43,25 triệu đồng/năm", {"subject": "Thu nhập bình quân đầu người"})]),
    ("(1) 100% số người hưởng trợ cấp được tuyên truyền", [
        Want("percent", D(100), "percent", "100%", {"subject": "người hưởng trợ cấp được tuyên truyền"})]),
    ("Làm 86 mô hình. Trong đó, lĩnh vực kinh tế 03 mô hình; văn hóa - xã hội: 83 mô hình.", [
        Want("count", D(86), "count", "86 mô hình"),
        Want("count", D(3), "count", "03 mô hình", {"part_of": 0, "domain": "kinh tế"}),
        Want("count", D(83), "count", "83 mô hình", {"part_of": 0, "domain": "văn hóa - xã hội"})]),
]

NOT_FIGURES = [
    # OCR of a form's rules and column numbers: a line of noise tokens states no figure
    "Fw <2 2 3 4 s mi FT * kả F7 Le 2 1» 14 14 16 TT tr Lá 20 2 L¿ L2) L=g 2 26 27 rx 29 »” 3 Ta 1%",
    "Số 374-BC/HU",
    "Công văn số 324-CV/BDVTU ngày 08/11/2021",
    "Chỉ thị số 16/CT-TTg của Thủ tướng",
    "Nghị quyết số 48/2025/NQ-HĐND",
    "Kế hoạch số 31 của Tỉnh ủy",
    "ngày 18 tháng 11 năm 2025",
    "ngày 16/3/2021",
    "tháng 5/2019",
    "năm 2021",
    "giai đoạn 2021-2025",
    "giai đoạn 2021- 2025",
    "nhiệm kỳ 2020-2025",
    "Điều 5 khoản 2",
    "Phụ lục 1",
    "Đại hội lần thứ XIII",
    "không có người sinh con thứ 3 trở lên",
    "Nghị quyết Trung ương 4 (khóa XII)",
    "các mô hình “Hộ tộc 3 không”, “Khu dân cư 6 không”",
    "mô hình: “02 phòng, 04 giữ”; “03 không, 02 phòng”",
    "Dịch bệnh Covid-19 kéo dài",
    "bệnh nhân Covid -19 trên địa bàn",
    "dự án mở rộng Quốc lộ 1A",
    "sản phẩm Ocop 3 sao",
    "thôn trong xây dựng đời sống văn hóa¹; thắp sáng đường quê²",
    "cấp huyện<sup>1</sup>. Đồng thời",
    "Điện thoại: 0255 3851 234",
    "ĐT: 0912.345.678",
    "1. Ưu điểm",
    "2.1. Lĩnh vực phát triển kinh tế",
    "III. Kết quả thực hiện",
    "trong năm người dân",
    "hàng trăm hộ dân",
    "một số mô hình",
    "Ba là, phát huy vai trò",
    "Mẫu biểu số 01, 02, 03 ban hành kèm theo",
    "tư tưởng Hồ Chí Minh",
    "- Tỷ lệ = b/a * 100%;",
    "Theo Thông tư 16/2021 ha",
    "ngày 08/11/2021 ha",
    "ngày 18.5.2021 ha",
    "Chiều dài đường dây 35 KV",             # sonla QTBT 2024: a voltage class naming the line
    "Cửa van vận hành BxH 1,32x1,685",       # a width × height pair has no unit of its own here
    "Loại, cấp công trình: cấp II",
    "cống tại lý trình Km0+450 kênh chính",  # a chainage along a canal or road is a position, not a length
    "sửa chữa đoạn từ Km 3+200 đến Km 4+100 đường tỉnh",
    "mốc tọa độ X = 2345678,50 m; Y = 512345,20 m",  # VN-2000 map coordinates
]

# Bugs found on real documents; each line names what it taught.
BUGS_CAUGHT: list[tuple[str, list[Want]]] = [
    # issue 8, sonla QTBT 2024 (irrigation works): a power of ten after the number scales it
    ("Dung tích toàn bộ: 4,316 x 10⁶ m³.", [Want("volume", D(4316000), "m3", "4,316 x 10⁶ m³", {"flags": []})]),
    ("Tổng lượng dòng chảy 106,1 x 10^6 m3", [Want("volume", D(106100000), "m3", "106,1 x 10^6 m3",
                                                   {"flags": []})]),
    # sonla QTBT 2024: a flow is m³ per second, with its bound
    ("có lưu lượng tràn xả lũ thiết kế trên 2.000 m³/s;", [
        Want("volume", D(2000), "m3", "trên 2.000 m³/s", {"per": "s", "qualifier": "more_than"})]),
    # sonla QTBT 2024: a reservoir's size class reaches a billion m³ and is not implausible
    ("dung tích toàn bộ từ 3.000.000 m³ đến dưới 1.000.000.000 m³", [
        Want("volume", None, "m3", "từ 3.000.000 m³ đến dưới 1.000.000.000 m³",
             {"min": D(3000000), "max": D(1000000000), "flags": []})]),
    # sonla QTBT 2024: rainfall in mm, and a thickness in cm, are lengths in metres
    ("Lượng mưa bình quân năm 1.770,8 mm", [Want("length", D("1.7708"), "m", "1.770,8 mm")]),
    ("lớp bê tông dày 20 cm", [Want("length", D("0.2"), "m", "20 cm")]),
    # daknong 946/UBND-NN: a frequency counts with its rate, a multiplier does not; a hamlet's number names it
    ("tiêu độc khử trùng 01 lần/ngày trong 01 tuần đầu tiên", [
        Want("count", D(1), "count", "01 lần/ngày", {"per": "ngày"})]),
    ("giá trị sản xuất tăng 1,7 lần so với năm 2018", []),
    ("tiêu hủy lợn tại thôn 6 xã Đăk Wer và thôn 12 xã Nhân Cơ", []),
    ("thành lập 03 tổ, mỗi tổ 5 người", [Want("count", D(3), "count", "03 tổ"),
                                         Want("count", D(5), "count", "5 người")]),
    ("bán tín chỉ các-bon 5 triệu tấn CO2", [Want("mass", D(5000000), "t", "5 triệu tấn")]),
    # trunguong 08/2026/TT-BNNMT: the text layer drops the space after a raised digit; legal comparison words
    ("hồ chứa nước có dung tích từ 500.000 m³trở lên hoặc đập", [
        Want("volume", D(500000), "m3", "từ 500.000 m³trở lên", {"qualifier": "at_least"})]),
    ("a) Miền núi: Nhỏ hơn hoặc bằng 50 ha;", [
        Want("area", D(50), "ha", "Nhỏ hơn hoặc bằng 50 ha", {"qualifier": "at_most"})]),
    ("khoảng cách giữa hai mốc liền nhau lớn hơn 1.000 m.", [
        Want("length", D(1000), "m", "lớn hơn 1.000 m", {"qualifier": "more_than"})]),
    # trunguong 443/TTCS-TTTH (scan): test samples are counted; "mẫu" alone stays a land measure
    ("Lấy mẫu máu của 15 con lợn để gộp thành 03 mẫu xét nghiệm", [
        Want("count", D(15), "count", "15 con"), Want("count", D(3), "count", "03 mẫu xét nghiệm")]),
    ("lấy ngẫu nhiên 05 mẫu sản phẩm từ lợn", [Want("count", D(5), "count", "05 mẫu sản phẩm")]),
    ("thửa ruộng rộng 3 mẫu", []),
    # daknong 42/BC-HĐND (scan): OCR of the red seal in the margin is not "1 ki" counted
    ("giai đoạn 2016-| 1 ki{\n\nỊ\n\n2020 trên địa bàn tỉnh", []),
    # sonla 153/QĐ-CT (scan): branches are counted, also as OCR reads them
    ("Phòng tài vụ; 12 chỉ nhánh và các đơn vị liên quan", [Want("count", D(12), "count", "12 chỉ nhánh")]),
    # hanoi 48/2025/NQ-HĐND: the qualifier "ước" matched inside "nước"
    ("Cả nước 331.338 km2", [Want("area", D(331338), "km2", "331.338 km2", {"qualifier": None})]),
    # camau 0204-KH-UBND: a rate must not swallow a name ("/năm/Liên hiệp HTX")
    ("thu bình quân 6,4 tỷ đồng/năm/Liên hiệp HTX", [Want("money", D(6400000000), "VND", "6,4 tỷ đồng/năm",
                                                          {"per": "năm"})]),
    # cantho 157-KH-UBND (gold by F1): scores in points are counted figures, decimals included
    ("được tính thêm 0,5 điểm", [Want("count", D("0.5"), "count", "0,5 điểm")]),
    # cantho 157-KH-UBND: a bound after the counted noun ("từ 02 địa phương trở lên")
    ("từ 02 địa phương trở lên", [Want("count", D(2), "count", "từ 02 địa phương trở lên",
                                       {"qualifier": "at_least"})]),
    # Duckling: "3M" is three million, never three metres
    ("3M", []),
    # seed: "440 m²" must not be read as 440 m (the superscript is part of the unit)
    ("hiến 440 m² đất", [Want("area", D(440), "m2", "440 m²")]),
    # seed: "14.719 km" of rural road is 14,719 km, flagged, with the convention's reading kept
    ("thực hiện bê tông 14.719 km đường giao thông nông thôn", [
        Want("length", D("14.719"), "km", "14.719 km",
             {"flags": ["ambiguous_separator"], "alt_value": D(14719)})]),
    # seed: "4000km" of canals in a district is implausible
    ("kiên cố hóa 4000km kênh mương nội đồng", [Want("length", D(4000), "km", "4000km", {"flags": ["implausible"]})]),
    # daknong 1064-STC-QLNS: a row number and the next cell, across a blank line, are not a count
    ("giải ngân 966,15\n\n2\n\nChương trình mở rộng quy mô", []),
    # daknong 216-BC-STC: "45 Quyết định mua sắm …" at a line start is a row number and a title
    ("QT-CS-13\n45 Quyết định mua sắm, thuê tài sản công", []),
    # daknong 99-BC-STC (gold by F): a part larger than its whole is still stated, and flagged
    ("cấp xã có 449/444 đơn vị triển khai", [Want("ratio", D(449), "count", "449/444 đơn vị",
                                                  {"denominator": D(444), "flags": ["implausible"]})]),
    # daknong 99-BC-STC: staff counts ("53 biên chế", "02 hợp đồng", "04 Phó trưởng phòng")
    ("có 53 biên chế, 02 hợp đồng và 04 Phó trưởng phòng", [
        Want("count", D(53), "count", "53 biên chế"), Want("count", D(2), "count", "02 hợp đồng"),
        Want("count", D(4), "count", "04 Phó trưởng phòng")]),
    # seed footnote 3: a sum "với tổng …" after a length belongs to what the length measured
    ("thắp sáng được 14,9km đường với tổng diện tích vận động là 182.000.000 đồng.", [
        Want("length", D("14.9"), "km", "14,9km", {"subject": "đường thắp sáng"}),
        Want("money", D(182000000), "VND", "182.000.000 đồng", {"subject": "đường thắp sáng"})]),
    # seed PDF: a domain word naming the actor ("hệ thống chính trị huyện đã kêu gọi") is not the domain
    ("Trong năm, hệ thống chính trị huyện đã kêu gọi ủng hộ 31,2 tấn gạo.", [
        Want("mass", D("31.2"), "t", "31,2 tấn", {"domain": None})]),
    # seed: parts that do not add up to their total are flagged
    ("Có 86 mô hình. Trong đó, kinh tế 03 mô hình; văn hóa: 74 mô hình.", [
        Want("count", D(86), "count", "86 mô hình", {"flags": ["sum_mismatch"]}),
        Want("count", D(3), "count", "03 mô hình", {"part_of": 0}),
        Want("count", D(74), "count", "74 mô hình", {"part_of": 0})]),
    # krongno 237-TB-UBND (scan): OCR drops the grave of "đồng"; after a scale word "đông" is still money
    ("Nông, lâm nghiệp đạt 4.512,3 tỷ đông, đạt 110%KH", [
        Want("money", D(4512300000000), "VND", "4.512,3 tỷ đông"), Want("percent", D(110), "percent", "110%KH")]),
    # krongno 237-TB-UBND (scan): OCR reads "%KH" with a fraction slash
    ("mẫu giáo 89%, đạt 95,7⁄KH;", [Want("percent", D(89), "percent", "89%"),
                                    Want("percent", D("95.7"), "percent", "95,7⁄KH")]),
    # krongno 237-TB-UBND: a decimal comma does not end a clause ("… 1,7 lần, đạt 100%KH" is not about "7 lần")
    ("Hệ số sử dụng đất đạt 1,7 lần, đạt 100%KH", [
        Want("percent", D(100), "percent", "100%KH", {"subject": "Hệ số sử dụng đất"})]),
    # krongno 237-TB-UBND: "Kế hoạch 55" is a document's number, "(kế hoạch 55,27%)" a planned share
    ("chiếm 18,8% (kế hoạch 19,57%)", [Want("percent", D("18.8"), "percent", "18,8%"),
                                       Want("percent", D("19.57"), "percent", "19,57%")]),
    # daknong 99-BC-STC: "xuống còn 05 phòng" names no measure, and states another figure: "phòng" both times
    ("từ 07 phòng xuống còn 05 phòng", [Want("count", D(7), "count", "từ 07 phòng", {"subject": "phòng"}),
                                        Want("count", D(5), "count", "05 phòng", {"subject": "phòng"})]),
    # daknong 99-BC-STC (gold by F): a breakdown in brackets leaves the total's noun out
    ("cấp GCN cho 7 đơn vị sử dụng ngân sách (4 trực tuyến, 3 trực tiếp), không chậm trễ", [
        Want("count", D(7), "count", "7 đơn vị"),
        Want("count", D(4), "count", "4 trực tuyến", {"part_of": 0, "subject": "đơn vị sử dụng ngân sách trực tuyến"}),
        Want("count", D(3), "count", "3 trực tiếp", {"part_of": 0, "subject": "đơn vị sử dụng ngân sách trực tiếp"})]),
    ("có 5 hộ nghèo (theo Quyết định 12, năm 2020)", [Want("count", D(5), "count", "5 hộ nghèo")]),
    # cantho 157-KH-UBND: a closed aside neither ends the clause nor pushes its head words out
    ("Tỷ lệ người hưởng trợ cấp (bao gồm người được ủy quyền nhận\nthay) nhận tiền trợ cấp không dùng tiền mặt "
     "từ 88% trở lên.", [
        Want("percent", D(88), "percent", "từ 88% trở lên", {
            "subject": "Tỷ lệ người hưởng trợ cấp nhận tiền trợ cấp không dùng tiền mặt"})]),
    ("Giá trị sản xuất (Theo giá hh) đạt 7.906,7 tỷ đồng", [
        Want("money", D(7906700000000), "VND", "7.906,7 tỷ đồng", {"subject": "Giá trị sản xuất (Theo giá hh)"})]),
    # camau 0204-KH-UBND: "3/10.200" inside "12.375,3/10.200" is no date; a wrapped line does not end the clause
    ("đã vận động Quỹ Đền ơn đáp nghĩa được\n12.375,3/10.200 triệu đồng, vượt 21,3% kế hoạch;", [
        Want("ratio", D(12375300000), "VND", "12.375,3/10.200 triệu đồng",
             {"denominator": D(10200000000), "subject": "vận động Quỹ Đền ơn đáp nghĩa"}),
        Want("percent", D("21.3"), "percent", "vượt 21,3%",
             {"subject": "vận động Quỹ Đền ơn đáp nghĩa — so với kế hoạch"})]),
    ("Tổng mức bán lẻ hàng hóa và doanh thu\ndịch vụ tiêu dùng ước cả năm 206.000 tỷ đồng.", [
        Want("money", D(206000000000000), "VND", "206.000 tỷ đồng",
             {"subject": "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng ước cả năm"})]),
    ("thu hút 20 dự án đầu\ntư mới.", [Want("count", D(20), "count", "20 dự án", {"subject": "dự án đầu tư mới"})]),
    # krongno 237-TB-UBND: the words qualifying the previous figure ("tỉnh giao") name no new measure
    ("đào tạo nghề đạt trên 105 lao động, đạt 100%KH tỉnh giao và đạt 70% kế hoạch của huyện.", [
        Want("count", D(105), "count", "trên 105 lao động", {"subject": "đào tạo nghề"}),
        Want("percent", D(100), "percent", "100%KH", {"subject": "đào tạo nghề — so với kế hoạch"}),
        Want("percent", D(70), "percent", "70%", {"subject": "đào tạo nghề — so với kế hoạch"})]),
    # krongno 237-TB-UBND p.3: a noun that says what is measured stays the subject after "đạt"
    ("Năm 2018 toàn huyện đạt 20/22 tiêu chí.", [
        Want("ratio", D(20), "count", "20/22 tiêu chí", {"subject": "tiêu chí"})]),
    # cantho 157-KH-UBND: what follows a percent may be another figure's predicate; a class name is not
    ("Đơn vị đạt tỷ lệ 100% cộng 05 điểm", [Want("percent", D(100), "percent", "100%",
                                                 {"subject": "Đơn vị đạt tỷ lệ"}),
                                          Want("count", D(5), "count", "05 điểm")]),
    ("dạy Tin học cho 100% học sinh lớp 3.", [Want("percent", D(100), "percent", "100%",
                                                   {"subject": "học sinh lớp 3"})]),
    # dakrlap 41-KL-UBND: a document's number and date in the clause are part of its name, not a value
    ("Chứng từ chuyển khoản số 86 ngày 26/12/2017 với số tiền 7.240.000 đồng", [
        Want("money", D(7240000), "VND", "7.240.000 đồng",
             {"subject": "Chứng từ chuyển khoản số 86 ngày 26/12/2017"})]),
    # daknong 216-BC-STC: "số lượng" (the quantity of) after a percent goes whole, never half
    ("Đã công khai 100% số lượng TTHC thuộc thẩm quyền.", [
        Want("percent", D(100), "percent", "100%", {"subject": "TTHC thuộc thẩm quyền"})]),
    # daknong 99-BC-STC: a plural marker after a percent is not part of what is measured
    ("Sở đã triển khai kịp thời 100% các văn bản QPPL của Trung ương.", [
        Want("percent", D(100), "percent", "100%", {"subject": "văn bản QPPL"})]),
    # dakrlap 41-KL-UBND: the breakdown may be separated by semicolons
    ("Ban giám hiệu nhà trường có 03 người (01 hiệu trưởng; 02 hiệu phó), 38 giáo viên.", [
        Want("count", D(3), "count", "03 người"),
        Want("count", D(1), "count", "01 hiệu trưởng", {"part_of": 0}),
        Want("count", D(2), "count", "02 hiệu phó", {"part_of": 0}),
        Want("count", D(38), "count", "38 giáo viên")]),
    # dakrlap 144-BC-UBND: "04 đơn - 04 vụ việc" is a dash, not minus four; a list dash neither
    ("Đối với 04 đơn - 04 vụ việc kiến nghị", [Want("count", D(4), "count", "04 đơn"),
                                                Want("count", D(4), "count", "04 vụ việc")]),
    ("- 04 vụ việc", [Want("count", D(4), "count", "04 vụ việc")]),
    # chemical formulas and "≥", "±" are not OCR noise either: the line is text
    ("Các chỉ số CO2, NO2, SO2, PM2.5, H2S, NH3, CO đều giảm 12%.", [Want("percent", D(12), "percent", "12%")]),
    # item labels and a word run into a number are not OCR noise: the line is text
    ("e) Kết quả: 04 lượt hỏi đã được trả lời, a) b) c) lần1 lần2 xong.", [
        Want("count", D(4), "count", "04 lượt")]),
    # dakrlap 144-BC-UBND (scan): OCR's "tông số" is "tổng số", not a document's "Số 04"
    ("Trong tông số 04 vụ việc tiếp nhận", [Want("count", D(4), "count", "04 vụ việc")]),
    # issue 8 (daknong HĐND 41, Thông tư 08/2026): a time or condition adjunct after a figure is never its subject
    ("Phấn đấu tỷ lệ trẻ em được tiêm chủng đầy đủ đạt 95% vào năm 2025.", [
        Want("percent", D(95), "percent", "95%", {"subject": "tỷ lệ trẻ em được tiêm chủng đầy đủ"})]),
    ("Mức hỗ trợ học phí là 70% đối với học sinh vùng khó khăn.", [
        Want("percent", D(70), "percent", "70%", {"subject": "Mức hỗ trợ học phí"})]),
    ("Bão số 3 làm ngập 1.200 ha lúa vào sáng ngày 12/9.", [
        Want("area", D(1200), "ha", "1.200 ha", {"subject": "lúa ngập"})]),
    # issue 8 (TTCS 443): a classifier counts, the noun after it names the thing; "của" (of) ties it to its owner
    ("Lấy mẫu máu của 05 con lợn để gộp thành 01 mẫu xét nghiệm.", [
        Want("count", D(5), "count", "05 con", {"subject": "lợn lấy mẫu máu"}),
        Want("count", D(1), "count", "01 mẫu xét nghiệm")]),
    ("Trạm kiểm dịch đã tiêu hủy 120 con gà nhiễm cúm.", [
        Want("count", D(120), "count", "120 con", {"subject": "gà nhiễm cúm"})]),
    # issue 8 (Thông tư 08/2026): "A có B" before a threshold names measure B of A; a modal after it is its predicate
    ("Đê bao có chiều cao trên 3 m phải được gia cố.", [
        Want("length", D(3), "m", "trên 3 m", {"subject": "chiều cao đê bao"})]),
    ("Kè chắn sóng hoặc đê biển có chiều cao trên 5 m phải được kiểm tra.", [
        Want("length", D(5), "m", "trên 5 m", {"subject": "chiều cao kè chắn sóng hoặc đê biển"})]),
    ("Trường có diện tích 2.000 m² được xây mới.", [
        Want("area", D(2000), "m2", "2.000 m²", {"subject": "diện tích trường"})]),
    # ... and "hoặc" (or) after a threshold opens the next alternative, which is not what the first measures
    ("Cầu có tải trọng từ 10 tấn trở lên hoặc cầu có chiều dài từ 100 m trở lên.", [
        Want("mass", D(10), "t", "từ 10 tấn trở lên", {"subject": "tải trọng cầu"}),
        Want("length", D(100), "m", "từ 100 m trở lên", {"subject": "chiều dài cầu"})]),
    # issue 8 (dakrlap 946): a rate of times counts the action before it, not the bare "lần"
    ("Trạm y tế phun thuốc diệt muỗi 02 lần/tuần tại các thôn có ca sốt xuất huyết.", [
        Want("count", D(2), "count", "02 lần/tuần", {"per": "tuần", "subject": "lần trạm y tế phun thuốc diệt muỗi"})]),
    # ... but "vào" with no date after it is a verb's particle, kept: "đưa vào sử dụng" (put into use)
    ("Đã bê tông hóa 12 km đường đưa vào sử dụng.", [
        Want("length", D(12), "km", "12 km", {"subject": "đường đưa vào sử dụng"})]),
]

XFAIL: list[tuple[str, list[Want], str]] = [
    ("Thu nhập hai triệu rưỡi đồng", [Want("money", D(2500000), "VND", "hai triệu rưỡi đồng")],
     "'rưỡi' (and a half) is not in the number grammar yet"),
    ("Từ 20.000 người dân trở xuống", [Want("count", D(20000), "count", "Từ 20.000 người dân trở xuống",
                                            {"qualifier": "at_most"})],
     "'trở xuống' after a counted noun phrase is not read as a bound"),
    ("Giá trị sản xuất trên 1ha canh tác đạt 75,11/77,64 triệu đồng", [
        Want("ratio", D(75110000), "VND", "75,11/77,64 triệu đồng",
             {"subject": "Giá trị sản xuất trên 1ha canh tác"})],
     "'trên 1ha' (per hectare) is read as an area figure of its own, so the clause before it is lost"),
]


@pytest.mark.parametrize(("text", "want"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples(text: str, want: list[Want]) -> None:
    _check(text, extract(text), want)


@pytest.mark.parametrize("text", NOT_FIGURES)
def test_not_figures(text: str) -> None:
    assert extract(text) == []


@pytest.mark.parametrize(("text", "want"), BUGS_CAUGHT, ids=[b[0] for b in BUGS_CAUGHT])
def test_bugs_caught(text: str, want: list[Want]) -> None:
    _check(text, extract(text), want)


@pytest.mark.parametrize(
    ("text", "want"),
    [pytest.param(t, w, marks=pytest.mark.xfail(strict=True, reason=r), id=t) for t, w, r in XFAIL],
)
def test_xfail(text: str, want: list[Want]) -> None:
    _check(text, extract(text), want)


def test_sentences_never_cross_blank_lines() -> None:
    text = "Có 5 hộ\n\nvà 6 hộ. Sau đó 7 hộ."
    spans = sentence_spans(text)
    assert all("\n\n" not in text[s:e] for s, e in spans)
    assert [f.sentence for f in extract(text)] == ["Có 5 hộ", "và 6 hộ.", "Sau đó 7 hộ."]


def test_footnote_figures_are_marked() -> None:
    text = "Mô hình thắp sáng đường quê³.\n\n³ Mô hình do xã Bình Minh phát động thắp sáng được 14,9km đường."
    (fig,) = extract(text)
    assert "in_footnote" in fig.flags and fig.place == "xã Bình Minh"


PARSE_QUANTITY = [
    ("ba mươi ba", "number", D(33), None),
    ("10.000 đồng", "money", D(10000), "VND"),
    ("2 triệu 500 nghìn đồng", "money", D(2500000), "VND"),
    ("5 triệu USD", "money", D(5000000), "USD"),
    ("hơn 2 tỷ", "money", D(2000000000), "VND"),
    ("86 mô hình", "count", D(86), "count"),
    ("16/21 xã", "ratio", D(16), "count"),
    ("62.372/52.786 ha", "ratio", D(62372), "ha"),
]


@pytest.mark.parametrize(("text", "kind", "value", "unit"), PARSE_QUANTITY, ids=[p[0] for p in PARSE_QUANTITY])
def test_parse_quantity(text: str, kind: str, value: Decimal, unit: str | None) -> None:
    q = parse_quantity(text)
    assert q is not None and (q.kind, q.value, q.unit) == (kind, value, unit)


def test_parse_quantity_range() -> None:
    q = parse_quantity("từ 5 đến 10 triệu đồng")
    assert q is not None and (q.value, q.min, q.max, q.unit) == (None, D(5000000), D(10000000), "VND")


def test_parse_quantity_refuses_non_quantities() -> None:
    assert parse_quantity("Covid-19 kéo dài") is None
    assert parse_quantity("") is None
