"""The researcher's workbench on real files and real databases: one report counted once, corrections that
stick, typed frames, consistent exports, charts and page images."""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image
from sqlalchemy import select, text

from pipeline import schema
from pipeline.corrections import CorrectionError, listing, record_correction
from pipeline.load import load_document, open_db
from pipeline.model import Extracted
from solieu import Dataset
from solieu.export import rows, to_text, write
from tests.conftest import CORPUS, SEED_MD, SEED_PDF

SEED_SCAN = CORPUS / "scans" / "binhson-2021-dan-van-kheo-scan.pdf"


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Extracted]:
    """Read and extract the seed report as Markdown, text PDF and scan (real OCR), once per session."""
    from pipeline.run import process_file

    return {name: process_file(str(path)) for name, path in
            (("md", SEED_MD), ("pdf", SEED_PDF), ("scan", SEED_SCAN))}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    """Yield a fresh dataset URL on each backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    base = str(request.getfixturevalue("postgres_url"))
    engine = open_db(base)
    with engine.begin() as conn:  # a clean slate per test on the shared server
        for t in reversed(schema.metadata.sorted_tables):
            conn.execute(t.delete())
    return base


def _fid(engine: object, raw: str, document: str) -> str:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return str(conn.execute(select(schema.figures.c.id).where(
            schema.figures.c.raw == raw, schema.figures.c.document.like(f"%{document}"))).scalar_one())


@pytest.mark.ocr
def test_the_seed_as_markdown_text_pdf_and_scan_is_one_report(url: str, seed: dict[str, Extracted]) -> None:
    engine = open_db(url)
    for name in ("scan", "md", "pdf"):   # the scan first: the text PDF must still become the canonical source
        load_document(engine, seed[name])
    with engine.connect() as conn:
        docs = conn.execute(select(schema.documents.c.document, schema.documents.c.report_id,
                                   schema.documents.c.canonical, schema.documents.c.period_label)).all()
        (report,) = conn.execute(select(schema.reports)).mappings().all()
        fives = conn.execute(text("SELECT count(*) FROM facts WHERE raw = '86 mô hình'")).scalar_one()
        in_facts = set(conn.execute(text("SELECT DISTINCT document FROM facts")).scalars())
        parts = conn.execute(text("SELECT count(*) FROM facts f JOIN figures g ON g.id = f.figure_id "
                                  "WHERE g.part_of IS NOT NULL")).scalar_one()
    assert {d.report_id for d in docs} == {report["id"]} and report["documents"] == 3
    assert [d.document for d in docs if d.canonical] == [str(SEED_PDF)] == list(in_facts)
    assert {d.period_label for d in docs} == {"năm 2021"}
    assert (report["district"], report["report_year"], report["period_label"]) == ("Bình Sơn", 2021, "năm 2021")
    assert fives == 1 and parts == 0
    models = Dataset(url).facts(indicator="dan_van_kheo_models", district="Bình Sơn")
    assert models["value"].tolist().count(86.0) == 1


def _without_first_figure(ex: Extracted, version: str) -> Extracted:
    """Return ex as a newer extractor might give it: one figure fewer before the others, so every id shifts."""
    out = copy.deepcopy(ex)
    figs = out.figures[1:]
    for f in figs:
        f.part_of = None if f.part_of in (None, 0) else f.part_of - 1
        f.extractor_version = version
    out.figures = figs
    out.restates = {k - 1: v - 1 for k, v in ex.restates.items() if k and v}
    out.extractor_version = version  # type: ignore[attr-defined]
    return out


def test_a_correction_survives_reingestion_and_new_rules_and_is_listed_when_lost(
        url: str, seed: dict[str, Extracted]) -> None:
    engine = open_db(url)
    load_document(engine, seed["md"])
    fid = _fid(engine, "86 mô hình", ".md")
    record_correction(engine, fid, {"value": "87"}, "the table on page 4 says 87", "tester")
    load_document(engine, seed["md"])                                  # ingest --force: same bytes, same rules
    newer = _without_first_figure(seed["md"], "9.9.9")
    load_document(engine, newer)                                       # re-extraction: every id moved
    new_fid = _fid(engine, "86 mô hình", ".md")
    assert new_fid != fid
    (c,) = listing(engine)
    assert (c["figure_id"], c["first_figure_id"], c["matched"], c["old"], c["new"]) == (new_fid, fid, True, "86", "87")
    with engine.connect() as conn:
        value, exact, corrected = conn.execute(text(
            "SELECT value, value_exact, corrected FROM facts WHERE figure_id = :f"), {"f": new_fid}).one()
    assert (Decimal(str(value)), exact, bool(corrected)) == (Decimal(87), "87", True)
    fig = next(r for r in rows(engine, "figures") if r["id"] == new_fid)
    assert fig["value"] == Decimal(87) and fig["corrected"] is True
    # The figure is gone from the next extraction: the correction is listed as lost, not dropped.
    gone = copy.deepcopy(seed["md"])
    keep = [i for i, f in enumerate(gone.figures) if f.raw != "86 mô hình"]
    gone.figures = [gone.figures[i] for i in keep]
    for f in gone.figures:
        f.part_of = keep.index(f.part_of) if f.part_of in keep else None
    gone.restates = {}
    load_document(engine, gone)
    (c,) = listing(engine)
    assert c["matched"] is False and c["figure_id"] is None and c["raw"] == "86 mô hình"


def test_not_a_figure_leaves_facts_and_exports_and_bad_corrections_are_refused(
        url: str, seed: dict[str, Extracted]) -> None:
    engine = open_db(url)
    load_document(engine, seed["md"])
    fid = _fid(engine, "22 xã, thị trấn", ".md")
    record_correction(engine, fid, {"not_a_figure": True}, "a count of communes worked with, not a result", "t")
    assert fid not in {r["id"] for r in rows(engine, "figures")}
    assert fid not in set(Dataset(url).facts()["figure_id"])
    with pytest.raises(CorrectionError, match="not a number"):
        record_correction(engine, _fid(engine, "86 mô hình", ".md"), {"value": "tám"}, "x", "t")
    with pytest.raises(CorrectionError, match=r"indicators\.yaml"):
        record_correction(engine, _fid(engine, "86 mô hình", ".md"), {"indicator": "nope"}, "x", "t")
    with pytest.raises(CorrectionError, match="no figure"):
        record_correction(engine, "nope", {"unit": "km"}, "x", "t")
    fid2 = _fid(engine, "86 mô hình", ".md")
    record_correction(engine, fid2, {"indicator": "dan_van_kheo_models", "subject": "mô hình Dân vận khéo"},
                      "clearer subject", "t")
    row = Dataset(url).facts(figure_id=fid2).iloc[0]
    assert (row["indicator"], row["subject"], row["corrected"]) == ("dan_van_kheo_models", "mô hình Dân vận khéo",
                                                                    True)


def test_dataset_frames_have_real_dtypes(sqlite_url: str, seed: dict[str, Extracted]) -> None:
    engine = open_db(sqlite_url)
    load_document(engine, seed["pdf"])
    ds = Dataset(sqlite_url)
    facts = ds.facts(district="Bình Sơn")
    assert len(facts) > 20
    assert str(facts["value"].dtype) == "float64" and facts["value_exact"].dtype.name.startswith("str")
    assert str(facts["report_year"].dtype) == "Int64" and str(facts["page"].dtype) == "Int64"
    assert str(facts["period_start"].dtype).startswith("datetime64")
    assert str(facts["corrected"].dtype) == "boolean"
    assert all(isinstance(v, list) for v in facts["flags"]) and all(isinstance(v, list) for v in facts["bbox"])
    assert facts.loc[facts["raw"] == "86 mô hình", "value"].item() == 86.0
    docs, reports, figs = ds.documents(), ds.reports(), ds.figures()
    assert str(docs["report_id"].dtype) == "Int64" and str(docs["canonical"].dtype) == "boolean"
    assert len(reports) == 1 and len(figs) >= len(facts)
    assert ds.corrections().empty and "matched" in ds.corrections().columns
    assert ds.facts(district="Nowhere").empty


def test_exports_keep_lists_and_integers_in_every_format(sqlite_url: str, seed: dict[str, Extracted],
                                                         tmp_path: Path) -> None:
    engine = open_db(sqlite_url)
    load_document(engine, seed["pdf"])
    for table in ("figures", "facts", "documents", "reports"):
        out = tmp_path / f"{table}.parquet"
        write(rows(engine, table), "parquet", None, out)
        t = pq.read_table(out)
        if "flags" in t.column_names:
            flags, bbox = t.schema.field("flags").type, t.schema.field("bbox").type
            assert pa.types.is_list(flags) and pa.types.is_string(flags.value_type)
            assert pa.types.is_list(bbox) and pa.types.is_float64(bbox.value_type)
        if "report_year" in t.column_names:
            assert str(t.schema.field("report_year").type) == "int64"
            assert str(pd.read_parquet(out)["report_year"].dtype) == "Int64"   # not float, nulls or not
    write([{"report_year": 2021, "flags": ["in_table"]}, {"report_year": None, "flags": []}], "parquet", None,
          tmp_path / "nulls.parquet")
    back = pd.read_parquet(tmp_path / "nulls.parquet")
    assert str(back["report_year"].dtype) == "Int64" and list(back["flags"][0]) == ["in_table"]
    first = json.loads(to_text(rows(engine, "facts"), "jsonl").splitlines()[0])
    assert isinstance(first["flags"], list) and isinstance(first["report_year"], int)
    assert to_text(rows(engine, "facts"), "csv").splitlines()[1].count("[") >= 2  # lists as JSON array text


def test_a_0001_dataset_is_upgraded_in_place(tmp_path: Path) -> None:
    from alembic import command

    from pipeline.load import _alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    engine.dispose()
    engine = open_db(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == schema.SCHEMA_REVISION
        assert conn.execute(text("SELECT count(*) FROM facts")).scalar_one() == 0


# --------------------------------------------------------------------------- page images


def _highlighted(png: bytes, bbox: list[float], dpi: int = 110) -> float:
    """Return the share of pixels inside bbox that carry the highlight's yellow tint."""
    im = Image.open(io.BytesIO(png)).convert("RGB")
    s = dpi / 72
    x0, top, x1, bottom = (int(v * s) for v in bbox)
    crop = im.crop((x0, top, x1, bottom))
    px = list(crop.get_flattened_data())
    return sum(1 for r, g, b in px if r > 200 and g > 150 and b < 200 and r - b > 60) / max(1, len(px))


