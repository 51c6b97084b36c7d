"""pyvi's word segmenter and part-of-speech tagger, run straight on python-crfsuite.

The same CRF models (read from the installed pyvi package), the same features, the same tokens and tags as
`spacy.blank("vi")` (whose tokenizer calls pyvi) followed by pyvi's ViPosTagger — without importing spaCy,
scikit-learn or SciPy, which cost a fresh process seconds (pyvi pickles sklearn_crfsuite.CRF objects, and
unpickling those imports scikit-learn). tests/test_vi_tagger.py proves the equality with spaCy + pyvi as oracle.

Adapted code: the feature functions and the segmentation rule come from pyvi 0.1.1 (ViTokenizer.py,
ViPosTagger.py; MIT License, Copyright (c) 2016 Viet-Trung Tran); the whitespace-keeping syllable split, the
word joining and the word/space alignment come from spaCy 3.8 (spacy/lang/vi/__init__.py, which adapts the
same pyvi code, and spacy/util.py get_words_and_spaces; MIT License, Copyright (C) 2016-2024 ExplosionAI GmbH).
"""

from __future__ import annotations

import codecs
import pickle
import re
import string
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from core.errors import NLPModelMissing

if TYPE_CHECKING:
    import pycrfsuite

#: Seconds the last model load took (pickles read, taggers opened): bench/ reports it.
LOAD_SECONDS: list[float] = []

_SEGMENTER_MODEL = "pyvi3.pkl"     # pyvi's ViTokenizer.model_file on Python 3
_TAGGER_MODEL = "pyvipos3.pkl"     # pyvi's ViPosTagger.model_file on Python 3


