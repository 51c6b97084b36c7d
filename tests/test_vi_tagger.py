"""pyvi on python-crfsuite alone (extractors.vi_tagger) gives exactly spaCy + pyvi's tokens, tags and count matches.

The oracle is what the NLP layer ran before: `spacy.blank("vi")` (its tokenizer segments with pyvi, which
unpickles its CRFs through scikit-learn), pyvi's ViPosTagger on each token, and the spaCy Matcher pattern of a
count. Both run on a table of hard cases and on every line of the seed's and the public corpus's plain texts.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from core.errors import UnreadableDocument
from extractors.nlp import VLSP_TO_UD, count_matcher, tag_windows
from extractors.vi_tagger import _CRFUnpickler, crf_model_bytes, models_dir
from extractors.vocab import vocabulary
from pipeline.run import process_file
from tests.conftest import CORPUS

SENTENCES = [
    "có 4.951 cột điện bị đổ",
    "Toàn huyện có 28 trạm y tế và 86 mô hình.",
    "có 312 giếng khoan, 12 HTX và 3 Kim Đồng",
    "hơn 1,2 nghìn cột đèn chiếu sáng",
    "Bão làm 245 nhà bị tốc mái; 5 hồ chứa được nâng cấp.",
    "Công trình bị hư hỏng: 12 nhà, 5 trường học, 40 cột điện.",
    "lớp 3 trường Tiểu học Kim Đồng (Tổ 5, thôn 2)",
    "  hai  khoảng trắng   giữa\tcác từ  ",           # runs of whitespace become tokens of their own
    "dòng một\ndòng hai\r\n",
    "   ",
    "",
    "Tp. Hồ Chí Minh, ThS. Nguyễn Văn A, Dr. B và Mr. C",
    "Email: ubnd@binhson.gov.vn, web https://binhson.gov.vn/tin-tuc?id=5",
    "Kinh phí 1.250.500,75 triệu đồng ==> tăng 3,5% -> đạt ... >> mục tiêu…",
    "“Quốc lộ 1” (đoạn qua xã) - 16/21 xã đạt chuẩn () [] {}",
    "UBND HUYỆN BÌNH SƠN ĐÃ TIẾP 19 LƯỢT CÔNG DÂN",
    "Số đơn nhận được: 05",
    "phát sinh 0 vụ việc; đã tiếp được 19 lượt",
    "x 3.359 x 2.000 m2, 7 ha, 3 ổ dịch tay chân miệng",
    "Ngày 15/3/2021, Quyết định số 45/QĐ-UBND",
]


@cache
def _oracle() -> tuple[Language, Matcher]:
    from pyvi import ViPosTagger

    def tag(doc: Doc) -> Doc:
        if len(doc):
            _, tags = ViPosTagger.postagging_tokens(["_".join(t.text.split()) or "_" for t in doc])
            for token, t in zip(doc, tags, strict=True):
                token.tag_ = str(t)
                token.pos_ = VLSP_TO_UD.get(str(t), "X")
        return doc

    if not Language.has_factory("test_pyvi_pos"):
        Language.component("test_pyvi_pos", func=tag)
    nlp = spacy.blank("vi")
    assert nlp.tokenizer.use_pyvi   # type: ignore[attr-defined]
    nlp.add_pipe("test_pyvi_pos")
    m = Matcher(nlp.vocab)
    number = {"TEXT": {"REGEX": r"^\d"}}
    scale = {"LOWER": {"IN": list(vocabulary().scale_words)}, "OP": "*"}
    m.add("COUNT", [
        [number, scale, {"TAG": {"IN": ["N", "Nc", "Nu"]}, "IS_LOWER": True}],
        [number, scale, {"TAG": {"IN": ["N", "Ny", "Np"]}, "IS_UPPER": True, "LENGTH": {">=": 2}}],
    ])
    return nlp, m


def _compare(texts: list[str]) -> None:
    nlp, matcher = _oracle()
    ours = tag_windows(texts)
    for text, want, got in zip(texts, nlp.pipe(texts), ours, strict=True):
        assert got.text == want.text == text
        assert [(t.text, t.idx, t.whitespace_, t.tag_, t.pos_, t.is_lower) for t in got] == \
               [(t.text, t.idx, t.whitespace_, t.tag_, t.pos_, t.is_lower) for t in want], text
        assert sorted((s, e) for _, s, e in count_matcher()(got)) == sorted((s, e) for _, s, e in matcher(want)), text
        for _, s, e in count_matcher()(got):
            assert got[s:e].text == want[s:e].text


@pytest.mark.parametrize("text", SENTENCES, ids=[s[:40] or "<empty>" for s in SENTENCES])
def test_same_tokens_tags_and_matches_as_spacy_and_pyvi(text: str) -> None:
    _compare([text])


def _texts_read_fast() -> list[Path]:
    """Return the seed's and the public corpus's documents solieu reads without a PDF layer or OCR."""
    paths = [*CORPUS.glob("seed/*"), *CORPUS.glob("public/*")]
    return sorted(p for p in paths if p.suffix in (".md", ".txt", ".docx") and p.name != "SOURCES.md")


@pytest.mark.parametrize("path", _texts_read_fast(), ids=lambda p: p.name[:50])
def test_same_on_every_line_of_the_corpus(path: Path) -> None:
    try:
        text = process_file(str(path)).document.text     # the text solieu reads (TCVN3 recoded, Markdown reduced)
    except UnreadableDocument:
        pytest.skip("solieu reads no text from it")
    lines = [line for line in text.split("\n") if line.strip()]
    assert len(lines) >= 5
    _compare(lines)


def test_the_model_bytes_are_those_pyvi_tags_with() -> None:
    # The model bytes we read are the very model pyvi's unpickled CRF tags with.
    from pyvi import ViPosTagger, ViTokenizer

    assert crf_model_bytes(models_dir() / "pyvi3.pkl") == \
        Path(ViTokenizer.ViTokenizer.model.modelfile.name).read_bytes()
    assert crf_model_bytes(models_dir() / "pyvipos3.pkl") == \
        Path(ViPosTagger.ViPosTagger.model.modelfile.name).read_bytes()


def test_an_open_count_imports_neither_spacy_nor_pyvi_nor_scikit_learn() -> None:
    code = ("import sys; from extractors import extract; "
            "fs = extract('Toàn huyện có 7 bến đò.'); assert fs[0].subject == 'bến đò', fs; "
            "print(sorted(m for m in ('spacy', 'thinc', 'pyvi', 'sklearn', 'sklearn_crfsuite', 'scipy', 'numpy') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_pickle_naming_anything_else_is_refused() -> None:
    import io

    evil = pickle.dumps(subprocess.check_output)   # a global outside the stand-ins: never looked up
    with pytest.raises(pickle.UnpicklingError, match="does not load"):
        _CRFUnpickler(io.BytesIO(evil)).load()


def test_threads_tagging_at_once_get_the_serial_tags() -> None:
    # Prefect's ThreadPoolTaskRunner runs extract() in several threads sharing the one pair of taggers.
    from concurrent.futures import ThreadPoolExecutor

    texts = [s for s in SENTENCES if s.strip()] * 20
    want = [[(t.text, t.tag_) for t in d] for d in tag_windows(texts)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: [(x.text, x.tag_) for x in tag_windows([t])[0]], texts))
    assert got == want