@pytest.mark.ocr
@pytest.mark.parametrize("name", ["pdf", "scan"])
def test_the_page_image_highlights_the_figure(sqlite_url: str, seed: dict[str, Extracted], name: str) -> None:
    from solieu.page import figure_page_png, locate

    engine = open_db(sqlite_url)
    load_document(engine, seed[name])
    fid = _fid(engine, "86 mô hình", ".pdf")
    place = locate(engine, fid)
    png = figure_page_png(engine, fid)
    assert png.startswith(b"\x89PNG") and place.page == 4 and place.bbox is not None
    assert _highlighted(png, list(place.bbox)) > 0.3          # the box is where the figure is
    elsewhere = [place.bbox[0], place.bbox[1] + 200, place.bbox[2], place.bbox[3] + 200]
    assert _highlighted(png, elsewhere) < 0.05                 # and nowhere else
    cache = Path(str(sqlite_url).removeprefix("sqlite:///")).parent / "pages"
    assert figure_page_png(engine, fid, cache_dir=cache) == figure_page_png(engine, fid, cache_dir=cache)
    assert len(list(cache.glob("*.png"))) == 1
    if (art := Path(__file__).parent / "artifacts").is_dir():
        (art / f"page-{name}.png").write_bytes(png)


def test_a_figure_of_a_text_file_has_no_page(sqlite_url: str, seed: dict[str, Extracted]) -> None:
    from solieu.page import PageUnavailable, figure_page_png

    engine = open_db(sqlite_url)
    load_document(engine, seed["md"])
    with pytest.raises(PageUnavailable, match="no pages"):
        figure_page_png(engine, _fid(engine, "86 mô hình", ".md"))