def models_dir() -> Path:
    """Return pyvi's models folder without importing pyvi (its import unpickles through scikit-learn)."""
    spec = find_spec("pyvi")
    if spec is None or not spec.submodule_search_locations:
        raise NLPModelMissing("pyvi's CRF models are not installed: run `pip install pyvi` (solieu depends on it)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class _PickledState:
    """Stand-in for sklearn_crfsuite's CRF and FileResource: keeps the pickled attributes, imports nothing."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


class _Ignored:
    """Stand-in for what the CRF's pickle holds beside the model (numpy scalars, the training log)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


#: The only globals pyvi's pickles may name; anything else is refused (a pickle can run any code it names).
_ALLOWED: dict[tuple[str, str], Any] = {
    ("sklearn_crfsuite.estimator", "CRF"): _PickledState,
    ("sklearn_crfsuite._fileresource", "FileResource"): _PickledState,
    ("pycrfsuite._logparser", "TrainLogParser"): _Ignored,
    ("numpy.core.multiarray", "scalar"): _Ignored,        # the CRF's c1, c2 hyper-parameters
    ("numpy", "dtype"): _Ignored,
    ("_codecs", "encode"): codecs.encode,                  # how protocol 2 stores bytes: the model file itself
}


class _CRFUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(f"pyvi model names {module}.{name}, which solieu does not load") from None


def crf_model_bytes(path: Path) -> bytes:
    """Return the crfsuite model file a pickled sklearn_crfsuite.CRF holds, without importing scikit-learn."""
    try:
        with path.open("rb") as f:
            crf = _CRFUnpickler(f).load()
    except FileNotFoundError:
        raise NLPModelMissing(f"{path} is missing: reinstall pyvi (`pip install --force-reinstall pyvi`)") from None
    # sklearn_crfsuite's FileResource pickles its temporary model file's bytes under this key.
    data = crf.modelfile.__dict__.get("__FILE_RESOURCE_DATA__")
    if not isinstance(data, bytes):
        raise NLPModelMissing(f"{path} holds no crfsuite model: reinstall pyvi 0.1.1")
    return data


@dataclass(frozen=True)
class _Models:
    segmenter: pycrfsuite.Tagger
    tagger: pycrfsuite.Tagger
    bi_grams: frozenset[str]
    tri_grams: frozenset[str]
    buffers: tuple[bytes, bytes]         # the taggers read these in place (open_inmemory does not copy them)
    # A crfsuite tagger keeps the sequence it is given between set() and viterbi(); Prefect's thread pool may
    # call extract() from several threads at once.
    lock: threading.Lock = field(default_factory=threading.Lock)


@cache
def _models() -> _Models:
    t0 = time.perf_counter()
    import pycrfsuite

    folder = models_dir()
    seg, pos = pycrfsuite.Tagger(), pycrfsuite.Tagger()
    seg_bytes, pos_bytes = crf_model_bytes(folder / _SEGMENTER_MODEL), crf_model_bytes(folder / _TAGGER_MODEL)
    seg.open_inmemory(seg_bytes)
    pos.open_inmemory(pos_bytes)
    bi: set[str] = set()
    tri: set[str] = set()
    # As pyvi's ViTokenizer reads it: one word a line, its syllables separated by single spaces.
    for line in (folder / "words.txt").read_text(encoding="utf-8").split("\n"):
        n = len(line.split(" "))
        if n == 2:
            bi.add(line)
        elif n == 3:
            tri.add(line)
    models = _Models(seg, pos, frozenset(bi), frozenset(tri), (seg_bytes, pos_bytes))
    LOAD_SECONDS.append(time.perf_counter() - t0)
    return models


# ---- segmentation (pyvi's ViTokenizer as spaCy's VietnameseTokenizer calls it) ----

#: spaCy's pyvi_sylabelize_with_ws: whitespace runs, then pyvi's syllable patterns in pyvi's order.
_SYLLABLE = re.compile("(" + "|".join([
    r"\s+",                                                   # whitespace kept, to rebuild the text
    r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\.",  # abbreviations
    r"==>", r"->", r"\.\.\.", r">>",                          # specials
    r"\w+://[^\s]+",                                          # web address
    r"([a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+)",    # e-mail
    r"\d+([\.,_]\d+)+",                                       # a number with separators
    r"[^\w\s]",                                               # one sign
    r"\w+",                                                   # a syllable
]) + ")", re.UNICODE)


def _segmenter_features(sent: list[str], i: int, bi_grams: frozenset[str],
                        tri_grams: frozenset[str]) -> dict[str, Any]:
    """Return pyvi ViTokenizer.word2features(sent, i) (same keys, same order, same values)."""
    word = sent[i]
    features: dict[str, Any] = {
        "bias": 1.0,
        "word.lower()": word.lower(),
        "word.isupper()": word.isupper(),
        "word.istitle()": word.istitle(),
        "word.isdigit()": word.isdigit(),
    }
    if i > 0:
        word1 = sent[i - 1]
        features.update({
            "-1:word.lower()": word1.lower(),
            "-1:word.istitle()": word1.istitle(),
            "-1:word.isupper()": word1.isupper(),
            "-1:word.bi_gram()": " ".join([word1, word]).lower() in bi_grams,
        })
        if i > 1:
            word2 = sent[i - 2]
            features.update({
                "-2:word.tri_gram()": " ".join([word2, word1, word]).lower() in tri_grams,
            })
    if i < len(sent) - 1:
        word1 = sent[i + 1]
        features.update({
            "+1:word.lower()": word1.lower(),
            "+1:word.istitle()": word1.istitle(),
            "+1:word.isupper()": word1.isupper(),
            "+1:word.bi_gram()": " ".join([word, word1]).lower() in bi_grams,
        })
        if i < len(sent) - 2:
            word2 = sent[i + 2]
            features.update({
                "+2:word.tri_gram()": " ".join([word, word1, word2]).lower() in tri_grams,
            })
    return features


def segment(text: str) -> list[str]:
    """Return the words of text as spaCy's Vietnamese tokenizer (use_pyvi) finds them, whitespace kept inside."""
    if len(text) == 0:
        return []
    if text.isspace():
        return [text]
    m = _models()
    segs = [g[0] for g in _SYLLABLE.findall(text)]
    words: list[str] = []
    preceding_ws: list[str] = []
    for i, token in enumerate(segs):
        if not token.isspace():
            words.append(token)
            preceding_ws.append("" if (i == 0 or not segs[i - 1].isspace()) else segs[i - 1])
    xseq = [_segmenter_features(words, i, m.bi_grams, m.tri_grams) for i in range(len(words))]
    with m.lock:
        labels = m.segmenter.tag(xseq)
    token = words[0]
    tokens: list[str] = []
    for i in range(1, len(labels)):
        # `in string.punctuation` is a substring test in pyvi: kept as it is, "()" counts as punctuation too.
        if (labels[i] == "I_W"
                and words[i] not in string.punctuation
                and words[i - 1] not in string.punctuation
                and not words[i][0].isdigit()
                and not words[i - 1][0].isdigit()
                and not (words[i][0].istitle() and not words[i - 1][0].istitle())):
            token = token + preceding_ws[i] + words[i]
        else:
            tokens.append(token)
            token = words[i]
    tokens.append(token)
    return tokens


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """Align words with text as spaCy's util.get_words_and_spaces does: extra whitespace becomes a token."""
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError(f"words {words!r} do not spell {text!r}")
    out_words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for word in (w for w in words if not w.isspace()):
        start = text.find(word, pos)
        if start < 0:
            raise ValueError(f"word {word!r} not found in {text!r}")
        if start > pos:
            out_words.append(text[pos:start])
            spaces.append(False)
            pos = start
        out_words.append(word)
        spaces.append(False)
        pos += len(word)
        if pos < len(text) and text[pos] == " ":
            spaces[-1] = True
            pos += 1
    if pos < len(text):
        out_words.append(text[pos:])
        spaces.append(False)
    return out_words, spaces


# ---- part-of-speech tags (pyvi's ViPosTagger) ----

#: pyvi ViPosTagger.filtered_tags: signs the tagger is told are signs.
_FILTERED = frozenset(string.punctuation) | {"\u2026", "\u201d", "\u201c", "\u2019", "..."}


def _tagger_features(sent: list[str], i: int) -> dict[str, Any]:
    """Return pyvi ViPosTagger.word2features(sent, i) (same keys, same order, same values)."""
    word = sent[i]
    features: dict[str, Any] = {
        "bias": 1.0,
        "word.lower()": word.lower(),
        "word.istitle()": word.istitle(),
        "word.isdigit()": word.isdigit(),
        "word[:1].isdigit()": word[:1].isdigit(),
        "word[:3].isupper()": word[:3].isupper(),
        "word.isfiltered": word in _FILTERED,
    }
    if i > 0:
        word1 = sent[i - 1]
        features.update({
            "-1:word.lower()": word1.lower(),
            "-1:word.istitle()": word1.istitle(),
            "-1:word[:1].isdigit()": word1[:1].isdigit(),
            "-1:word[:3].isupper()": word1[:3].isupper(),
        })
        if i > 1:
            word2 = sent[i - 2]
            features.update({
                "-2:word.lower()": word2.lower(),
                "-2:word.istitle()": word2.istitle(),
                "-2:word.isupper()": word2.isupper(),
            })
    else:
        features["BOS"] = True
    if i < len(sent) - 1:
        word1 = sent[i + 1]
        features.update({
            "+1:word.lower()": word1.lower(),
            "+1:word.istitle()": word1.istitle(),
            "+1:word[:1].isdigit()": word1[:1].isdigit(),
            "+1:word.isupper()": word1.isupper(),
        })
        if i < len(sent) - 2:
            word2 = sent[i + 2]
            features.update({
                "+2:word.lower()": word2.lower(),
                "+2:word.istitle()": word2.istitle(),
                "+2:word.isupper()": word2.isupper(),
            })
    else:
        features["EOS"] = True
    return features


def pos_tags(words: list[str]) -> list[str]:
    """Return pyvi's VLSP tag of each word (pyvi's form: syllables joined by "_")."""
    if not words:
        return []
    m = _models()
    xseq = [_tagger_features(words, i) for i in range(len(words))]
    with m.lock:
        return list(m.tagger.tag(xseq))


# ---- the tagged text: the part of spaCy's Doc/Token/Span that solieu reads ----

@dataclass
class Token:
    """One word: its text (syllables joined by their spaces), offset in the doc, index, VLSP and UD tags."""

    text: str
    idx: int
    i: int
    tag_: str = ""
    pos_: str = ""
    whitespace_: str = ""

    @property
    def is_lower(self) -> bool:
        """Say whether the word is in lower case (spaCy's IS_LOWER)."""
        return self.text.islower()

    @property
    def is_upper(self) -> bool:
        """Say whether the word is in upper case (spaCy's IS_UPPER)."""
        return self.text.isupper()

    @property
    def lower_(self) -> str:
        """Return the word in lower case (spaCy's LOWER)."""
        return self.text.lower()


@dataclass(frozen=True)
class Span:
    """Tokens start..end-1 of a doc."""

    doc: Doc
    start: int
    end: int

    @property
    def text(self) -> str:
        """Return the span's text, without the last token's trailing whitespace (as spaCy's Span.text)."""
        if self.start >= self.end:
            return ""
        last = self.doc.tokens[self.end - 1]
        return self.doc.text[self.doc.tokens[self.start].idx:last.idx + len(last.text)]


@dataclass
class Doc:
    """A segmented, tagged text: iterate, index or slice it like a spaCy Doc."""

    text: str
    tokens: list[Token] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    @overload
    def __getitem__(self, key: int) -> Token: ...
    @overload
    def __getitem__(self, key: slice) -> Span: ...
    def __getitem__(self, key: int | slice) -> Token | Span:
        if isinstance(key, slice):
            start, end, _ = key.indices(len(self.tokens))
            return Span(self, start, max(start, end))
        return self.tokens[key]


def parse(text: str, ud: dict[str, str]) -> Doc:
    """Segment text into words and tag each one: what spacy.blank("vi") + pyvi's ViPosTagger gave."""
    words, spaces = words_and_spaces(segment(text), text)
    doc = Doc(text)
    idx = 0
    for i, (w, sp) in enumerate(zip(words, spaces, strict=True)):
        doc.tokens.append(Token(w, idx, i, whitespace_=" " if sp else ""))
        idx += len(w) + sp
    # pyvi joins the syllables of one word with "_"; its tagger reads words that way.
    for token, tag in zip(doc.tokens, pos_tags(["_".join(t.text.split()) or "_" for t in doc.tokens]),
                          strict=True):
        token.tag_ = tag
        token.pos_ = ud.get(tag, "X")
    return doc
