"""Detect and decode Vietnamese legacy-font text (TCVN3/ABC and VNI) line by line."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

ENCODINGS = ("tcvn3", "vni")
DATA = Path(__file__).resolve().parent / "data"

# Tone marks of Vietnamese as combining characters (NFD): huyền, sắc, ngã, hỏi, nặng.
_TONES = "\u0300\u0301\u0303\u0309\u0323"

# Letters that only exist in Unicode Vietnamese (outside Latin-1): a line holding one is Unicode, never legacy.
_UNICODE_ONLY = regex.compile(r"[ăĂđĐĩĨũŨơƠưƯ\u1EA0-\u1EF9]")

# A Vietnamese syllable without its tone mark: onset, vowel nucleus, coda.
_SYLLABLE = regex.compile(
    r"""^
    (?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?   # onset (optional)
    (?P<nuc>
        iêu|yêu|oai|oao|oay|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu      # three-vowel nuclei
      | ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi    # two-vowel nuclei
      | ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê
      | [aăâeêioôơuưy]                                          # single vowels
    )
    (?P<coda>ch|ng|nh|[cmnpt])?                                 # coda (optional)
    $""",
    regex.VERBOSE,
)

# Nuclei a coda may not follow (they end in a glide): "aic", "ưun" are not syllables.
_OPEN_ONLY = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa",
              "ưi", "ưu", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyu", "ươi", "ươu"}
# "nh"/"ch" only close these nuclei ("anh", "ếch", "uỳnh"), never "ơnh" or "ung" -> "unh".
_PALATAL_OK = {"a", "ê", "i", "y", "oa", "uê", "uy"}

# Latin-1 characters that no Vietnamese word contains (the Latin-1 Vietnamese letters are excluded).
FOREIGN_CHARS = regex.compile(r"[\u0080-\u009f\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce-\u00d1\u00d6-\u00d8"
                         r"\u00db-\u00dc\u00de-\u00df\u00e4-\u00e7\u00eb\u00ee-\u00f1\u00f6-\u00f8\u00fb-\u00fc\u00fe-\u00ff]")
_INNER_SYMBOL = regex.compile(r"[^\p{L}\p{M}\-'’./&]")
_LETTERISH = regex.compile(r"[\p{L}\p{M}\u00ad\u00a1-\u00bf\u00d7\u00f7]")


@cache
def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping")
    return data


@cache
def tcvn3_table() -> dict[str, str]:
    """Return the TCVN3 (ABC) character -> Unicode letter table."""
    table = {str(k): str(v) for k, v in _load("legacy_tcvn3.yaml")["map"].items()}
    for k in table:
        if len(k) != 1:
            raise ValueError(f"legacy_tcvn3.yaml: key {k!r} is not one character")
    return table


@cache
def vni_table() -> dict[str, str]:
    """Return the VNI byte sequence -> Unicode letter table (all letters with marks)."""
    data = _load("legacy_vni.yaml")
    table: dict[str, str] = {str(k): str(v) for k, v in data["letters"].items()}
    for case, bases in (("lower", "aeiouy"), ("upper", "AEIOUY")):
        tones: dict[str, str] = data["tones"][case]
        for b in bases:
            if b in "iI":
                continue  # toned i are single bytes (letters)
            for mark, comb in tones.items():
                table[b + mark] = unicodedata.normalize("NFC", b + comb)
        for b in [x for x in bases if x.lower() in "aeo"]:
            for mark, comb in data["circumflex"][case].items():
                table[b + mark] = unicodedata.normalize("NFC", b + "\u0302" + comb)
        a = "a" if case == "lower" else "A"
        for mark, comb in data["breve"][case].items():
            table[a + mark] = unicodedata.normalize("NFC", a + "\u0306" + comb)
        for horn in (("ô", "ö") if case == "lower" else ("Ô", "Ö")):
            for mark, comb in tones.items():
                table[horn + mark] = unicodedata.normalize("NFC", table[horn] + comb)
    return table


@cache
def _vni_regex() -> regex.Pattern[str]:
    keys = sorted(vni_table(), key=len, reverse=True)
    return regex.compile("|".join(regex.escape(k) for k in keys))


@cache
def _vni_mark_chars() -> frozenset[str]:
    return frozenset(c for k in vni_table() for c in k if ord(c) > 127)


@cache
def _encoder(encoding: str) -> dict[str, str]:
    table = tcvn3_table() if encoding == "tcvn3" else vni_table()
    inv: dict[str, str] = {}
    for k, v in table.items():
        # prefer the shortest/first spelling; TCVN3 has one code per letter
        if v not in inv or len(k) < len(inv[v]):
            inv[v] = k
    return inv


def encode(text: str, encoding: str) -> str:
    """Write Unicode text in a legacy encoding (upper-case toned letters become lower case in TCVN3)."""
    inv = _encoder(encoding)
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in inv:
            out.append(inv[ch])
        elif encoding == "tcvn3" and ch.lower() in inv and ch.lower() != ch:
            out.append(inv[ch.lower()])  # ABC has no capital toned letters: a .VnTimeH font shows them
        else:
            out.append(ch)
    return "".join(out)


def _decode_with_map(text: str, encoding: str) -> tuple[str, list[int]]:
    out: list[str] = []
    src: list[int] = []
    if encoding == "tcvn3":
        table = tcvn3_table()
        for i, ch in enumerate(text):
            out.append(table.get(ch, ch))
            src.append(i)
        return "".join(out), src
    pos = 0
    for m in _vni_regex().finditer(text):
        for i in range(pos, m.start()):
            out.append(text[i])
            src.append(i)
        out.append(vni_table()[m.group()])
        src.append(m.start())
        pos = m.end()
    for i in range(pos, len(text)):
        out.append(text[i])
        src.append(i)
    return "".join(out), src


def decode(text: str, encoding: str) -> str:
    """Decode a string known to be in a legacy encoding to NFC Unicode."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use one of {ENCODINGS}")
    return unicodedata.normalize("NFC", _decode_with_map(text, encoding)[0])


