"""extract() with a document structure: sections, domains from headings, footnotes, tables left to pipeline.tables."""

from __future__ import annotations

from decimal import Decimal

from extractors.figures import extract
from pipeline.model import Block, Structure

HEAD1 = "III. Kết quả thực hiện"
HEAD2 = "2.2. Lĩnh vực văn hóa - xã hội"
BODY = "Nhân dân đóng góp 979 ngày công."
TABLE = "STT | Chỉ tiêu | Thực hiện\n1 | Đường | 12 km"
NOTE = "³ Mô hình thắp sáng được 14,9km đường."


def _doc() -> tuple[str, Structure]:
    parts = [HEAD1, HEAD2, BODY, TABLE, NOTE]
    text = "\n\n".join(parts)
    starts = [text.index(p) for p in parts]
    blocks = [
        Block("heading", starts[0], starts[0] + len(HEAD1), level=1, label="III", title="Kết quả thực hiện"),
        Block("heading", starts[1], starts[1] + len(HEAD2), level=3, label="2.2", title="Lĩnh vực văn hóa - xã hội"),
        Block("paragraph", starts[2], starts[2] + len(BODY)),
        Block("table", starts[3], starts[3] + len(TABLE)),
        Block("footnote", starts[4], starts[4] + len(NOTE), footnote="3"),
    ]
    return text, Structure(blocks)


def test_section_domain_and_footnote_come_from_the_layout() -> None:
    text, layout = _doc()
    labour, note = extract(text, layout)
    assert (labour.kind, labour.value) == ("labour", Decimal(979))
    assert labour.section == "III > 2.2 Lĩnh vực văn hóa - xã hội"
    assert labour.domain == "văn hóa - xã hội"
    assert "in_footnote" not in labour.flags
    assert (note.kind, note.value, note.unit) == ("length", Decimal("14.9"), "km")
    assert "in_footnote" in note.flags


def test_table_cells_are_skipped() -> None:
    text, layout = _doc()
    assert all(f.raw != "12 km" for f in extract(text, layout))
    assert any(f.raw == "12 km" for f in extract(text))   # without a layout the prose reader sees it
