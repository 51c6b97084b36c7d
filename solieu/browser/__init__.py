"""The solieu plugin for Datasette: figure pages with their page image, corrections, charts, links, sign-in.

Registered through the `datasette` entry point in pyproject.toml; `solieu serve` configures it through
environment variables (the dataset URL may hold a password: it must not appear in Datasette's metadata):
SOLIEU_SERVE_DB (where corrections are written), SOLIEU_SERVE_FILE (the SQLite file served),
SOLIEU_SERVE_REPLICA ("1" when that file is a replica of SOLIEU_SERVE_DB), SOLIEU_SERVE_ROOT (the folder
relative source paths are resolved against) and SOLIEU_TOKEN (required to sign in, when set).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from datasette import Response, hookimpl
from markupsafe import Markup, escape

#: Columns whose value is a figure id: rendered as a link to the figure's page.
FIGURE_ID_COLUMNS = ("figure_id", "part_of", "restates", "first_figure_id")
#: Seconds between looks for changes of a PostgreSQL dataset (its replica is then refreshed); $SOLIEU_REPLICA_POLL.
POLL_SECONDS = 30
#: Resolution of page images (dots per inch); the CLI's default.
DPI = 110

FLAG_REASONS = {
    "ambiguous_separator": "The number's dot or comma can be read two ways; the reading kept is the plausible one.",
    "implausible": "The value is outside the sane range for its unit and subject.",
    "unit_from_header": "The unit comes from the table's header, not from the cell.",
    "in_table": "Read from a table cell.",
    "in_footnote": "Stated in a footnote.",
    "ocr_low_confidence": "Tesseract was unsure of this text: check it against the page image.",
    "sum_mismatch": "Parts do not add up to their stated total.",
    "ocr_repaired": "An OCR confusion inside the number (O→0, l→1 …) was repaired.",
}


class _Config:
    """What `solieu serve` told the plugin (read once, from the environment)."""

    def __init__(self) -> None:
        self.url = os.environ.get("SOLIEU_SERVE_DB")
        file = os.environ.get("SOLIEU_SERVE_FILE")
        self.file = Path(file) if file else None
        self.replica = os.environ.get("SOLIEU_SERVE_REPLICA") == "1"
        root = os.environ.get("SOLIEU_SERVE_ROOT")
        self.root = Path(root) if root else None
        self.token = os.environ.get("SOLIEU_TOKEN") or None
        self.watcher: asyncio.Task[None] | None = None


CONFIG = _Config()


def _database(datasette: Any) -> str:
    name = (datasette.plugin_config("solieu") or {}).get("database")
    return str(name) if name else str(next(iter(datasette.databases.keys() - {"_internal"}), ""))


def _adopt(datasette: Any) -> None:
    """Under a plain `datasette serve` (no `solieu serve`), serve and correct the database Datasette opened."""
    if CONFIG.file is None:
        db = datasette.get_database(_database(datasette))
        if db.path:
            CONFIG.file = Path(db.path).resolve()


def _served_url() -> str:
    if CONFIG.file is None:
        raise RuntimeError("the solieu plugin runs under `solieu serve`")
    return f"sqlite:///{CONFIG.file}"


def _write_url() -> str:
    return CONFIG.url or _served_url()


def _freshness() -> dict[str, Any] | None:
    if not CONFIG.replica or CONFIG.file is None:
        return None
    import sqlite3

    from solieu.serve import REPLICA_INFO

    with contextlib.closing(sqlite3.connect(f"file:{CONFIG.file}?mode=ro", uri=True)) as conn:
        row = conn.execute(f"SELECT source, refreshed_at, last_run, figures, signature FROM {REPLICA_INFO}"
                           ).fetchone()
    return dict(zip(("source", "refreshed_at", "last_run", "figures", "signature"), row, strict=True)) if row else None


def _allowed(request: Any) -> bool:
    return CONFIG.token is None or request.actor is not None


# ----------------------------------------------------------------------------------------------- hooks


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """Link figure ids to figure pages, documents and reports to their rows."""
    if value in (None, ""):
        return None
    if column in FIGURE_ID_COLUMNS or (table == "figures" and column == "raw"):
        fid = value if column != "raw" else _row_get(row, "id")
        if fid is None:
            return None
        return Markup(f'<a class="solieu-figure" href="/-/figure/{escape(fid)}">{escape(value)}</a>')
    if column == "report_id" and table != "reports":
        return Markup(f'<a href="{datasette.urls.table(database, "reports")}/{escape(value)}">{escape(value)}</a>')
    if (column == "document_id" and table not in ("figures", "documents")) or column == "canonical_document_id":
        return Markup(f'<a href="{datasette.urls.table(database, "documents")}/{escape(value)}">'
                      f"{escape(value)}</a>")
    if column == "document" and table in ("figures", "facts", "failures", "references", "corrections"):
        href = datasette.urls.table(database, "documents") + "?document=" + _quote(str(value))
        return Markup(f'<a href="{href}">{escape(value)}</a>')
    return None


def _row_get(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


@hookimpl
def extra_template_vars(request: Any) -> dict[str, Any]:
    """Tell every page how fresh a replica is."""
    return {"solieu_freshness": _freshness(), "solieu_replica": CONFIG.replica}


@hookimpl
def extra_css_urls() -> list[str]:
    """Give long text columns room."""
    return ["/-/static-plugins/solieu/solieu.css"]


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """Add the chart page to the menu."""
    return [{"href": "/-/chart", "label": "Chart an indicator"}]


@hookimpl
def actor_from_request(request: Any) -> dict[str, str] | None:
    """Accept `Authorization: Bearer TOKEN` when a token is set (scripts); people sign in at /-/login."""
    _watch_replica()   # the first request runs in the server's event loop (Datasette's startup hook does not)
    auth = request.headers.get("authorization", "")
    if CONFIG.token and auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(), CONFIG.token.encode()):
        return {"id": "token"}
    return None


@hookimpl
def permission_allowed(actor: Any, action: str) -> bool | None:
    """Beyond loopback (a token is set) nothing is shown to visitors who have not signed in."""
    if CONFIG.token and actor is None and action in ("view-instance", "view-database", "view-table",
                                                      "view-query", "execute-sql"):
        return False
    return None


@hookimpl
def forbidden(request: Any) -> Any:
    """Send visitors who have not signed in to the sign-in page."""
    wants_json = request.path.endswith(".json") or request.args.get("_format") == "json"
    if CONFIG.token and request.actor is None and not wants_json:
        return Response.redirect("/-/login?next=" + _quote(request.full_path if hasattr(request, "full_path")
                                                            else request.path))
    return None


def _watch_replica() -> None:
    """Start, once, the task that refreshes a replica when its dataset changes (in the server's event loop)."""
    if not CONFIG.replica or CONFIG.url is None or CONFIG.watcher is not None:
        return
    CONFIG.watcher = asyncio.get_running_loop().create_task(_watch())


async def _watch() -> None:
    from solieu.serve import signature

    while True:
        with contextlib.suppress(Exception):
            now = await asyncio.to_thread(signature, CONFIG.url or "")
            if now != (_freshness() or {}).get("signature"):
                await _refresh()
        await asyncio.sleep(float(os.environ.get("SOLIEU_REPLICA_POLL") or POLL_SECONDS))


async def _refresh() -> dict[str, Any]:
    from solieu.serve import build_replica

    assert CONFIG.url and CONFIG.file
    return await asyncio.to_thread(build_replica, CONFIG.url, CONFIG.file)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Figure pages, their page image and correction form, the chart page, refresh and sign-in."""
    return [
        (r"^/-/figure/(?P<figure_id>[A-Za-z0-9_.:-]+)$", figure_view),
        (r"^/-/figure/(?P<figure_id>[A-Za-z0-9_.:-]+)/page\.png$", page_image),
        (r"^/-/figure/(?P<figure_id>[A-Za-z0-9_.:-]+)/correct$", correct),
        (r"^/-/chart$", chart_view),
        (r"^/-/refresh$", refresh_view),
        (r"^/-/login$", login_view),
    ]


# ----------------------------------------------------------------------------------------------- views


def _forbidden() -> Any:
    return Response.redirect("/-/login")


async def _one(datasette: Any, sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
    db = datasette.get_database(_database(datasette))
    rows = (await db.execute(sql, params)).rows
    return dict(rows[0]) if rows else None


async def _all(datasette: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    db = datasette.get_database(_database(datasette))
    return [dict(r) for r in (await db.execute(sql, params)).rows]


def _json(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _marked(text: str, sentence: str | None, raw: str, start: int) -> dict[str, str]:
    """Split the sentence around the figure: (before, raw, after)."""
    if not sentence:
        return {"before": "", "raw": raw, "after": ""}
    at = -1
    s0 = text.rfind(sentence, 0, start + 1) if text else -1
    if s0 >= 0 and s0 + len(sentence) >= start + len(raw):
        at = start - s0
    if at < 0 or sentence[at:at + len(raw)] != raw:
        at = sentence.find(raw)
    if at < 0:
        return {"before": sentence, "raw": "", "after": ""}
    return {"before": sentence[:at], "raw": raw, "after": sentence[at + len(raw):]}


def _num(v: Any) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


async def _flag_notes(datasette: Any, fig: dict[str, Any], flags: list[str]) -> list[dict[str, Any]]:
    notes = []
    for flag in flags:
        note: dict[str, Any] = {"flag": flag, "reason": FLAG_REASONS.get(flag, "")}
        if flag == "ambiguous_separator" and fig.get("alt_value") is not None:
            note["reason"] += f" The other reading: {fig['alt_value']}."
        if flag == "in_table" and fig.get("table_id"):
            note["reason"] += f" Row “{fig.get('row') or ''}”, column “{fig.get('column') or ''}”."
        if flag == "sum_mismatch":
            total_id = fig["part_of"] or fig["id"]
            total = await _one(datasette, "select id, raw, value_exact, unit from figures where id = :i",
                               {"i": total_id})
            parts = await _all(datasette, "select id, raw, value_exact, unit from figures where part_of = :i "
                               "order by char_start", {"i": total_id})
            if total and parts:
                tv = _num(total["value_exact"])
                pv = [_num(p["value_exact"]) for p in parts]
                s = sum((v for v in pv if v is not None), Decimal(0))
                note.update(total=total, parts=parts, parts_sum=s,
                            difference=None if tv is None else tv - s)
            else:
                note["reason"] += (" The parts are other cells of its table (row or column totals), not linked "
                                   "figure by figure.") if fig.get("table_id") else ""
        notes.append(note)
    return notes


async def figure_view(datasette: Any, request: Any) -> Any:
    """Show one figure: its page with the box, the sentence with the figure marked, flags, corrections form."""
    _adopt(datasette)
    if not _allowed(request):
        return _forbidden()
    fid = request.url_vars["figure_id"]
    fig = await _one(datasette, "select f.*, d.format, d.district, d.province, d.report_year, d.title, "
                     "d.canonical, d.report_id from figures f join documents d on d.id = f.document_id "
                     "where f.id = :i", {"i": fid})
    if fig is None:
        return Response.html(await datasette.render_template(
            "solieu_figure.html", {"fig": None, "figure_id": fid}, request=request), status=404)
    text_row = await _one(datasette, "select text from texts where document_id = :d", {"d": fig["document_id"]})
    flags = _json(fig.get("flags")) or []
    fact = await _one(datasette, "select value_exact, unit, subject, indicator, corrected from facts "
                      "where figure_id = :i", {"i": fid})
    fixes = await _all(datasette, "select field, old, new, note, who, at from corrections where figure_id = :i "
                       "order by id", {"i": fid})
    from extractors.indicator import indicators
    from extractors.model import UNITS

    ctx = {
        "fig": fig, "figure_id": fid, "flags": await _flag_notes(datasette, fig, flags),
        "marked": _marked(text_row["text"] if text_row else "", fig.get("sentence"), fig["raw"],
                          int(fig["char_start"])),
        "has_page": fig.get("format") == "pdf" and fig.get("page") is not None,
        "bbox": _json(fig.get("bbox")), "fact": fact, "corrections": fixes,
        "units": list(UNITS), "indicators": [(i.id, i.name) for i in indicators()],
        "database": _database(datasette), "can_correct": _allowed(request),
        "section_path": [s.strip() for s in (fig.get("section") or "").split(">") if s.strip()],
    }
    return Response.html(await datasette.render_template("solieu_figure.html", ctx, request=request))


def _page_png(figure_id: str) -> bytes:
    """Return the figure's page image, from the disk cache when drawn before."""
    from pipeline.load import open_db
    from solieu.page import figure_page_png
    from solieu.serve import cache_root

    return figure_page_png(open_db(_served_url(), readonly=True), figure_id, root=CONFIG.root, dpi=DPI,
                           cache_dir=cache_root() / "pages")


async def page_image(datasette: Any, request: Any) -> Any:
    """Serve the figure's page as PNG with its box highlighted (drawn on demand from the source, cached)."""
    _adopt(datasette)
    if not _allowed(request):
        return Response.text("sign in first", status=403)
    from core.errors import SolieuError

    try:
        data = await asyncio.to_thread(_page_png, request.url_vars["figure_id"])
    except SolieuError as exc:
        return Response.text(str(exc), status=404)
    return Response(data, content_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def correct(datasette: Any, request: Any) -> Any:
    """Record a correction from the figure page's form (the browser's only write)."""
    _adopt(datasette)
    fid = request.url_vars["figure_id"]
    back = f"/-/figure/{fid}"
    if request.method != "POST":
        return Response.redirect(back)
    if not _allowed(request):
        return Response.text("sign in first", status=403)
    form = await request.post_vars()
    changes: dict[str, Any] = {}
    for field in ("value", "unit", "subject", "indicator"):
        v = (form.get(field) or "").strip()
        if v:
            changes[field] = v
    if form.get("not_a_figure"):
        changes["not_a_figure"] = True
    from core.errors import SolieuError
    from pipeline.corrections import record_correction
    from pipeline.load import open_db

    try:
        cid = await asyncio.to_thread(record_correction, open_db(_write_url()), fid, changes,
                                      form.get("note") or "", (form.get("who") or "").strip())
        if CONFIG.replica and CONFIG.url and CONFIG.file:
            from solieu.serve import sync_corrections

            await asyncio.to_thread(sync_corrections, CONFIG.url, CONFIG.file)
    except SolieuError as exc:
        datasette.add_message(request, f"Not recorded: {exc}", datasette.ERROR)
        return Response.redirect(back)
    what = ", ".join(f"{k} → {v}" for k, v in changes.items())
    datasette.add_message(request, f"Correction {cid} recorded: {what}", datasette.INFO)
    return Response.redirect(back)


async def refresh_view(datasette: Any, request: Any) -> Any:
    """Copy the real dataset into the replica again (POST from the button in the footer)."""
    if request.method != "POST":
        return Response.redirect("/")
    if not _allowed(request):
        return Response.text("sign in first", status=403)
    if not CONFIG.replica:
        datasette.add_message(request, "This dataset is served in place: it is always current.", datasette.INFO)
    else:
        info = await _refresh()
        datasette.add_message(request, f"Replica refreshed at {info['refreshed_at']} ({info['figures']} figures).",
                              datasette.INFO)
    return Response.redirect(_local(request.args.get("next")))


def _local(path: str | None) -> str:
    """Return path if it stays on this server (no open redirect), else the home page."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or "\n" in path:
        return "/"
    return path


async def login_view(datasette: Any, request: Any) -> Any:
    """Sign in with the token `solieu serve` was given."""
    nxt = _local(request.args.get("next"))
    error = None
    if request.method == "POST":
        form = await request.post_vars()
        given = (form.get("token") or "").encode()
        if CONFIG.token and hmac.compare_digest(given, CONFIG.token.encode()):
            response = Response.redirect(nxt)
            response.set_cookie("ds_actor", datasette.sign({"a": {"id": "solieu"}}, "actor"), httponly=True,
                                samesite="lax")
            return response
        error = "That is not the token this server was started with."
    return Response.html(await datasette.render_template(
        "solieu_login.html", {"error": error, "next": nxt, "needs_token": bool(CONFIG.token)}, request=request),
        status=401 if error else 200)


async def chart_view(datasette: Any, request: Any) -> Any:
    """Draw an indicator or subject across years, districts or periods: the Vega-Lite spec of `solieu plot`."""
    _adopt(datasette)
    if not _allowed(request):
        return _forbidden()
    from core.errors import SolieuError
    from extractors.indicator import indicators

    args = {k: (request.args.get(k) or "").strip() for k in ("indicator", "subject", "by", "agg")}
    by = args["by"] or "year"
    agg = args["agg"] or "sum"
    ctx: dict[str, Any] = {"args": {**args, "by": by, "agg": agg}, "svg": None, "spec": None, "error": None,
                           "indicators": [(i.id, i.name) for i in indicators()]}
    if args["indicator"] or args["subject"]:
        try:
            spec, svg = await asyncio.to_thread(_chart, args["indicator"] or None, args["subject"] or None, by, agg)
            ctx.update(spec=json.dumps(spec, ensure_ascii=False), svg=Markup(svg))
        except SolieuError as exc:
            ctx["error"] = str(exc)
    return Response.html(await datasette.render_template("solieu_chart.html", ctx, request=request))


def _chart(indicator: str | None, subject: str | None, by: str, agg: str) -> tuple[dict[str, Any], str]:
    """Return the chart's Vega-Lite spec and its SVG (drawn here: the browser needs no script)."""
    import vl_convert as vlc

    from extractors.indicator import by_id
    from solieu.dataset import Dataset
    from solieu.plot import NothingToPlot, chart_data, chart_spec, select_facts

    facts = Dataset(_served_url()).facts()
    chosen = select_facts(facts, indicator=indicator, subject=subject)
    if chosen.empty:
        raise NothingToPlot(f"no facts for {'indicator ' + repr(indicator) if indicator else repr(subject)}")
    data, order = chart_data(chosen, by=by, agg=agg)
    units = sorted(chosen["unit"].dropna().unique())
    ind = by_id(indicator) if indicator else None
    name = ind.name if ind else (indicator or f"“{subject}”")
    title = f"{name} theo {dict(year='năm', district='huyện', period='kỳ')[by]} ({agg})"
    spec = chart_spec(data, order, by=by, title=title, unit=units[0] if len(units) == 1 else None)
    return spec, vlc.vegalite_to_svg(spec)
