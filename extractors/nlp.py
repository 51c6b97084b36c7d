"""The Vietnamese NLP layer: pyvi's word segmentation and part-of-speech tags, loaded once per process.

Only what a word list cannot reach goes through here: whether the word after a number is a noun (an open-
vocabulary count) and where the predicate of a counted noun phrase ends. The tagger runs on short windows
around numbers, never on whole documents, so its cost grows with the figures, not with the text.

The tokens and tags are exactly those of `spacy.blank("vi")` (pyvi segmentation) + pyvi's ViPosTagger, but
computed by extractors.vi_tagger on python-crfsuite alone: importing spaCy, pyvi, scikit-learn and SciPy cost a
fresh process (a CLI call, a Dask or Prefect worker) seconds before its first open count. The count pattern
below is the spaCy Matcher pattern it replaces, written out (tests/test_vi_tagger.py checks both agree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from extractors.vi_tagger import LOAD_SECONDS, Doc, Token, parse
from extractors.vocab import vocabulary

__all__ = ["LOAD_SECONDS", "VLSP_TO_UD", "CountMatcher", "Doc", "Token", "count_matcher", "tag_windows"]

#: pyvi's tag set (VLSP) mapped to Universal POS, so a pattern may read either `tag_` or `pos_`.
VLSP_TO_UD = {
    "N": "NOUN", "Nc": "NOUN", "Nu": "NOUN", "Ny": "PROPN", "Np": "PROPN", "Nb": "NOUN",
    "M": "NUM", "V": "VERB", "Vb": "VERB", "Vy": "VERB", "A": "ADJ", "Ab": "ADJ",
    "P": "PRON", "L": "DET", "R": "ADV", "E": "ADP", "C": "CCONJ", "Cc": "CCONJ",
    "I": "INTJ", "T": "PART", "B": "X", "Y": "X", "S": "X", "X": "X", "Z": "X", "F": "PUNCT",
}


def tag_windows(texts: Iterable[str]) -> list[Doc]:
    """Segment and tag short texts."""
    return [parse(t, VLSP_TO_UD) for t in texts]


#: Tags of a counted lower-case noun ("28 trạm y tế", "3 ổ dịch") and of a counted acronym ("12 HTX").
_LOWER_NOUN_TAGS = frozenset({"N", "Nc", "Nu"})
_ACRONYM_TAGS = frozenset({"N", "Ny", "Np"})
_NUMBER = re.compile(r"^\d")


class CountMatcher:
    """A count: a number, any scale words ("1,2 nghìn"), then a noun (or an acronym), whatever the noun.

    The spaCy Matcher pattern it stands for, with spaCy's semantics (every match, each length of the `*`):
    [{"TEXT": {"REGEX": r"^\\d"}}, {"LOWER": {"IN": scale_words}, "OP": "*"},
     {"TAG": {"IN": ["N", "Nc", "Nu"]}, "IS_LOWER": True}]  and the same ending
    {"TAG": {"IN": ["N", "Ny", "Np"]}, "IS_UPPER": True, "LENGTH": {">=": 2}}.
    """

    def __init__(self, scale_words: Iterable[str]) -> None:
        self.scale_words = frozenset(scale_words)

    @staticmethod
    def _is_noun(t: Token) -> bool:
        return ((t.tag_ in _LOWER_NOUN_TAGS and t.is_lower)
                or (t.tag_ in _ACRONYM_TAGS and t.is_upper and len(t.text) >= 2))

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        """Return ("COUNT", start, end) for every match in doc, by start then end."""
        out: list[tuple[str, int, int]] = []
        tokens = doc.tokens
        for start, t in enumerate(tokens):
            if not _NUMBER.search(t.text):
                continue
            j = start + 1
            while j < len(tokens):
                if self._is_noun(tokens[j]):
                    out.append(("COUNT", start, j + 1))
                if tokens[j].lower_ not in self.scale_words:
                    break
                j += 1
        return out


@cache
def count_matcher() -> CountMatcher:
    """Return the matcher of a count: a number, then a noun (or an acronym), whatever the noun."""
    return CountMatcher(vocabulary().scale_words)
