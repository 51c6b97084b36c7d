"""The Vietnamese NLP layer: spaCy with pyvi word segmentation and part-of-speech tags, loaded once per process.

Only what a word list cannot reach goes through here: whether the word after a number is a noun (an open-
vocabulary count) and where the predicate of a counted noun phrase ends. The tagger runs on short windows
around numbers, never on whole documents, so its cost grows with the figures, not with the text.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from extractors.vocab import vocabulary

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

#: pyvi's tag set (VLSP) mapped to Universal POS, so spaCy patterns may use either `TAG` or `POS`.
VLSP_TO_UD = {
    "N": "NOUN", "Nc": "NOUN", "Nu": "NOUN", "Ny": "PROPN", "Np": "PROPN", "Nb": "NOUN",
    "M": "NUM", "V": "VERB", "Vb": "VERB", "Vy": "VERB", "A": "ADJ", "Ab": "ADJ",
    "P": "PRON", "L": "DET", "R": "ADV", "E": "ADP", "C": "CCONJ", "Cc": "CCONJ",
    "I": "INTJ", "T": "PART", "B": "X", "Y": "X", "S": "X", "X": "X", "Z": "X", "F": "PUNCT",
}
POS_COMPONENT = "solieu_vi_pos"

#: Seconds the last vi_pipeline() load took (import of spaCy and pyvi included): bench/ reports it.
LOAD_SECONDS: list[float] = []


def _tag_doc(doc: Doc) -> Doc:
    """Set each token's `tag_` (pyvi's VLSP tag) and `pos_` (its Universal POS) with pyvi's CRF tagger."""
    from pyvi import ViPosTagger

    if len(doc) == 0:
        return doc
    # pyvi joins the syllables of one word with "_"; its tagger reads words that way.
    words = ["_".join(t.text.split()) or "_" for t in doc]
    _, tags = ViPosTagger.postagging_tokens(words)
    for token, tag in zip(doc, tags, strict=True):
        token.tag_ = str(tag)
        token.pos_ = VLSP_TO_UD.get(str(tag), "X")
    return doc


@cache
def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(POS_COMPONENT):
        Language.component(POS_COMPONENT, func=_tag_doc)


@cache
def vi_pipeline() -> Language:
    """Return the Vietnamese pipeline (pyvi word segmentation + POS tags), built on first use."""
    t0 = time.perf_counter()
    import spacy

    _register()
    nlp = spacy.blank("vi")               # spaCy's Vietnamese tokenizer segments words with pyvi
    nlp.add_pipe(POS_COMPONENT)
    nlp("khởi động 5 hộ")                 # load pyvi's models now, not inside the first document
    LOAD_SECONDS.append(time.perf_counter() - t0)
    return nlp


def tag_windows(texts: Iterable[str]) -> list[Doc]:
    """Segment and tag short texts in one batch."""
    return list(vi_pipeline().pipe(texts))


@cache
def count_matcher() -> Matcher:
    """Return the Matcher of a count: a number, then a noun (or an acronym), whatever the noun."""
    from spacy.matcher import Matcher

    m = Matcher(vi_pipeline().vocab)
    number = {"TEXT": {"REGEX": r"^\d"}}
    scale = {"LOWER": {"IN": list(vocabulary().scale_words)}, "OP": "*"}              # "1,2 nghìn"
    m.add("COUNT", [
        [number, scale, {"TAG": {"IN": ["N", "Nc", "Nu"]}, "IS_LOWER": True}],          # "28 trạm y tế", "3 ổ dịch"
        [number, scale, {"TAG": {"IN": ["N", "Ny", "Np"]}, "IS_UPPER": True, "LENGTH": {">=": 2}}],  # "12 HTX"
    ])
    return m
