"""Reporting periods and plan/actual, from titles, table columns and the words before a figure."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.period import Period, document_period, figure_period, measure, parse_period, previous_year

D = dt.date

#: (text, label, start, end): the period a title or header names.
EXAMPLES = [
    ("Báo cáo kết quả tiếp công dân tháng 5/2019", "tháng 5/2019", D(2019, 5, 1), D(2019, 5, 31)),
    ("kết quả tháng 02 năm 2020", "tháng 2/2020", D(2020, 2, 1), D(2020, 2, 29)),
    ("Công khai dự toán ngân sách Quý II/2019", "Quý II/2019", D(2019, 4, 1), D(2019, 6, 30)),
    ("quý 1 năm 2019", "Quý I/2019", D(2019, 1, 1), D(2019, 3, 31)),
    ("Báo cáo CCHC 6 tháng đầu năm 2019", "6 tháng đầu năm 2019", D(2019, 1, 1), D(2019, 6, 30)),
    ("nhiệm vụ 6 tháng cuối năm 2019", "6 tháng cuối năm 2019", D(2019, 7, 1), D(2019, 12, 31)),
    ("kết quả 9 tháng năm 2019", "9 tháng đầu năm 2019", D(2019, 1, 1), D(2019, 9, 30)),
    ("phong trào thi đua “Dân vận khéo” năm 2021", "năm 2021", D(2021, 1, 1), D(2021, 12, 31)),
    ("Kế hoạch xuất khẩu giai đoạn 2026–2030", "giai đoạn 2026–2030", D(2026, 1, 1), D(2030, 12, 31)),
    ("kế hoạch tài chính 2026-2028", "giai đoạn 2026–2028", D(2026, 1, 1), D(2028, 12, 31)),
    # Found on corpus/public (Cà Mau 0204/KH-UBND): "năm" before a range once gave "năm 2026".
    ("KẾ HOẠCH TÀI CHÍNH - NGÂN SÁCH NHÀ NƯỚC 03 NĂM 2026 - 2028", "giai đoạn 2026–2028", D(2026, 1, 1), D(2028, 12, 31)),
    ("nhiệm kỳ 2020 - 2025", "nhiệm kỳ 2020–2025", D(2020, 1, 1), D(2025, 12, 31)),
]

#: Texts that name no period: dates, document numbers, numbers that look like years.
NOT_PERIODS = [
    "ngày 06 tháng 5 năm 2019",          # a date, not the month or year it falls in
    "Số 374-BC/HU",                      # a document number
    "Nghị quyết số 48/2025/NQ-HĐND",     # a year inside a document number
    "huy động 2019 ngày công",           # a number, not a year
    "từ 2.019 đến 2.030 người",          # numbers with thousands dots
]


@pytest.mark.parametrize(("text", "label", "start", "end"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_period_a_title_names(text: str, label: str, start: dt.date, end: dt.date) -> None:
    assert parse_period(text) == Period(label, start, end)


@pytest.mark.parametrize("text", NOT_PERIODS, ids=NOT_PERIODS)
def test_no_period_in(text: str) -> None:
    assert parse_period(text) is None


def test_a_document_period_comes_from_the_title_before_the_text() -> None:
    head = "Thực hiện Kế hoạch giai đoạn 2021-2025 ... năm 2021"
    assert document_period("kết quả 6 tháng đầu năm 2019", head).label == "6 tháng đầu năm 2019"  # type: ignore[union-attr]
    assert document_period(None, head).label == "giai đoạn 2021–2025"  # type: ignore[union-attr]
    assert document_period(None, "không có kỳ nào") is None


Y2019 = Period("năm 2019", D(2019, 1, 1), D(2019, 12, 31))

#: (column, words before the figure, label of its period) in a report about 2019.
FIGURE_PERIODS = [
    ("Năm 2027", None, "năm 2027"),
    ("KH 2019", None, "năm 2019"),
    ("TH 2018", None, "năm 2018"),
    ("Ước TH 2019", None, "năm 2019"),
    ("Quý I/2019", None, "Quý I/2019"),
    (None, "Năm 2020, toàn huyện huy động ", "năm 2020"),
    (None, "so với cùng kỳ năm trước là ", "năm 2018"),
    (None, "Trong năm 2018 đạt 10 tỷ; năm nay đạt ", "năm 2019"),   # another sentence part: the report's own
    (None, "toàn huyện huy động ", "năm 2019"),
    ("Đơn vị tính", None, "năm 2019"),
]


@pytest.mark.parametrize(("column", "left", "label"), FIGURE_PERIODS, ids=[str(f[0] or f[1]) for f in FIGURE_PERIODS])
def test_the_period_a_figure_is_about(column: str | None, left: str | None, label: str) -> None:
    p = figure_period(column, left, Y2019)
    assert p is not None and p.label == label


#: (column, row, words before the figure, measure)
MEASURES = [
    ("KH 2019", None, None, "plan"),
    ("Kế hoạch năm 2019", None, None, "plan"),
    ("Dự toán năm 2019", None, None, "plan"),
    ("Chỉ tiêu", None, None, "plan"),
    ("TH 2018", None, None, "actual"),
    ("Thực hiện năm 2018", None, None, "actual"),
    ("Ước TH 2019", None, None, "actual"),
    ("Ước thực hiện 2019", None, None, "actual"),
    ("Năm 2019", "Thu ngân sách", None, None),
    (None, None, "kế hoạch giao 500 triệu đồng, thực hiện ", "actual"),
    (None, None, "phấn đấu đến cuối năm đạt ", "plan"),
    (None, None, "Thực hiện chỉ đạo của Huyện ủy, các cơ quan đã xây dựng được ", None),  # too far away
    (None, None, "xây dựng kế hoạch và làm việc với Đảng ủy ", None),                    # too far away
    (None, None, "toàn huyện đã xây dựng được ", None),
]


@pytest.mark.parametrize(("column", "row", "left", "want"), MEASURES, ids=[str(m[0] or m[2]) for m in MEASURES])
def test_plan_or_actual(column: str | None, row: str | None, left: str | None, want: str | None) -> None:
    assert measure(column, row, left) == want


def test_previous_year_keeps_the_kind_of_period() -> None:
    assert previous_year(parse_period("Quý II/2020")) == Period("Quý II/2019", D(2019, 4, 1), D(2019, 6, 30))  # type: ignore[arg-type]
    assert previous_year(parse_period("tháng 2/2020")).end == D(2019, 2, 28)  # type: ignore[arg-type]
