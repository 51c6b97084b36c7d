"""Chart facts of one indicator or subject across years, districts or periods (Vega-Lite, drawn by vl-convert).

The chart is a Vega-Lite spec (a dict): `solieu plot` writes it as PNG, SVG or self-contained HTML, and the
browser can embed the same spec. Missing years or periods are drawn as gaps (null values), never as zeros;
plan and actual are separate series.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import SolieuError, UsageError

BY = ("year", "district", "period")
AGGREGATES = ("sum", "max", "mean", "count")
MEASURE_NAMES = {"plan": "kế hoạch (plan)", "actual": "thực hiện (actual)", None: "không rõ (unspecified)"}


class NothingToPlot(SolieuError):
    """No fact matches the indicator or subject asked for."""


def select_facts(facts: pd.DataFrame, *, indicator: str | None = None, subject: str | None = None) -> pd.DataFrame:
    """Return the facts of one indicator (id or Vietnamese name) or whose subject contains the words given."""
    if (indicator is None) == (subject is None):
        raise UsageError("give exactly one of --indicator NAME or --subject TEXT")
    if indicator is not None:
        from extractors.indicator import by_id

        ind = by_id(indicator)
        if ind is None:
            raise UsageError(f"no indicator {indicator!r} in extractors/data/vi/indicators.yaml; "
                             "use an id such as funds_mobilised or its Vietnamese name")
        return facts[facts["indicator"] == ind.id]
    words = str(subject).lower()
    return facts[facts["subject"].fillna("").str.lower().str.contains(words, regex=False)]


def _x_key(df: pd.DataFrame, by: str) -> pd.Series:
    if by == "district":
        return df["district"].fillna("(không rõ huyện)")
    if by == "year":
        start = pd.to_datetime(df["period_start"], errors="coerce")
        end = pd.to_datetime(df["period_end"], errors="coerce")
        one_year = start.dt.year == end.dt.year
        year = start.dt.year.where(one_year)
        return year.fillna(df["report_year"]).astype("Int64")
    return df["period_label"].fillna("(không rõ kỳ)")


def _series(df: pd.DataFrame) -> pd.Series:
    names = df["measure"].map(lambda m: MEASURE_NAMES.get(m if isinstance(m, str) else None))
    if df["unit"].nunique() > 1:
        return names + " · " + df["unit"].astype(str)
    return names


def _period_steps(df: pd.DataFrame) -> list[tuple[str, dt.date]]:
    """Return every period between the first and the last, when all periods have one length (else those seen)."""
    from extractors.period import parse_period

    seen = (df[["period_label", "period_start", "period_end"]].dropna().drop_duplicates()
            .assign(start=lambda d: pd.to_datetime(d["period_start"]), end=lambda d: pd.to_datetime(d["period_end"]))
            .sort_values("start"))
    if seen.empty:
        return []
    months = {(e.year - s.year) * 12 + e.month - s.month + 1 for s, e in zip(seen["start"], seen["end"], strict=True)}
    out = [(str(r.period_label), r.start.date()) for r in seen.itertuples()]
    if len(months) != 1 or next(iter(months)) not in (1, 3, 12):
        return out
    step = next(iter(months))
    first, last = seen["start"].iloc[0].date(), seen["start"].iloc[-1].date()
    by_start = {s: lab for lab, s in out}
    filled: list[tuple[str, dt.date]] = []
    cur = first
    while cur <= last:
        if cur in by_start:
            filled.append((by_start[cur], cur))
        else:
            text = {1: f"tháng {cur.month}/{cur.year}", 3: f"quý {['I', 'II', 'III', 'IV'][(cur.month - 1) // 3]}/{cur.year}",
                    12: f"năm {cur.year}"}[step]
            p = parse_period(text)
            filled.append((p.label if p else text, cur))
        m = cur.month - 1 + step
        cur = dt.date(cur.year + m // 12, m % 12 + 1, 1)
    return filled


def chart_data(facts: pd.DataFrame, *, by: str, agg: str = "sum") -> tuple[pd.DataFrame, list[Any]]:
    """Return (one row per x and series with the aggregated value, null where missing; the x order)."""
    if by not in BY:
        raise UsageError(f"--by {by!r}: use one of {', '.join(BY)}")
    if agg not in AGGREGATES:
        raise UsageError(f"--agg {agg!r}: use one of {', '.join(AGGREGATES)}")
    df = facts.copy()
    df["x"] = _x_key(df, by)
    df["series"] = _series(df)
    df = df[df["x"].notna()]
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    grouped = df.groupby(["x", "series"], dropna=False)["value"]
    data = (grouped.count() if agg == "count" else getattr(grouped, agg)()).rename("value").reset_index()
    if by == "year":
        years = [int(y) for y in data["x"]]
        order: list[Any] = list(range(min(years), max(years) + 1)) if years else []
    elif by == "period":
        order = [label for label, _ in _period_steps(df)] or sorted(data["x"].unique())
    else:
        order = sorted(data["x"].unique())
    # Every x for every series: a missing one is a null (a gap in the line), never a zero.
    full = pd.MultiIndex.from_product([order, sorted(data["series"].unique())], names=["x", "series"])
    data = data.set_index(["x", "series"]).reindex(full).reset_index()
    data["x"] = data["x"].astype(str)
    return data, [str(o) for o in order]


def chart_spec(data: pd.DataFrame, order: list[Any], *, by: str, title: str, unit: str | None) -> dict[str, Any]:
    """Return the Vega-Lite spec: lines with points across years/periods, grouped bars across districts."""
    records = [{"x": r.x, "series": r.series, "value": None if pd.isna(r.value) else float(r.value)}
               for r in data.itertuples()]
    x_title = {"year": "năm (year)", "district": "huyện (district)", "period": "kỳ báo cáo (period)"}[by]
    enc: dict[str, Any] = {
        "x": {"field": "x", "type": "ordinal", "sort": order, "title": x_title, "axis": {"labelAngle": -30}},
        "y": {"field": "value", "type": "quantitative", "title": unit or "giá trị"},
        "color": {"field": "series", "type": "nominal", "title": "số liệu"},
        "tooltip": [{"field": "x", "title": x_title}, {"field": "series"}, {"field": "value", "format": ",.6~g"}],
    }
    if by == "district":
        mark: dict[str, Any] = {"type": "bar"}
        enc["xOffset"] = {"field": "series"}
    else:
        # Nulls break the line: a missing period shows as a gap.
        mark = {"type": "line", "point": True}
        enc["strokeDash"] = {"field": "series", "type": "nominal"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title, "width": 480, "height": 280,
        "data": {"values": records}, "mark": mark, "encoding": enc,
    }


def save_chart(spec: dict[str, Any], out: Path) -> None:
    """Write the chart as .png, .svg or self-contained .html (scripts inlined: works offline)."""
    import vl_convert as vlc

    suffix = out.suffix.lower()
    if suffix == ".png":
        out.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    elif suffix == ".svg":
        out.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    elif suffix in (".html", ".htm"):
        out.write_text(vlc.vegalite_to_html(spec, bundle=True), encoding="utf-8")
    else:
        raise UsageError(f"cannot write a chart as {out.suffix or 'a file without extension'}; use .png, .svg or "
                         ".html")


def plot(facts: pd.DataFrame, out: Path, *, by: str, indicator: str | None = None, subject: str | None = None,
         agg: str = "sum") -> pd.DataFrame:
    """Chart the matching facts into out; return the charted data (x, series, value)."""
    if out.suffix.lower() not in (".png", ".svg", ".html", ".htm"):
        raise UsageError(f"--out {out}: give a .png, .svg or .html file")
    chosen = select_facts(facts, indicator=indicator, subject=subject)
    if chosen.empty:
        what = f"indicator {indicator!r}" if indicator else f"subject containing {subject!r}"
        raise NothingToPlot(f"no facts for {what}; list what there is with `solieu query \"SELECT indicator, "
                            "subject, count(*) FROM facts GROUP BY 1, 2\"`")
    data, order = chart_data(chosen, by=by, agg=agg)
    units = sorted(chosen["unit"].dropna().unique())
    name = indicator or f"“{subject}”"
    if indicator:
        from extractors.indicator import by_id

        ind = by_id(indicator)
        name = ind.name if ind else indicator
    title = f"{name} theo {dict(year='năm', district='huyện', period='kỳ')[by]} ({agg})"
    spec = chart_spec(data, order, by=by, title=title, unit=units[0] if len(units) == 1 else None)
    save_chart(spec, out)
    return data
