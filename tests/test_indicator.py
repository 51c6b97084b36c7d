"""Figures matched to the shared indicators of extractors/data/vi/indicators.yaml."""

from __future__ import annotations

import pytest

from extractors.indicator import CONFIDENCE, by_id, indicators, match_indicator
from extractors.vocab import DATA_DIR

#: (kind, subject, row label, words before the figure) -> (indicator id, where it was found)
EXAMPLES = [
    ("count", "mô hình", None, None, "dan_van_kheo_models", "subject"),
    ("count", "mô hình, điển hình “Dân vận khéo”", None, None, "dan_van_kheo_models", "subject"),
    ("length", "đường giao thông nông thôn", None, None, "rural_roads", "subject"),
    ("length", "km đường bê tông", None, None, "rural_roads", "subject"),
    ("money", None, None, "Nhân dân đóng góp ", "funds_mobilised", "left"),
    ("money", "làm đường giao thông nông thôn", None, "vận động Nhân dân đóng góp ", "funds_mobilised", "left"),
    ("labour", "ngày công", None, None, "workdays_mobilised", "subject"),
    ("count", "lượt", None, "đã tiếp ", "citizen_receptions", "subject"),
    ("count", "lượt công dân", None, None, "citizen_receptions", "subject"),
    ("count", "đơn thư khiếu nại, tố cáo", None, None, "petitions", "subject"),
    ("count", "thủ tục hành chính", None, None, "admin_procedures", "subject"),
    ("money", None, "Tổng thu ngân sách nhà nước trên địa bàn", None, "budget_revenue", "row"),
    ("money", None, "Chi ngân sách địa phương", None, "budget_expenditure", "row"),
    ("mass", None, "Sản lượng lương thực có hạt", None, "food_output", "row"),
    ("area", None, "Diện tích gieo trồng cây hằng năm", None, "sown_area", "row"),
    ("percent", "hộ nghèo", None, None, "poor_households", "subject"),
    ("percent", None, None, "tỷ lệ hộ nghèo giảm còn ", "poor_households", "left"),
]

#: Figures that fit no indicator stay unmatched.
UNMATCHED = [
    ("count", "tổ hòa giải", None, "toàn huyện có "),            # a count noun that names no indicator
    ("count", "chi, đảng bộ", None, "mô hình của "),             # counted thing given: the words before do not count
    ("money", None, None, "Thực hiện Công văn; "),
    ("mass", "mô hình", None, None),                             # the phrase fits, the kind does not
]


@pytest.mark.parametrize(("kind", "subject", "row", "left", "want", "where"), EXAMPLES,
                         ids=[str(e[1] or e[2] or e[3]) for e in EXAMPLES])
def test_matches(kind: str, subject: str | None, row: str | None, left: str | None, want: str, where: str) -> None:
    assert match_indicator(kind, subject, row, left) == (want, CONFIDENCE[where])


@pytest.mark.parametrize(("kind", "subject", "row", "left"), UNMATCHED, ids=[str(u[1] or u[3]) for u in UNMATCHED])
def test_unmatched(kind: str, subject: str | None, row: str | None, left: str | None) -> None:
    assert match_indicator(kind, subject, row, left) is None


def test_vocabulary_is_one_commented_line_per_indicator() -> None:
    lines = [x for x in (DATA_DIR / "indicators.yaml").read_text(encoding="utf-8").splitlines()
             if x.startswith("- ")]
    assert len(lines) == len(indicators()) >= 15
    assert all("#" in x.split("}")[-1] for x in lines), "every entry needs a comment after it"
    assert len({i.id for i in indicators()}) == len(indicators())


def test_by_id_takes_the_id_or_the_vietnamese_name() -> None:
    assert by_id("funds_mobilised") == by_id("Kinh phí huy động")
    assert by_id("nothing") is None