def is_syllable(word: str) -> bool:
    """Say whether word is one well-formed Vietnamese syllable (any case, at most one tone mark)."""
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for c in nfd if c in _TONES)
    if tones > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))
    m = _SYLLABLE.match(bare)
    if m is None:
        return False
    nuc, coda = m.group("nuc"), m.group("coda")
    if coda and nuc in _OPEN_ONLY:
        return False
    return not (coda in ("nh", "ch") and nuc not in _PALATAL_OK)


def _tokens(line: str) -> list[str]:
    toks = []
    for raw in line.split():
        start, end = 0, len(raw)
        while start < end and not _LETTERISH.match(raw[start]):
            start += 1
        while end > start and not _LETTERISH.match(raw[end - 1]):
            end -= 1
        if start < end:
            toks.append(raw[start:end])
    return toks


def _has_legacy_char(tok: str, encoding: str) -> bool:
    if encoding == "tcvn3":
        table = tcvn3_table()
        return any(c in table for c in tok)
    marks = _vni_mark_chars()
    return any(c in marks for c in tok)


@dataclass
class LineVerdict:
    """What the legacy detector thinks of one line."""

    encoding: str | None          # best legacy encoding, None when the line has no legacy characters
    decoded: str                  # the line decoded with it (== line when encoding is None)
    candidates: int = 0           # tokens holding legacy characters
    decoded_share: float = 0.0    # share of those tokens that are Vietnamese syllables after decoding
    original_share: float = 0.0   # ... and before decoding, read as Unicode
    certain: bool = False


