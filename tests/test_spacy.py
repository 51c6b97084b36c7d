"""solieu inside spaCy: `spacy.blank("vi").add_pipe("solieu_figures")` on the seed gives its 30 gold figures."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from functools import cache
from importlib.metadata import entry_points

import pytest
import regex
import spacy
from spacy import displacy
from spacy.tokens import Doc

from extractors.figures import extract
from pipeline.run import process_file
from solieu.evaluate import load_gold, score_figures
from tests.conftest import CORPUS

SEED_MD = CORPUS / "seed" / "binhson-2021-dan-van-kheo.md"
SEED_GOLD = CORPUS / "gold" / "binhson-2021-dan-van-kheo.json"


@cache
def _seed() -> tuple[str, Doc]:
    text = process_file(str(SEED_MD)).document.text   # the text solieu reads from the Markdown
    nlp = spacy.blank("vi")
    nlp.add_pipe("solieu_figures")
    return text, nlp(text)


def test_the_pipe_is_registered_through_spacys_entry_points() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert names.get("solieu_figures") == "extractors.spacy_component:make_figures"
    # A fresh interpreter that never imports solieu still finds the pipe by name.
    code = ("import spacy; nlp = spacy.blank('vi'); nlp.add_pipe('solieu_figures'); "
            "doc = nlp('Toàn huyện có 28 trạm y tế và 86 mô hình.'); "
            "print([(s.text, str(s._.figure.value), s.label_) for s in doc.spans['figures']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[('28 trạm y tế', '28', 'count'), ('86 mô hình', '86', 'count')]"


def test_seed_gives_its_30_gold_figures_with_values_units_and_subjects() -> None:
    text, doc = _seed()
    assert doc.text == text
    figures = [dataclasses.asdict(s._.figure) for s in doc.spans["figures"]]
    rep = score_figures(load_gold(SEED_GOLD), text, figures)
    assert (rep.overall.tp, rep.overall.fp, rep.overall.fn) == (30, 0, 0), (rep.missed, rep.false_positives)
    assert rep.value_correct == 30, rep.wrong
    assert rep.subject_accuracy >= 0.96, rep.subject_misses   # the seed-md floor's measured score


def test_spans_hold_the_very_figures_extract_returns_with_exact_offsets() -> None:
    text, doc = _seed()
    spans = list(doc.spans["figures"])
    assert [s._.figure for s in spans] == extract(text)
    for s in spans:
        f = s._.figure
        assert text[f.char_start:f.char_end] == f.raw
        assert s.start_char <= f.char_start < f.char_end <= s.end_char   # widened to whole tokens only
        assert s.label_ == f.kind


def test_displacy_renders_the_figure_spans() -> None:
    _, doc = _seed()
    html = displacy.render(doc, style="span", options={"spans_key": "figures"})
    labels = regex.findall(r">\s*(\w+)\s*</span>\s*</span>", html)   # one label per span, where it starts
    assert labels.count("count") == 12 and labels.count("money") == 8, labels   # as the gold has them
    assert "380.000.000" in html


@pytest.mark.parametrize("key", ["numbers"])
def test_the_spans_key_is_configurable(key: str) -> None:
    nlp = spacy.blank("vi")
    nlp.add_pipe("solieu_figures", config={"spans_key": key})
    doc = nlp("Kinh phí 2 tỷ đồng.")
    assert [s._.figure.value for s in doc.spans[key]] == [2000000000]