# --------------------------------------------------------------------------- charts

REPORT = """ĐẢNG CỘNG SẢN VIỆT NAM
HUYỆN ỦY {district_upper}
Số {number}-BC/HU
{district}, ngày 15 tháng 12 năm {year}

BÁO CÁO
kết quả công tác dân vận năm {year}

Trong năm {year}, toàn huyện đã xây dựng được {models} mô hình "Dân vận khéo". Nhân dân đóng góp {money} triệu đồng \
làm đường giao thông nông thôn. Kế hoạch năm {next} huy động 900 triệu đồng.
"""


@pytest.fixture(scope="module")
def yearly(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Write small yearly reports of two districts (2020 missing for Bình Sơn) and load them."""
    from pipeline.run import process_file

    folder = tmp_path_factory.mktemp("yearly")
    url = f"sqlite:///{folder / 'yearly.db'}"
    engine = open_db(url)
    for district, years in (("Bình Sơn", (2018, 2019, 2021)), ("Sơn Tịnh", (2019, 2021))):
        for y in years:
            path = folder / f"{district.replace(' ', '')}-{y}.txt"
            path.write_text(REPORT.format(district=district, district_upper=district.upper(), year=y, next=y + 1,
                                          number=y - 2000, models=y - 2000, money=y - 1900 + len(district)),
                            encoding="utf-8")
            load_document(engine, process_file(str(path)))
    return url


def _drawn(png: Path) -> None:
    im = Image.open(png).convert("RGB")
    assert im.width >= 600 and im.height >= 300
    colours = im.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 20                                   # more than a blank canvas and a frame
    assert sum(n for n, c in colours if c != (255, 255, 255)) > 0.02 * im.width * im.height


def test_plot_an_indicator_across_years_leaves_gaps_and_parts_plan_from_actual(yearly: str, tmp_path: Path) -> None:
    from solieu.plot import plot

    facts = Dataset(yearly).facts(district="Bình Sơn")
    data = plot(facts, tmp_path / "years.png", by="year", indicator="funds_mobilised")
    # "Nhân dân đóng góp …" says neither plan nor actual: its own series, apart from the plan.
    actual = data[data["series"].str.startswith("không rõ")].set_index("x")["value"]
    plan = data[data["series"].str.startswith("kế hoạch")].set_index("x")["value"]
    # Money per year: 2020 has no report, so it is a gap (null), not a zero.
    assert actual["2018"] == 126e6 and actual["2019"] == 127e6 and actual.isna()["2020"] and actual["2021"] == 129e6
    assert plan["2019"] == 900e6 and plan["2022"] == 900e6    # "Kế hoạch năm 2020 …" is a plan for that year
    _drawn(tmp_path / "years.png")
    plot(facts, tmp_path / "years.svg", by="year", indicator="funds_mobilised")
    assert (tmp_path / "years.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    plot(facts, tmp_path / "years.html", by="period", indicator="kinh phí huy động")
    html = (tmp_path / "years.html").read_text(encoding="utf-8")
    assert "năm 2020" in html and "<script src=\"http" not in html   # scripts inlined: opens offline


def test_plot_across_districts(yearly: str, tmp_path: Path) -> None:
    from solieu.plot import plot

    # Five reports from one template: other district or year, so never merged however alike their words.
    assert len(Dataset(yearly).reports()) == 5
    data = plot(Dataset(yearly).facts(), tmp_path / "districts.png", by="district", subject="mô hình")
    assert data.set_index("x")["value"].to_dict() == {"Bình Sơn": 18 + 19 + 21, "Sơn Tịnh": 19 + 21}
    _drawn(tmp_path / "districts.png")
    if (art := Path(__file__).parent / "artifacts").is_dir():
        shutil.copy(tmp_path / "districts.png", art / "plot-districts.png")


def test_plot_says_when_nothing_matches(yearly: str, tmp_path: Path) -> None:
    from solieu.plot import NothingToPlot, plot

    with pytest.raises(NothingToPlot, match="no facts"):
        plot(Dataset(yearly).facts(), tmp_path / "x.png", by="year", indicator="food_output")


# --------------------------------------------------------------------------- the commands, as a user runs them


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "USER": "tester"}
    return subprocess.run([sys.executable, "-m", "solieu.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.flow
def test_correct_then_ingest_force_keeps_the_correction_in_exports(tmp_path: Path) -> None:
    from pipeline.run import process_file

    src = tmp_path / "seed.md"
    shutil.copy(SEED_MD, src)
    url = f"sqlite:///{tmp_path / 'solieu.db'}"
    load_document(open_db(url), process_file(str(src)))   # the first ingest, without Prefect's start-up
    figs = [json.loads(x) for x in _cli("export", "figures", "--db", url, cwd=tmp_path).stdout.splitlines()]
    fid = next(f["id"] for f in figs if f["raw"] == "86 mô hình")
    res = _cli("correct", fid, "--value", "87", "--note", "page 4 says 87", "--db", url, cwd=tmp_path)
    assert res.returncode == 0 and "recorded" in res.stdout, res.stderr
    bad = _cli("correct", fid, "--unit", "parsec", "--note", "x", "--db", url, cwd=tmp_path)
    assert bad.returncode == 2 and "canonical unit" in bad.stderr
    assert _cli("ingest", str(src), "--force", "--db", url, cwd=tmp_path).returncode == 0
    figs = [json.loads(x) for x in _cli("export", "figures", "--db", url, cwd=tmp_path).stdout.splitlines()]
    fig = next(f for f in figs if f["raw"] == "86 mô hình")
    assert (fig["value"], fig["corrected"]) == (87, True)
    facts = _cli("export", "facts", "--db", url, "--format", "csv", cwd=tmp_path).stdout
    assert f"{fid}," in facts and ",87,87," in facts
    listed = _cli("corrections", "--db", url, "--format", "jsonl", cwd=tmp_path).stdout
    (c,) = [json.loads(x) for x in listed.splitlines()]
    assert (c["who"], c["old"], c["new"], c["note"], c["matched"]) == ("tester", "86", "87", "page 4 says 87", True)
    page = _cli("page", fid, "--out", str(tmp_path / "p.png"), "--db", url, cwd=tmp_path)
    assert page.returncode == 1 and "no pages" in page.stderr
    plot = _cli("plot", "--subject", "mô hình", "--by", "year", "--out", str(tmp_path / "c.svg"), "--db", url,
                cwd=tmp_path)
    assert plot.returncode == 0 and (tmp_path / "c.svg").stat().st_size > 1000, plot.stderr
