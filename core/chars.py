"""Characters every stage must agree on: superscript digits (footnote markers, the ² of m²)."""

from __future__ import annotations

#: Superscript digits are Unicode category No, never Nd: a regex \d cannot read a marker as a number.
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
