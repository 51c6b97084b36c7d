"""Figures from table cells: each numeric cell with its row label, column header and unit multiplied out.

    from extractors.table import table_figures, link_restated
    figs = table_figures(span, doc.text)          # span: extractors.table_model.TableSpan

Units come, in this order, from a "%" in the cell, a percent column ("So sánh %", "Tỷ lệ"), the column
header's own unit ("Thành tiền (đồng)"), the row's ĐVT cell, then the "Đơn vị tính: …" line above the table.
Row totals ("Tổng cộng", a parent "III" over its "1", "2") and column totals ("Tổng" under a merged header)
are checked; a total its parts do not add up to carries `sum_mismatch`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.chars import SUPERSCRIPT_DIGITS
from extractors.model import Figure
from extractors.numbers import parse_number
from extractors.table_model import HEADER_JOIN, TableSpan, is_header_in, is_numbering_row, is_numeric_text
from extractors.units import UnitSpec, parse_unit
from extractors.vocab import table_vocabulary, vocabulary

_NUM = r"[+\-−]?\d[\d.,]*"
_CELL_RE = re.compile(
    rf"""^\s*(?P<lo>{_NUM})                 # the number (or a range's low end)
         (?:\s*[-–÷]\s*(?P<hi>{_NUM}))?      # "1-1,5": a range
         \s*(?P<pct>%)?\s*$                  # a percent sign in the cell itself
    """,
    re.VERBOSE,
)
_RATIO_RE = re.compile(r"^(\d{1,4})\s*/\s*(\d{1,4})$")   # "46/46" đơn vị: a part of a whole
_VN_CONVENTION_RE = re.compile(r"\d\.\d{3}\.\d{3}|\d\.\d{3},\d|\d,\d{1,2}(?!\d)|\d,\d{4,}")


@dataclass(frozen=True)
class _Reading:
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    percent: bool
    ambiguous: bool
    alt: Decimal | None
    number: str          # the numeric surface text, to find in doc.text
    decimals: int
    denominator: Decimal | None = None   # "46/46": a ratio


def _decimals(s: str) -> int:
    m = re.search(r",(\d+)$", s)
    return len(m.group(1)) if m else 0


def _read_cell(text: str, vn_convention: bool) -> _Reading | None:
    """Read a cell that is a number, a percentage or a range; None for anything else."""
    t = " ".join(text.replace("*", " ").split())
    if re.fullmatch(rf"10[{SUPERSCRIPT_DIGITS}]+", t):
        return None                                          # "10⁶": a power of ten, a unit's factor
    t = re.sub(rf"(?<=\d)[{SUPERSCRIPT_DIGITS}]+$", "", t)   # "105¹": a footnote marker after the value
    ratio = _RATIO_RE.match(t)
    if ratio:
        a, b = parse_number(ratio.group(1)), parse_number(ratio.group(2))
        if a is None or b is None or b.value == 0:
            return None
        return _Reading(a.value, None, None, False, False, None, t, 0, denominator=b.value)
    m = _CELL_RE.match(t)
    if m is None:
        return None
    lo = parse_number(m.group("lo").replace("−", "-"))
    hi = parse_number(m.group("hi").replace("−", "-")) if m.group("hi") else None
    if lo is None or (m.group("hi") and hi is None):
        return None
    ambiguous = lo.ambiguous or (hi is not None and hi.ambiguous)
    # within a table that shows the Vietnamese convention ("1.144,30", "10.367.700"), "161.773" is thousands
    if ambiguous and vn_convention and re.fullmatch(r"\d{1,3}(?:\.\d{3})+|\d+,\d+", m.group("lo")):
        ambiguous = hi is not None and hi.ambiguous
    if hi is not None:
        return _Reading(None, lo.value, hi.value, bool(m.group("pct")), ambiguous, None, t, 0)
    return _Reading(lo.value, None, None, bool(m.group("pct")), ambiguous,
                    lo.alt_value if ambiguous else None, t, _decimals(m.group("lo")))


def _vn_convention(span: TableSpan) -> bool:
    """Say whether the table shows that dots group thousands (so "72.250" is not 72,25)."""
    cells = [cell for row in span.table.rows[span.header_rows:] for cell in row if cell]
    if any(_VN_CONVENTION_RE.search(cell) for cell in cells):
        return True
    # every dot followed by exactly three digits, several times over: thousands groups
    grouped = sum(len(re.findall(r"\d\.\d{3}(?!\d)", cell)) for cell in cells)
    other = sum(len(re.findall(r"\d\.(?:\d{1,2}|\d{4,})(?!\d)", cell)) for cell in cells)
    return grouped >= 3 and other == 0


_DOC_CONVENTION_RE = re.compile(r"\d{1,3}\.\d{3}\.\d{3}(?!\d)|\d\.\d{3},\d")


def _stt(span: TableSpan, r: int) -> str:
    row = span.table.rows[r]
    if span.stt_col is None or span.stt_col >= len(row):
        return ""
    return (row[span.stt_col] or "").strip()


def _label(s: str | None) -> str | None:
    if not s:
        return None
    s = re.sub(r"^[\s|]*[-+•–~]?\s*", "", s).strip()
    return s or None


def _label_unit(label: str | None) -> UnitSpec | None:
    """Return the unit a row label states at its end: "… vay tối đa (%)", "Diện tích (ha)"."""
    m = re.search(r"\(([^()]*)\)\s*:?\s*$", label or "")
    return parse_unit(m.group(1)) if m else None


# Kinds a header may state bare ("Tr.đồng", "Nghìn đồng", "1.000 tấn") without brackets: a bare "người" or
# "tháng" in a header names what is counted or when ("Thực hiện 03 tháng"), not the unit of the cells.
_BARE_HEADER_KINDS = {"money", "mass", "area", "volume", "length"}


def _column_unit(parts: list[str]) -> tuple[UnitSpec | None, bool]:
    """Return the unit a column header states (and whether it is a percent column).

    "Thành tiền (đồng)", "Tiền (Tr.đ)", "Kinh phí Tr.đồng", or a header row of its own: "Số tiền | Nghìn đồng".
    """
    v = table_vocabulary()
    percent = any("%" in p or is_header_in(p, v.percent_headers, prefix=True) for p in parts)
    if percent:
        return UnitSpec("percent", "percent", 1), True
    for p in reversed(parts):
        for inner in re.findall(r"\(([^()]*)\)", p):
            spec = parse_unit(inner)
            if spec is not None:
                return spec, False
    for p in reversed(parts):
        words = p.replace("(", " ").replace(")", " ").split()
        # the whole header part, then its last three, two, one words: "Kinh phí Tr.đồng"
        for k in (len(words), 3, 2, 1):
            if 0 < k <= len(words):
                if k == 1 < len(words) and words[-1].isalpha():
                    continue              # "Nhi đồng", "Hợp đồng": a plain last syllable ends a word, not a unit
                spec = parse_unit(" ".join(words[-k:]))
                if spec is not None and spec.kind in _BARE_HEADER_KINDS:
                    return spec, False
    return None, False


#: Longest caption line above a table that names the rows of a table without row labels, in words.
MAX_CAPTION_WORDS = 15


def _caption_before(text: str, start: int) -> str | None:
    """Return the line just above a table, its numbering and colon dropped: "1. Báo cáo số liệu tổ chức:".

    A table without row labels (one row of totals) has its row named by that caption.
    """
    line_start = max(0, text.rfind("\n", 0, start))    # the table's first line, however its cells start
    before = text[max(0, line_start - 400):line_start].rstrip()
    line = before[before.rfind("\n") + 1:].strip()
    line = re.sub(r"^(?:[IVX]+|\d{1,2}(?:\.\d{1,2})*|[a-zđ])[.)]\s*", "", line).strip(" :*")
    if not line or "|" in line or len(line.split()) > MAX_CAPTION_WORDS:
        return None
    return line


def _header_subject(parts: list[str]) -> str | None:
    """Return what a cell of a row without a label counts: its column header less the measure head.

    "Tổng số học sinh | Đội viên" -> "học sinh Đội viên" (a one-row table of totals has no row labels).
    """
    words = " ".join(p for p in parts if p).split()
    heads = sorted(vocabulary().measure_heads, key=len, reverse=True)
    changed = True
    while changed and words:
        changed = False
        for h in heads:
            n = len(h.split())
            if len(words) > n and " ".join(words[:n]).lower() == h:
                words, changed = words[n:], True
                break
    return " ".join(words) or None


def _is_non_value_column(parts: list[str]) -> bool:
    v = table_vocabulary()
    return bool(parts) and is_header_in(parts[-1], v.non_value_headers)


def _scale(d: Decimal | None, factor: Decimal | int) -> Decimal | None:
    if d is None:
        return None
    out = d * factor
    # exact and readable: 161773 triệu -> 161773000000, not 1.61773E+11
    return out.quantize(Decimal(1)) if out == out.to_integral_value() else out.normalize()


def _locate(text: str, cell_span: tuple[int, int] | None, number: str) -> tuple[int, int] | None:
    """Find the cell's numeric text inside its span of doc.text."""
    if cell_span is None:
        return None
    s, e = cell_span
    pat = re.compile(r"\s*".join(re.escape(ch) for ch in number.replace(" ", "")))
    m = pat.search(text, s, e)
    return (m.start(), m.end()) if m else None


