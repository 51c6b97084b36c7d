"""Decode a text file's bytes without silently garbling them: UTF-8 (even with a few bad bytes), UTF-16, or a
legacy 8-bit Vietnamese encoding (TCVN3/ABC, VNI, Windows-1258) only when the text reads as Vietnamese in it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

import regex
import yaml

from pipeline.legacy import DATA, decode, is_syllable

#: A file with invalid UTF-8 stays UTF-8 when it holds at least this many valid non-ASCII characters per bad byte.
UTF8_GOOD_PER_BAD = 10
#: A legacy reading is chosen when at least this share of its non-ASCII words are Vietnamese syllables …
MIN_SYLLABLE_SHARE = 0.6
#: … and it reads at least this much better than the UTF-8 reading.
MIN_MARGIN = 0.2

_LETTERS = regex.compile(r"[\p{L}\p{M}]+")
_EDGE = regex.compile(r"^[^\p{L}\p{M}\d]+|[^\p{L}\p{M}\d]+$")


@dataclass
class Decoded:
    """Decoded text, the encoding it was read in, and what a person should know about it."""

    text: str
    encoding: str                 # "utf-8", "utf-16", "tcvn3", "vni", "cp1258"
    warnings: list[str] = field(default_factory=list)
    replaced: int = 0             # bytes that were not valid in the chosen encoding (now U+FFFD)


@cache
def _tcvn_bytes() -> tuple[str, ...]:
    data = yaml.safe_load((DATA / "legacy_tcvn5712.yaml").read_text(encoding="utf-8"))
    table = [chr(b) for b in range(256)]
    for b, s in data["bytes"].items():
        table[int(b)] = str(s)
    return tuple(table)


@cache
def _cp1252_bytes() -> tuple[str, ...]:
    # VNI files are read as Windows-1252 (the legacy tables' keys); its 5 undefined bytes keep their Latin-1 value
    out = []
    for b in range(256):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return tuple(out)


def _by_table(data: bytes, table: tuple[str, ...]) -> str:
    return "".join(table[b] for b in data)


def _candidates(data: bytes) -> dict[str, str]:
    return {
        "tcvn3": unicodedata.normalize("NFC", _by_table(data, _tcvn_bytes())),
        "vni": decode(_by_table(data, _cp1252_bytes()), "vni"),
        "cp1258": unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")),
    }


def syllable_share(text: str) -> tuple[float, int]:
    """Return (share of words with non-ASCII characters that are Vietnamese syllables, how many such words)."""
    good = total = 0
    for tok in text.split():
        tok = _EDGE.sub("", tok)
        if not tok or tok.isascii():
            continue
        total += 1
        words = _LETTERS.findall(tok)
        # a symbol inside a word ("tr¸ch") or a U+FFFD already makes it no Vietnamese word
        if words and "".join(words) == regex.sub(r"[\-'’./]", "", tok) and all(is_syllable(w) for w in words):
            good += 1
    return (good / total if total else 0.0), total


def _utf16(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    # Mostly-ASCII UTF-16 is also valid UTF-8 (full of NULs). In UTF-16 the NULs are the high bytes of ASCII
    # characters, all at odd (LE) or all at even (BE) offsets; binary data has NULs at both.
    nul_even = data[0::2].count(0)
    nul_odd = data[1::2].count(0)
    if nul_odd > len(data) // 8 and nul_even <= nul_odd // 8:
        return data.decode("utf-16-le", errors="replace")
    if nul_even > len(data) // 8 and nul_odd <= nul_even // 8:
        return data.decode("utf-16-be", errors="replace")
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode text bytes (NFC, \\n line ends), choosing the encoding on evidence and saying when bytes were bad."""
    out = _decode(data)
    out.text = unicodedata.normalize("NFC", out.text.replace("\r\n", "\n").replace("\r", "\n"))
    return out


def _decode(data: bytes) -> Decoded:
    if data.startswith(b"\xef\xbb\xbf"):
        return _utf8(data[3:])
    text16 = _utf16(data)
    if text16 is not None:
        return Decoded(text16, "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    utf8 = data.decode("utf-8", errors="replace")
    bad = utf8.count("\ufffd")
    good = sum(1 for c in utf8 if ord(c) > 127 and c != "\ufffd")
    if good >= UTF8_GOOD_PER_BAD * bad:
        return _utf8(data)
    # no clear UTF-8: the legacy reading in which most words are Vietnamese syllables, if one stands out
    utf8_share, _ = syllable_share(utf8)
    scored = sorted(((syllable_share(t)[0], enc, t) for enc, t in _candidates(data).items()),
                    key=lambda x: -x[0])
    share, enc, text = scored[0]
    if share >= MIN_SYLLABLE_SHARE and share - utf8_share >= MIN_MARGIN:
        return Decoded(text, enc)
    if good > bad:
        return _utf8(data)
    bad_1258 = text.count("\ufffd")
    return Decoded(text, enc, [
        f"the text encoding could not be told with confidence: read as {_NAMES[enc]} ({share:.0%} of its "
        f"accented words read as Vietnamese); check the text, and save the file as UTF-8 if it looks garbled"],
        replaced=bad_1258)


_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI", "cp1258": "Windows-1258", "utf-8": "UTF-8", "utf-16": "UTF-16"}


def _utf8(data: bytes) -> Decoded:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
    if bad <= 0:
        return Decoded(text, "utf-8")
    first = data.decode("utf-8", errors="replace").index("\ufffd")
    line = text.count("\n", 0, first) + 1
    return Decoded(text, "utf-8", [
        f"{bad} byte sequence{'s are' if bad > 1 else ' is'} not valid UTF-8 (first on line {line}) and "
        f"{'were' if bad > 1 else 'was'} replaced by U+FFFD (�); the rest was read as UTF-8. Figures next to "
        "them may be missing: check those lines in the original, and re-save it as UTF-8"], replaced=bad)


def name_of(encoding: str) -> str:
    """Return a person's name for an encoding ("TCVN3 (ABC)")."""
    return _NAMES.get(encoding, encoding)
