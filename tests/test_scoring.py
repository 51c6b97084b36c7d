"""The gold scorer's subject tests: a subject names the thing counted, not only its counted noun."""

from __future__ import annotations

import pytest

from solieu.evaluate import score_cells, subject_names_thing, subject_ok

#: (gold subject, predicted subject, names the thing?, lenient test passes?)
EXAMPLES = [
    ("lượt tiếp công dân", "lượt tiếp công dân", True, True),
    ("lượt tiếp công dân", "lượt", False, True),
    ("xã đạt chuẩn nông thôn mới", "xã", False, True),
    ("xã đạt chuẩn nông thôn mới", "xã đạt chuẩn", True, True),
    ("xã đạt chuẩn nông thôn mới", "xã đạt chuẩn nông thôn mới trên địa bàn huyện", True, True),
    ("tổng thu NSNN trên địa bàn tăng so với cùng kỳ", "tăng", False, True),
    ("mô hình", "mô hình", True, True),
    ("mô hình", "mô hình dân vận khéo", True, True),
    ("hộ", "hộ nghèo", True, True),
    ("đất hiến", "đất", False, True),
    ("cột điện", "trường học", False, False),
    ("cột điện", None, False, False),
]


@pytest.mark.parametrize(("gold", "pred", "named", "lenient"), EXAMPLES,
                         ids=[f"{g}|{p}" for g, p, _, _ in EXAMPLES])
def test_subject_names_the_thing_counted(gold: str, pred: str | None, named: bool, lenient: bool) -> None:
    assert subject_names_thing(gold, pred) is named
    assert subject_ok(gold, pred) is lenient


def test_cells_outside_the_gold_pages_do_not_count() -> None:
    gold = {"pages": [2], "cells": [{"id": 1, "surface": "5", "page": 2, "value": 5, "unit": "count",
                                     "row": "Trường", "column": "Số lượng"}]}
    preds = [
        {"source": "table", "page": 1, "value": 5, "unit": "count", "row": "x", "column": "y", "table_id": "t1"},
        {"source": "table", "page": 2, "value": 5, "unit": "count", "row": "Trường", "column": "Số lượng",
         "table_id": "t2"},
        {"source": "table", "page": 1, "value": 7, "unit": "count", "row": "x", "column": "y", "table_id": "t2"},
    ]
    report = score_cells(gold, preds)
    assert (report["tp"], report["fp"], report["fn"]) == (1, 0, 0)
    assert report["row_accuracy"] == 1.0