def judge_line(line: str) -> LineVerdict:
    """Score a line as TCVN3 or VNI: syllable validity of its legacy-character tokens before/after decoding."""
    if not line.strip() or _UNICODE_ONLY.search(line):
        return LineVerdict(None, line)
    best = LineVerdict(None, line)
    for enc in ENCODINGS:
        cands = [t for t in _tokens(line) if _has_legacy_char(t, enc)]
        if not cands:
            continue
        dec_ok = sum(1 for t in cands if all(is_syllable(w) for w in _split_words(decode(t, enc))))
        # read as Unicode, a symbol inside a word ("§éc", "H¹nh") already makes it no Vietnamese word
        orig_ok = sum(1 for t in cands
                      if not _INNER_SYMBOL.search(t) and all(is_syllable(w) for w in _split_words(t)))
        v = LineVerdict(enc, decode(line, enc), len(cands), dec_ok / len(cands), orig_ok / len(cands))
        # certain: decoding turns most non-words into words, or the line holds Latin-1 characters Vietnamese
        # never uses ("ø", "µ", "§") and every one of its legacy tokens decodes to a syllable
        foreign = any(FOREIGN_CHARS.search(t) for t in cands)
        v.certain = v.decoded_share >= 0.8 and (
            v.decoded_share - v.original_share >= 0.5 or (foreign and v.decoded_share == 1.0 and len(cands) >= 2)
        )
        if best.encoding is None or (v.certain, v.decoded_share) > (best.certain, best.decoded_share):
            best = v
    return best


def _split_words(tok: str) -> list[str]:
    # tokens glued with punctuation ("Gi¸o-dôc") are checked word by word
    return [w for w in regex.split(r"[^\p{L}\p{M}]+", tok) if w] or [tok]


@dataclass
class LegacyDecoding:
    """A text with its legacy lines decoded and a map back to the source characters."""

    text: str
    source_index: list[int]                       # for each char of text, index of the first source char
    lines: list[tuple[int, str]] = field(default_factory=list)   # (line number 0-based, encoding) decoded

    @property
    def changed(self) -> bool:
        """Say whether any line was decoded."""
        return bool(self.lines)


def _chosen_lines(lines: list[str]) -> dict[int, str]:
    """Return {line number: encoding} of the lines to decode: certain ones, and their clean neighbours."""
    verdicts = [judge_line(line) for line in lines]
    chosen: dict[int, str] = {i: v.encoding for i, v in enumerate(verdicts) if v.certain and v.encoding}
    # A line too short to be sure on its own ("Sè: …") is decoded when a neighbouring non-blank line was
    # decoded with the same encoding and it reads as Vietnamese after decoding.
    changed = True
    while changed:
        changed = False
        for i, v in enumerate(verdicts):
            if i in chosen or v.encoding is None or v.decoded_share < 0.8:
                continue
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(lines) and not lines[j].strip():
                    j += step
                if 0 <= j < len(lines) and chosen.get(j) == v.encoding:
                    chosen[i] = v.encoding
                    changed = True
                    break
    return chosen


def decode_text(text: str) -> LegacyDecoding:
    """Decode the legacy lines of a text: certain lines, and lines next to them that decode cleanly."""
    lines = text.split("\n")
    chosen = _chosen_lines(lines)
    out: list[str] = []
    src: list[int] = []
    offset = 0
    for i, line in enumerate(lines):
        if i in chosen:
            dec, m = _decode_with_map(line, chosen[i])
            nfc = unicodedata.normalize("NFC", dec)
            if nfc != dec:  # composition never happens for our tables' output; keep the map exact anyway
                dec, m = nfc, m[: len(nfc)]
        else:
            dec, m = line, None        # unchanged: its offsets map to themselves
        out.append(dec)
        src.extend(range(offset, offset + len(line)) if m is None else (offset + k for k in m))
        offset += len(line)
        if i < len(lines) - 1:
            out.append("\n")
            src.append(offset)
            offset += 1
    return LegacyDecoding("".join(out), src, sorted(chosen.items()))


def legacy_share(text: str) -> tuple[str | None, float, int]:
    """Return (encoding, share of non-blank lines decoded with certainty, lines decoded) for triage."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return None, 0.0, 0
    decoded = sorted(_chosen_lines(text.split("\n")).items())   # decode_text(text).lines, without the text
    if not decoded:
        return None, 0.0, 0
    encs = [e for _, e in decoded]
    enc = max(set(encs), key=encs.count)
    return enc, len(decoded) / len(lines), len(decoded)
