"""solieu inside spaCy: the `solieu_figures` pipe puts extract()'s figures in `doc.spans["figures"]`.

    nlp = spacy.blank("vi"); nlp.add_pipe("solieu_figures")
    doc = nlp(text); [(s.text, s._.figure.value, s._.figure.unit) for s in doc.spans["figures"]]

Registered through the `spacy_factories` entry point (pyproject.toml), so spaCy finds it once solieu is
installed. Each span is the figure's characters widened to whole tokens; `span._.figure` is the very Figure
extract() returns, its char_start/char_end still exact; the span's label is the figure's kind.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.figures import extract

FACTORY = "solieu_figures"
SPANS_KEY = "figures"

if not Span.has_extension("figure"):
    Span.set_extension("figure", default=None)


class FigureSpans:
    """The pipe: run extract() on the doc's text and store each figure as a span."""

    def __init__(self, name: str = FACTORY, spans_key: str = SPANS_KEY) -> None:
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        """Add the doc's figures to doc.spans[spans_key], each with span._.figure."""
        spans: list[Span] = []
        for fig in extract(doc.text):
            span = doc.char_span(fig.char_start, fig.char_end, label=fig.kind, alignment_mode="expand")
            if span is None:
                continue                   # only whitespace inside the figure's characters: nothing to show
            span._.figure = fig
            spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(FACTORY, default_config={"spans_key": SPANS_KEY})
def make_figures(nlp: Language, name: str, spans_key: str) -> FigureSpans:
    """Build the solieu_figures pipe (spaCy calls this through the entry point)."""
    return FigureSpans(name, spans_key)