def table_figures(span: TableSpan, text: str) -> list[Figure]:
    """Return one Figure per numeric cell of a located table, totals checked."""
    t = span.table
    vn = _vn_convention(span) or bool(_DOC_CONVENTION_RE.search(text))
    figs: list[Figure] = []
    prev_unit: UnitSpec | None = None
    paths = row_paths(span)
    at: dict[tuple[int, int], int] = {}
    readings: dict[tuple[int, int], _Reading] = {}
    caption = _caption_before(text, span.start) if span.label_col is None else None
    for r in range(t.header_rows, len(t.rows)):
        row = t.rows[r]
        if r in span.numbering_rows or (r <= t.header_rows + 1 and is_numbering_row(row)):
            continue                          # "A | B | 1 | 2=3+4": the numbers of the columns, not figures
        label = _label(span.row_label(r))
        row_unit: UnitSpec | None = None
        row_unit_unread = False
        if span.unit_col is not None and span.unit_col < len(row):
            if row[span.unit_col]:
                row_unit = parse_unit(row[span.unit_col] or "")
                # a unit written in the row but not understood ("TẾ đồng"): the table-wide unit is not the row's
                row_unit_unread = row_unit is None and not is_numeric_text(row[span.unit_col])
            elif label and (label.lower().startswith("trong đó") or not _stt(span, r)):
                row_unit = prev_unit          # "Trong đó: …" rows share the unit of the row above
            prev_unit = row_unit
        page = span.row_pages[r] if r < len(span.row_pages) else t.page
        label_unit = _label_unit(label)
        for c, cell in enumerate(row):
            if cell is None or c in (span.stt_col, span.label_col, span.unit_col):
                continue
            parts = span.column_parts_of(r, c) if c < len(span.column_parts) else []
            header = HEADER_JOIN.join(parts)
            if _is_non_value_column(parts):
                continue
            reading = _read_cell(cell, vn)
            if reading is None:
                continue
            where = _locate(text, span.cell_spans[r][c], reading.number)
            if where is None:
                continue
            col_unit, percent_col = _column_unit(parts)
            flags = ["in_table"]
            unit: UnitSpec | None
            if reading.percent:
                unit = UnitSpec("percent", "percent", 1)
            elif percent_col:
                unit = col_unit
                flags.append("unit_from_header")
            elif label_unit is not None:
                unit = label_unit           # "Tỷ lệ … so với mức dư nợ vay tối đa (%)"
                flags.append("unit_from_header")
            elif col_unit is not None:
                unit = col_unit
                flags.append("unit_from_header")
            elif row_unit is not None:
                unit = row_unit
                flags.append("unit_from_header")
            elif not row_unit_unread and span.unit and (unit := parse_unit(span.unit)) is not None:
                flags.append("unit_from_header")
            else:
                unit = None
            if unit is None:
                unit = UnitSpec("count", "count", 1)
            if reading.denominator is not None:
                unit = UnitSpec("ratio", "count", 1)
                flags = [f for f in flags if f != "unit_from_header"]
            if reading.ambiguous:
                flags.append("ambiguous_separator")
            raw = text[where[0]:where[1]]
            fig = Figure(
                kind=unit.kind, value=_scale(reading.value, unit.factor), unit=unit.unit, raw=raw,
                char_start=where[0], char_end=where[1],
                min=_scale(reading.low, unit.factor), max=_scale(reading.high, unit.factor), per=unit.per,
                denominator=reading.denominator,
                subject=label or _header_subject(parts), sentence=paths.get(r) or label, page=page, source="table",
                flags=flags,
                alt_value=_scale(reading.alt, unit.factor), table_id=t.table_id, row=label or caption,
                column=header or None,
            )
            at[(r, c)] = len(figs)
            readings[(r, c)] = reading
            figs.append(fig)
    _check_totals(span, figs, at, readings)
    _check_rows(figs, at, readings)
    return figs


