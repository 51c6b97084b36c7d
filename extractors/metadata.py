"""Read what a document says about itself: number, type, issuer, place, dates, signer and title."""

from __future__ import annotations

import regex

from extractors.casing import is_upper, prose_case
from extractors.citations import Layout, clean_issuer, iso_date, type_from_symbol
from extractors.doc_number import HEADER_CHARS, HeaderNumber, find_doc_number, find_type_line
from extractors.header import (
    BODY_CHARS,
    PLACE_DATE,
    header_lines,
    issuer_from_body,
    issuer_from_header,
    title,
)
from extractors.model import Metadata
from extractors.places import PROVINCE_LEVEL, canonical_places, district_in, province_in, province_of_district
from extractors.signer import signer
from extractors.vocab_meta import alternation, fold, vocab

# "năm 2021" in a title; the year a report covers.
YEAR_IN_TITLE = regex.compile(
    r"""
    (?<![\p{L}])(?i:năm)[^\S\n]+          # "năm", any case
    (?P<y>(?:19|20)\d{2})(?!\d)           # a four-digit year
    """,
    regex.VERBOSE,
)

# "THÁNG 05/2019", "quý I/2019" in a title: the period, and so the year, a report covers.
PERIOD_IN_TITLE = regex.compile(
    r"""
    (?<![\p{L}])(?i:tháng|quý)[^\S\n]+    # "tháng", "quý", any case
    (?:\d{1,2}|[IV]{1,3})[^\S\n]*/[^\S\n]*  # the month or the quarter, then "/"
    (?P<y>(?:19|20)\d{2})(?!\d)           # a four-digit year
    """,
    regex.VERBOSE,
)

# A place-date line whose day was left blank or hand-written ("Krông Nô, ngày    tháng 7 năm 2019"):
# no date of issue, but still its year.
YEAR_OF_ISSUE = regex.compile(
    r"""
    (?<![\p{L}])ngày[^\n]{0,6}?             # "ngày", then at most a few OCR specks instead of the day
    [^\S\n]*tháng[^\S\n]+\d{1,2}            # "tháng 7"
    [^\S\n]+năm[^\S\n]+(?P<y>(?:19|20)\d{2})(?!\d)   # "năm 2019"
    """,
    regex.VERBOSE,
)


def extract_metadata(text: str, layout: Layout | None = None) -> Metadata:
    """Return the document's own metadata from its header, title, first sentences and signature."""
    meta = Metadata()
    v = vocab()
    found = find_doc_number(text)
    hn: HeaderNumber | None = found[1] if found else None
    meta.doc_number = found[0] if found else None
    type_m = find_type_line(text)
    header_end = type_m.start() if type_m else min(len(text), (hn.end + 300) if hn else 600)
    if type_m:
        meta.doc_type = type_m.group("type")
        meta.title = title(text, type_m)
    elif hn and hn.symbol:
        t = type_from_symbol(hn.symbol)
        meta.doc_type = t.title if t else None
    skip: list[tuple[int, int]] = []
    if hn and not hn.attached:
        skip.append((hn.start, hn.end))
    pd = PLACE_DATE.search(text, 0, max(header_end, 1))
    if pd:
        meta.issued_date = iso_date(pd)
        skip.append((pd.start(), pd.end()))
    header = "" if hn and hn.attached else header_lines(text, header_end, skip)
    if hn and hn.attached:
        meta.issued_date = meta.issued_date or hn.attached.date
    body_from = type_m.end() if type_m else header_end
    body_issuer = issuer_from_body(text[body_from:])
    if hn and hn.attached:
        # an annex: the header region is the annex's table, the issuer is the covering document's
        meta.issuer = hn.attached.issuer or body_issuer
    else:
        printed = is_upper(header)         # a header in capitals; else a flattened or decoded one
        candidate = issuer_from_header(header) if header and (printed or type_m or hn) else None
        if candidate is not None and clean_issuer(candidate) != candidate:
            candidate = None                # "... về báo cáo ..." is prose, not a header
        meta.issuer = candidate
        if meta.issuer is None or (not printed and body_issuer and fold(body_issuer) == fold(meta.issuer)):
            meta.issuer = body_issuer or meta.issuer   # prose spells it best ("TRường thcs" -> "Trường THCS")
    # Province: the header (or place of issue), then "tỉnh X"/"Tỉnh ủy X", then any mention early on.
    place = pd.group("place") if pd else ""
    meta.province = (
        province_in(header + " " + place + " " + (meta.issuer or ""), need_level=False)
        or province_in(text[:BODY_CHARS], need_level=True)
        or province_in(text[:3000], need_level=False)
    )
    # District: the header or issuer, else the first "huyện X" unless the issuer is a province's.
    meta.district = district_in(header, meta.province) or district_in(meta.issuer or "", meta.province)
    provincial = header and PROVINCE_LEVEL.search(prose_case(header))
    if meta.district is None and not provincial:
        meta.district = district_in(text[:BODY_CHARS], meta.province)
    if meta.issuer:
        meta.issuer = canonical_places(meta.issuer, meta.province)
    if meta.province is None and meta.district:
        meta.province = province_of_district(meta.district)   # "huyện Krông Nô" is in Đắk Nông
    # Report year: "năm 2021" in the title, a "Kỳ báo cáo: Năm 2018" line, else the year of issue.
    ym = YEAR_IN_TITLE.search(meta.title or "") or PERIOD_IN_TITLE.search(meta.title or "")
    if ym is None and v.report_period_labels:
        labels = alternation(v.report_period_labels)
        period = regex.compile(
            rf"""
            (?:{labels})\s*:?\s*            # "Kỳ báo cáo:"
            (?i:năm)\s+                     # "Năm"
            (?P<y>(?:19|20)\d{{2}})(?!\d)    # the year
            """,
            regex.VERBOSE,
        )
        ym = period.search(text, 0, HEADER_CHARS)
    if ym:
        meta.report_year = int(ym.group("y"))
    elif meta.issued_date:
        meta.report_year = int(meta.issued_date[:4])
    else:
        blank_day = YEAR_OF_ISSUE.search(text, 0, max(header_end, 1))
        meta.report_year = int(blank_day.group("y")) if blank_day else None
    meta.signer, meta.signer_title = signer(text, type_m.end() if type_m else 0)
    return meta

