"""Letter case of header text: say whether it is printed in capitals, and write it as prose does."""

from __future__ import annotations

import regex

from extractors.vocab_meta import fold, vocab


def is_upper(s: str) -> bool:
    """Say whether every letter of s is a capital."""
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)





def prose_case(upper: str) -> str:
    """Write a capitalised header phrase in prose case: 'ỦY BAN NHÂN DÂN TỈNH CÀ MAU' -> 'Ủy ban nhân dân tỉnh Cà Mau'."""
    v = vocab()
    words = upper.split()
    phrases = sorted(v.display.items(), key=lambda kv: len(kv[0].split()), reverse=True)
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, value in phrases:
            n = len(key.split())
            chunk = words[i:i + n]
            same = [w.upper() for w in chunk] == key.split() or (n > 1 and fold(" ".join(chunk)) == fold(key))
            if same and all(is_upper(w) for w in chunk):   # "HỘI ĐÒNG NHÂN DÂN" (OCR) too
                out.append(value)
                i += n
                break
        else:
            w = words[i]
            if w in v.acronyms or not is_upper(w) or len(w) == 1:
                out.append(w)
            else:
                out.append(regex.sub(r"(?<=^|['’‘`´°\-])(\p{L})(\p{L}*)", lambda m: m.group(1) + m.group(2).lower(), w))
            i += 1
    return " ".join(out)