#: A value this many times its row's other values (or this fraction of them) is out of line: a decimal comma
#: read as a thousands dot ("168.604" among "138,197 … 168,604") is 1000x, a lost scale word 1000x or 1e6x.
ROW_OUTLIER_RATIO = Decimal(300)


def _check_rows(figs: list[Figure], at: dict[tuple[int, int], int], readings: dict[tuple[int, int], _Reading]) -> None:
    """Flag a value ~1000x (or 1/1000) the other values of its row in the same unit: `implausible`, with the reason."""
    by_row: dict[int, list[tuple[int, int]]] = {}
    for (r, c) in at:
        by_row.setdefault(r, []).append((r, c))
    for cells in by_row.values():
        vals = [(k, figs[at[k]]) for k in cells if readings[k].value and figs[at[k]].unit not in ("percent", None)]
        for k, f in vals:
            others = [g for q, g in vals if q != k and g.unit == f.unit and g.kind == f.kind]
            if len(others) < 2 or f.value is None:
                continue
            ovals = sorted(abs(g.value) for g in others if g.value is not None)
            if not ovals or ovals[0] == 0 or ovals[-1] / ovals[0] > 10:
                continue                  # the row's other values disagree among themselves: no yardstick
            mid = ovals[len(ovals) // 2]
            ratio = abs(f.value) / mid
            if ratio >= ROW_OUTLIER_RATIO or ratio <= 1 / ROW_OUTLIER_RATIO:
                f.add_flag("implausible")
                times = f"{ratio:.0f}x" if ratio >= 1 else f"1/{1 / ratio:.0f}"
                f.reasons["implausible"] = (
                    f"{times} the other {len(others)} values of its row ({', '.join(g.raw for g in others[:4])}); "
                    "a decimal comma read as a thousands dot, or a unit or scale word lost?")


# --------------------------------------------------------------------------------------------------
# Totals

_ROMAN = set("IVXLCDM")


def _stt_class(s: str, prev_letter: str | None) -> str | None:
    s = s.strip().rstrip(".)")
    if not s:
        return None
    if re.fullmatch(r"\d+", s):
        return "arabic"
    if re.fullmatch(r"\d+(?:\.\d+)+", s):
        return f"dotted{s.count('.')}"
    if re.fullmatch(r"[IVXLC]+", s) and not (len(s) == 1 and prev_letter and ord(s) == ord(prev_letter) + 1):
        return "roman"
    if re.fullmatch(r"[A-ZĐ]", s):
        return "upper"
    if re.fullmatch(r"[a-zđ]", s):
        return "lower"
    return None


def _row_levels(span: TableSpan) -> dict[int, int]:
    """Return the nesting level of each data row with an ordinal (A > I > 1 > 1.1 > a, by first use)."""
    t = span.table
    order: list[str] = []
    levels: dict[int, int] = {}
    prev_letter: str | None = None
    if span.stt_col is None:
        return levels
    for r in range(t.header_rows, len(t.rows)):
        cell = t.rows[r][span.stt_col] if span.stt_col < len(t.rows[r]) else None
        cls = _stt_class(cell or "", prev_letter)
        if cls is None:
            # bullets, in the ordinal column or leading the label: "- Số học sinh", "+ Học sinh bán trú"
            label = t.rows[r][span.label_col] if span.label_col is not None else None
            mark = (cell or "").strip() or (label or "").strip()[:1]
            if mark not in ("-", "+", "•", "–"):
                continue
            cls = "bullet" + mark
        if cls == "upper":
            prev_letter = (cell or "").strip().rstrip(".)")
        if cls not in order:
            order.append(cls)
        levels[r] = order.index(cls) + 1
    return levels


def row_paths(span: TableSpan) -> dict[int, str]:
    """Return each data row's path through its parent rows: "13 Y tế > Số đối tượng mua BHYT > Người …".

    Parents are rows with a higher-level ordinal, and unnumbered rows that only carry a label
    ("Trong đó:", "Số đối tượng mua BHYT") over the rows below them.
    """
    t = span.table
    levels = _row_levels(span)
    stack: list[tuple[float, str]] = []
    out: dict[int, str] = {}
    prev: tuple[float, str] | None = None
    for r in range(t.header_rows, len(t.rows)):
        label = (_label(span.row_label(r)) or "").rstrip(" :")
        stt = _stt(span, r)
        row = t.rows[r]
        has_values = any(cell and c not in (span.stt_col, span.label_col, span.unit_col)
                         and _read_cell(cell, True) is not None for c, cell in enumerate(row))
        if _is_total(label, bool(stt)):
            stack, prev = [], None
            out[r] = label
            continue
        if label.lower().startswith("trong đó") and prev is not None and (not stack or stack[-1] != prev):
            stack.append(prev)            # "Trong đó" breaks down the row just above
        if r in levels:
            level: float = levels[r]
            while stack and stack[-1][0] >= level:
                stack.pop()
            own = f"{stt} {label}".strip()
        else:
            level = (stack[-1][0] if stack else 0) + 0.5
            if stack and stack[-1][0] % 1 and not has_values and not label.lower().startswith("trong đó"):
                stack.pop()               # a label-only row after another: siblings, not nested
                level = (stack[-1][0] if stack else 0) + 0.5
            own = label
        out[r] = " > ".join([text for _, text in stack] + ([own] if own else []))
        if r in levels or not has_values:
            stack.append((level, own))
            prev = None
        else:
            prev = (level, own)
    return out


def _is_total(label: str | None, has_stt: bool) -> bool:
    if not label:
        return False
    key = " ".join(unicodedata.normalize("NFC", label).lower().split())
    words = table_vocabulary().total_labels
    if key.rstrip(" :") in words:
        return True
    return not has_stt and any(key.startswith(w + " ") for w in words) and (
        "+" in key or key.startswith(("tổng cộng", "tổng số", "cộng"))
    )


def _sum_ok(figs: list[Figure], readings: dict[tuple[int, int], _Reading], at: dict[tuple[int, int], int],
            total: tuple[int, int], parts: list[tuple[int, int]]) -> bool | None:
    """Say whether the parts add up to the total (None when there is nothing to compare)."""
    if total not in at:
        return None
    tfig = figs[at[total]]
    tread = readings[total]
    if tread.value is None or tread.percent or tfig.unit == "percent":
        return None
    values = []
    for p in parts:
        if p in at:
            f, rd = figs[at[p]], readings[p]
            if rd.value is None or f.unit != tfig.unit or f.kind != tfig.kind:
                return None
            values.append(rd.value)
    if len(values) < 2:
        return None     # one part shown: often a highlight ("trong đó"), not the whole breakdown
    # within one unit of the total's last printed digit: rounded parts ("966,15" + "1.200,00" = "2.166")
    tolerance = Decimal(1).scaleb(-tread.decimals)
    return abs(sum(values, Decimal(0)) - tread.value) <= tolerance


def _check_relation(figs: list[Figure], readings: dict[tuple[int, int], _Reading],
                    at: dict[tuple[int, int], int], checks: list[tuple[tuple[int, int], list[tuple[int, int]]]]) -> None:
    """Flag the totals whose parts disagree, when the same relation holds elsewhere in the table.

    A relation that fails everywhere is a misread of the table's structure ("A" = "I" + "B"), not a
    mismatch in the document, so it flags nothing.
    """
    results = [(total, _sum_ok(figs, readings, at, total, parts)) for total, parts in checks]
    # evidence that the relation holds: a non-zero total its parts add up to
    if not any(ok and readings[total].value for total, ok in results):
        return
    for total, ok in results:
        if ok is False:
            figs[at[total]].add_flag("sum_mismatch")


def _check_totals(span: TableSpan, figs: list[Figure], at: dict[tuple[int, int], int],
                  readings: dict[tuple[int, int], _Reading]) -> None:
    t = span.table
    levels = _row_levels(span)
    cols = sorted({c for _, c in at})
    data_rows = list(range(t.header_rows, len(t.rows)))
    # parents over children: "III" = "1" + "2"
    for r, lvl in levels.items():
        children = []
        for q in data_rows:
            if q <= r:
                continue
            ql = levels.get(q)
            if ql is None:
                continue
            if ql <= lvl:
                break
            if ql == lvl + 1:
                children.append(q)
        if children:
            _check_relation(figs, readings, at, [((r, c), [(q, c) for q in children]) for c in cols])
    # "Tổng cộng" at the foot or "TỔNG (I+II+III)" at the head: the top-level rows
    top = min(levels.values()) if levels else None
    for r in data_rows:
        if top is None or not _is_total(span.row_label(r), bool(_stt(span, r))):
            continue
        tops = [q for q, lvl in levels.items() if lvl == top and q != r]
        before = [q for q in tops if q < r]
        after = [q for q in tops if q > r]
        members = before if before and (not after or r == data_rows[-1]) else after
        _check_relation(figs, readings, at, [((r, c), [(q, c) for q in members]) for c in cols])
    # a "Tổng" column under a merged header: the sum of its sibling columns
    v = table_vocabulary()
    groups: dict[tuple[str, ...], list[int]] = {}
    for c, names in enumerate(span.column_parts):
        if len(names) > 1:
            groups.setdefault(tuple(names[:-1]), []).append(c)
    for members in groups.values():
        totals = [c for c in members if is_header_in(span.column_parts[c][-1], v.total_labels)]
        if len(totals) != 1:
            continue
        siblings = [c for c in members if c != totals[0]]
        _check_relation(figs, readings, at, [((r, totals[0]), [(r, c) for c in siblings]) for r in data_rows])


# --------------------------------------------------------------------------------------------------
# The same fact in a table and in prose

_STOP = frozenset(
    ["của", "và", "các", "cho", "trong", "với", "theo", "tại", "là", "được", "đã", "có", "từ", "đến", "những", "một", "này", "đó", "về", "số", "năm"]
)


def _words(s: str | None) -> set[str]:
    if not s:
        return set()
    s = unicodedata.normalize("NFC", s).lower()
    return {w for w in re.findall(r"[^\W\d_]+", s) if w not in _STOP and len(w) > 1}


def link_restated(table_figs: Sequence[Figure], prose_figs: Sequence[Figure]) -> list[tuple[int, int]]:
    """Pair (table index, prose index) of figures stating the same fact: same kind, unit, value, and most
    words of the row label (or of the column header) in the prose sentence."""
    pairs: list[tuple[int, int]] = []
    for i, tf in enumerate(table_figs):
        if tf.value is None:
            continue
        label, column = _words(tf.row), _words(tf.column)
        for j, pf in enumerate(prose_figs):
            if pf.value is None or pf.kind != tf.kind or pf.unit != tf.unit or pf.value != tf.value:
                continue
            sentence = _words(pf.sentence or pf.subject)
            if not sentence:
                continue
            by_label = len(label & sentence) / len(label) if label else 0.0
            by_column = len(column & sentence) / len(column) if column else 0.0
            if by_label >= 0.5 or by_column >= 0.6:
                pairs.append((i, j))
    return pairs
