"""The researcher's commands: correct, corrections, page, plot (registered on the `solieu` group)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from core.config import db_url
from core.errors import UsageError


def register(main: click.Group, db_option: Callable[[Any], Any]) -> None:
    """Add the workbench commands to the solieu command group."""

    @main.command()
    @click.argument("figure_id")
    @click.option("--value", default=None, help="The right number, in the canonical unit (2 tỷ đồng -> 2000000000).")
    @click.option("--unit", default=None, help="The right canonical unit (VND, km, ha, count …).")
    @click.option("--subject", default=None, help="The right words for what is measured.")
    @click.option("--indicator", default=None, help="The indicator id or Vietnamese name it measures.")
    @click.option("--not-a-figure", "not_a_figure", is_flag=True, help="It is not a figure (a date, a number …).")
    @click.option("--note", required=True, help="Why: what is wrong and how you know.")
    @click.option("--who", default=None, help="Who corrects (default: $USER).")
    @db_option
    def correct(figure_id: str, value: str | None, unit: str | None, subject: str | None, indicator: str | None,
                not_a_figure: bool, note: str, who: str | None, db: str | None) -> None:
        """Record a correction of one figure; it is applied in facts and every export and survives re-ingestion."""
        from pipeline.corrections import record_correction
        from pipeline.load import open_db

        changes: dict[str, Any] = {k: v for k, v in (("value", value), ("unit", unit), ("subject", subject),
                                                     ("indicator", indicator)) if v is not None}
        if not_a_figure:
            changes["not_a_figure"] = True
        if not who:
            import getpass

            try:
                who = getpass.getuser()  # $USER, $LOGNAME, else the account name
            except (KeyError, OSError):
                who = ""
        cid = record_correction(open_db(db_url(db)), figure_id, changes, note, who)
        click.echo(f"correction {cid} recorded for {figure_id}: "
                   + ", ".join(f"{k} -> {v}" for k, v in changes.items()))

    @main.command(name="corrections")
    @db_option
    @click.option("--format", "fmt", type=click.Choice(["table", "jsonl", "csv"]), default="table",
                  show_default=True)
    def corrections_cmd(db: str | None, fmt: str) -> None:
        """List corrections; those that no longer match a figure are marked."""
        from pipeline.corrections import listing
        from pipeline.load import open_db
        from solieu.export import write

        records = list(listing(open_db(db_url(db), readonly=True)))
        if fmt != "table":
            write(records, fmt, sys.stdout, None)
            return
        from rich.console import Console
        from rich.table import Table

        t = Table("id", "figure", "field", "old", "new", "who", "at", "note", "status")
        for r in records:
            status = "applied" if r["matched"] else f"NO LONGER MATCHES (was {r['first_figure_id']}: {r['raw']!r})"
            t.add_row(str(r["id"]), str(r["figure_id"] or "-"), r["field"], str(r["old"]), str(r["new"]), r["who"],
                      r["at"].isoformat(timespec="seconds") if r["at"] else "", r["note"], status)
        Console(width=200).print(t)
        lost = sum(not r["matched"] for r in records)
        click.echo(f"{len(records)} corrections, {lost} no longer matching a figure"
                   + ("; re-record them on the figures that replaced them" if lost else ""))

    @main.command()
    @click.argument("figure_id")
    @click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.png")
    @click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Folder the ingested paths are relative to (default: the working folder).")
    @click.option("--dpi", type=click.IntRange(36, 600), default=110, show_default=True)
    @db_option
    def page(figure_id: str, out: Path, root: Path | None, dpi: int, db: str | None) -> None:
        """Draw the figure's page from its source PDF with the figure's box highlighted."""
        from pipeline.load import open_db
        from solieu.page import figure_page_png

        if out.suffix.lower() != ".png":
            raise UsageError(f"--out {out}: `solieu page` writes a .png file")
        out.write_bytes(figure_page_png(open_db(db_url(db), readonly=True), figure_id, root=root, dpi=dpi))
        click.echo(f"wrote {out}", err=True)

    @main.command()
    @click.option("--indicator", default=None, help="Indicator id or Vietnamese name (indicators.yaml).")
    @click.option("--subject", default=None, help="Words the subject contains.")
    @click.option("--by", "by", type=click.Choice(["year", "district", "period"]), required=True)
    @click.option("--agg", type=click.Choice(["sum", "max", "mean", "count"]), default="sum", show_default=True)
    @click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="FILE.png, FILE.svg or FILE.html")
    @db_option
    def plot(indicator: str | None, subject: str | None, by: str, agg: str, out: Path, db: str | None) -> None:
        """Chart the matching facts across years, districts or periods (gaps where missing; plan vs actual)."""
        from solieu.dataset import Dataset
        from solieu.plot import plot as draw

        if (indicator is None) == (subject is None):
            raise UsageError("give exactly one of --indicator NAME or --subject TEXT")
        data = draw(Dataset(db).facts(), out, by=by, indicator=indicator, subject=subject, agg=agg)
        click.echo(f"wrote {out} ({data['value'].notna().sum()} points, {data['value'].isna().sum()} gaps)", err=True)
