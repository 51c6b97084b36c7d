"""Render the seed report (corpus/seed/*.md) to a born-digital A4 PDF with real footnotes.

The Markdown transcription keeps the original page breaks: a paragraph that ends without punctuation
("… Dịch bệnh") continues on the next page, footnotes ("---" then "<sup>1</sup> …") close a page, and a
run of three or more blank lines is a break between paragraphs. This script lays each of those pages out
on one PDF page (serif font, bold headings, italic spans, superscript markers and m², footnotes at the
bottom in a smaller font, centred page numbers, signature block at the end). Output is deterministic.

Usage: python scripts/render_seed_pdf.py [SRC.md] [OUT.pdf]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "corpus/seed/binhson-2021-dan-van-kheo.md"
OUT = ROOT / "corpus/seed/binhson-2021-dan-van-kheo.pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVuSerif"

BODY_PT = 11.5
BODY_LH = 5.6        # mm per body line
NOTE_PT = 9.5
NOTE_LH = 4.4
LEFT, RIGHT, TOP, BOTTOM = 30.0, 15.0, 20.0, 22.0   # mm, Vietnamese administrative layout (ND 30/2020)
PAGE_W, PAGE_H = 210.0, 297.0
INDENT = 10.0        # first-line indent of body paragraphs
FIXED_DATE = datetime(2021, 12, 1, tzinfo=UTC)   # any fixed date: keeps the file byte-identical across runs


@dataclass
class Block:
    """A Markdown paragraph: its kind and inline text (markup kept for the run parser)."""

    kind: str      # "star" | "number" | "title" | "subtitle" | "rule" | "heading" | "para" | "item"
                   # | "footnote" | "recipients-head" | "recipient" | "signature"
    text: str
    continues: bool = False   # the paragraph continues a paragraph cut by the previous page break


@dataclass
class SeedPage:
    """One original page: body blocks then footnotes."""

    blocks: list[Block] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)


def parse(md: str) -> list[SeedPage]:
    """Split the Markdown into original pages of blocks."""
    lines = md.split("\n")
    paras: list[tuple[str, int]] = []   # (paragraph text, blank lines before it)
    buf: list[str] = []
    blanks = 0
    for line in [*lines, ""]:
        if line.strip():
            buf.append(line)
            continue
        if buf:
            # "  " at a line end is a Markdown hard break; other line ends are spaces
            text = "".join(b[:-2] + "\n" if b.endswith("  ") else b + " " for b in buf).strip()
            paras.append((text, blanks))
            buf, blanks = [], 0
        blanks += 1
    pages: list[SeedPage] = [SeedPage()]
    after_recipients = False
    cut = False
    for i, (text, before) in enumerate(paras):
        page = pages[-1]
        if before >= 3 and page.blocks:      # three+ empty lines: a page break between paragraphs
            pages.append(page := SeedPage())
        if text == "\\*":
            page.blocks.append(Block("star", "*"))
        elif text.startswith("Số ") and len(text) < 30:
            page.blocks.append(Block("number", text))
        elif text.startswith("## **BÁO CÁO"):
            page.blocks.append(Block("title", text.lstrip("# ")))
        elif text.startswith("### **kết quả"):
            page.blocks.append(Block("subtitle", text.lstrip("# ")))
        elif re.fullmatch(r"-{5,}", text):
            page.blocks.append(Block("rule", ""))
        elif text == "---":
            continue                                    # footnote separator: drawn with the notes
        elif text.startswith("<sup>"):
            page.notes.append(Block("footnote", text))
            nxt = paras[i + 1][0] if i + 1 < len(paras) else ""
            if not nxt.startswith("<sup>"):             # the footnotes close the page
                pages.append(SeedPage())
            continue
        elif text.startswith("#"):
            page.blocks.append(Block("heading", text.lstrip("# ")))
        elif text == "Nơi nhận:":
            page.blocks.append(Block("recipients-head", text))
            after_recipients = True
        elif text.startswith("- ") and after_recipients:
            for item in text.split(" - "):
                page.blocks.append(Block("recipient", item if item.startswith("- ") else "- " + item))
        elif after_recipients and text.startswith("**"):
            page.blocks.append(Block("signature", text))
        elif text.startswith("- "):
            page.blocks.append(Block("item", text))
        else:
            page.blocks.append(Block("para", text, continues=cut))
        cut = False
        kind = page.blocks[-1].kind if page.blocks else ""
        if kind == "para" and re.search(r"\w$", text):
            # a body paragraph ending mid-sentence: the original page ended here (after its footnotes)
            cut = True
            nxt = paras[i + 1][0] if i + 1 < len(paras) else ""
            if not nxt.startswith(("<sup>", "---")):
                pages.append(SeedPage())
    return [p for p in pages if p.blocks or p.notes]


TOKEN = re.compile(r"(\\\*|\*\*\*|\*\*|\*|<sup>[^<]*</sup>)")


def runs(text: str, bold: bool = False, italic: bool = False) -> list[tuple[str, str, bool]]:
    """Turn inline Markdown into (text, style, superscript) runs."""
    out: list[tuple[str, str, bool]] = []
    for tok in TOKEN.split(text):
        if not tok:
            continue
        if tok == "\\*":
            out.append(("*", style(bold, italic), False))
        elif tok == "***":
            bold, italic = not bold, not italic
        elif tok == "**":
            bold = not bold
        elif tok == "*":
            italic = not italic
        elif tok.startswith("<sup>"):
            out.append((tok[5:-6], style(bold, italic), True))
        else:
            out.append((tok, style(bold, italic), False))
    return out


def style(bold: bool, italic: bool) -> str:
    """Return the fpdf style letters."""
    return ("B" if bold else "") + ("I" if italic else "")


class SeedPDF(FPDF):
    """FPDF with the seed's fonts, run writer and page furniture."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        for st, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"),
                         ("I", "DejaVuSerif-Italic.ttf"), ("BI", "DejaVuSerif-BoldItalic.ttf")):
            self.add_font(FONT, st, str(FONT_DIR / name))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(False)
        self.set_creation_date(FIXED_DATE)
        self.set_title("Báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2021")
        self.set_author("Ban Thường vụ Huyện ủy Bình Sơn")
        self.set_creator("solieu scripts/render_seed_pdf.py")
        self.set_producer("fpdf2")
        self.sup_scale = 0.65
        self.sup_lift = 0.45

    def footer(self) -> None:
        """Print the page number centred at the bottom."""
        self.set_y(PAGE_H - 14)
        self.set_font(FONT, "", NOTE_PT + 0.5)
        self.char_vpos = "LINE"
        self.cell(0, 5, str(self.page_no()), align="C")

    def write_runs(self, rs: list[tuple[str, str, bool]], size: float, lh: float) -> None:
        """Write runs as flowing text; superscripts raised and smaller."""
        for text, st, sup in rs:
            self.set_font(FONT, st, size)
            self.char_vpos = "SUP" if sup else "LINE"
            self.write(lh, text)
        self.char_vpos = "LINE"

    def width_of(self, rs: list[tuple[str, str, bool]], size: float) -> float:
        """Return the printed width of runs on one line."""
        w = 0.0
        for text, st, sup in rs:
            self.set_font(FONT, st, size * (self.sup_scale if sup else 1))
            w += self.get_string_width(text)
        return w

    def centered(self, rs: list[tuple[str, str, bool]], size: float, lh: float, x0: float, x1: float) -> None:
        """Write one line of runs centred between x0 and x1 (wraps if too long)."""
        w = self.width_of(rs, size)
        self.set_x(x0 + max((x1 - x0 - w) / 2, 0))
        self.write_runs(rs, size, lh)
        self.ln(lh)


def layout_page(pdf: SeedPDF, page: SeedPage, number: int) -> None:
    """Lay one transcribed page out; it flows onto another PDF page only if it has no footnotes."""
    if number > 1:
        pdf.add_page()
    right = PAGE_W - RIGHT
    notes_h = 0.0
    note_lines: list[list[tuple[str, str, bool]]] = []
    for note in page.notes:
        rs = runs(note.text)
        note_lines.append(rs)
        # fpdf2 wraps at word boundaries; estimate lines from the width and keep a spare line
        n = int(pdf.width_of(rs, NOTE_PT) / (right - LEFT - INDENT)) + 1
        notes_h += n * NOTE_LH
    # a page the transcription did not break further flows on (fpdf2 breaks mid-paragraph, which is
    # what an original does); a page with footnotes must hold its body above them
    pdf.set_auto_page_break(True, margin=BOTTOM + (notes_h + 4 if note_lines else 0))
    first_pdf_page = pdf.page_no()
    sig_top: float | None = None
    for b in page.blocks:
        if b.kind == "star":
            pdf.centered([("*", "", False)], BODY_PT, BODY_LH, LEFT, LEFT + 75)
        elif b.kind == "number":
            pdf.centered(runs(b.text), BODY_PT, BODY_LH, LEFT, LEFT + 75)
            pdf.ln(4)
        elif b.kind == "title":
            pdf.centered(runs(b.text), BODY_PT + 3, BODY_LH + 2, LEFT, right)
        elif b.kind == "subtitle":
            pdf.centered(runs(b.text, bold=False), BODY_PT + 1, BODY_LH + 1, LEFT, right)
        elif b.kind == "rule":
            y = pdf.get_y() + 1.5
            pdf.set_line_width(0.3)
            pdf.line(LEFT + (right - LEFT) / 2 - 20, y, LEFT + (right - LEFT) / 2 + 20, y)
            pdf.ln(6)
        elif b.kind == "heading":
            pdf.ln(1)
            pdf.set_x(LEFT + INDENT)
            rs = runs(b.text)
            if not any("B" in st for _, st, _ in rs):      # headings are bold even where the md forgot
                rs = [(t, "B" + st.replace("B", ""), s) for t, st, s in rs]
            pdf.write_runs(rs, BODY_PT, BODY_LH)
            pdf.ln(BODY_LH + 1)
        elif b.kind in ("para", "item"):
            pdf.set_x(LEFT if b.continues else LEFT + INDENT)
            pdf.write_runs(runs(b.text), BODY_PT, BODY_LH)
            pdf.ln(BODY_LH + 1)
        elif b.kind == "recipients-head":
            pdf.ln(4)
            sig_top = pdf.get_y()
            pdf.set_x(LEFT)
            pdf.write_runs([(b.text, "BI", False)], BODY_PT - 1, BODY_LH - 1)
            pdf.ln(BODY_LH - 1)
        elif b.kind == "recipient":
            pdf.set_x(LEFT)
            pdf.write_runs(runs(b.text), NOTE_PT + 0.5, NOTE_LH + 0.4)
            pdf.ln(NOTE_LH + 0.4)
        elif b.kind == "signature":
            # the signature sits to the right of the recipients, as on the original
            if sig_top is not None:
                pdf.set_y(sig_top)
                sig_top = None
            else:
                pdf.ln(22)                                  # room for the hand signature and seal
            for line in b.text.replace("**", "").split("\n"):
                pdf.centered([(line.strip(), "B", False)], BODY_PT, BODY_LH, LEFT + 85, right)
    pdf.set_auto_page_break(False)
    if note_lines and pdf.page_no() != first_pdf_page:
        raise SystemExit(f"the page ending {page.blocks[-1].text[-30:]!r} overflows: lower BODY_PT or BODY_LH")
    if note_lines:
        y = PAGE_H - BOTTOM - notes_h
        pdf.set_line_width(0.2)
        pdf.line(LEFT, y - 1.5, LEFT + 50, y - 1.5)
        pdf.set_y(y)
        for rs in note_lines:
            pdf.set_x(LEFT + INDENT)
            pdf.write_runs(rs, NOTE_PT, NOTE_LH)
            pdf.ln(NOTE_LH)
        if pdf.get_y() > PAGE_H - BOTTOM + 1:
            raise SystemExit(f"footnotes of page {number} overflow")


def main(argv: list[str]) -> int:
    """Render SRC.md (default: the seed) to OUT.pdf."""
    src = Path(argv[1]) if len(argv) > 1 else SRC
    out = Path(argv[2]) if len(argv) > 2 else OUT
    md = src.read_text(encoding="utf-8")
    pages = parse(md)
    pdf = SeedPDF()
    pdf.add_page()
    for n, page in enumerate(pages, start=1):
        layout_page(pdf, page, n)
    # fpdf2 derives the trailer /ID from the time and content: a fixed one keeps the file byte-identical
    pdf.file_id = lambda: "<5D0B1A1E0A5E0D1E5D0B1A1E0A5E0D1E><5D0B1A1E0A5E0D1E5D0B1A1E0A5E0D1E>"  # type: ignore[method-assign]
    pdf.output(str(out))
    print(f"{out}: {pdf.pages_count} pages from {len(pages)} transcribed pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
