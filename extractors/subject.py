"""What a figure is about: its subject phrase (in the document's words) and the place it is attributed to."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import regex

from extractors.count_open import open_count_words
from extractors.model import Figure
from extractors.vocab import alternation, vocabulary

if TYPE_CHECKING:
    from extractors.vi_tagger import Token

#: Longest subject taken from a clause, in syllables (the words nearest the number are kept).
MAX_CLAUSE_SYLLABLES = 16
#: Longest noun phrase taken after a number or unit, in syllables.
MAX_NOUN_SYLLABLES = 6

#: A line break followed by a lower-case word only wraps a line ("số người hưởng trợ cấp\nxã hội").
_HARD_BREAK = r"\n(?![ \t]*\p{Ll})"
_PUNCT_STOP = regex.compile(rf"[.,;:!?()\[\]“”\"…]|{_HARD_BREAK}|\s[-–]\s")
#: Where a clause starts: a semicolon, colon, bracket, line break, or a comma that is not a decimal mark.
_CLAUSE_BREAK = regex.compile(rf"[;:(]|{_HARD_BREAK}|,(?!\d)|(?<!\d),")
#: A number with a word after it: the phrase holding it states another figure ("cộng 05 điểm"),
#: unlike a name that ends in a number ("học sinh lớp 3").
_NUMBER_WORD = regex.compile(r"(?<!\S)\d[\d.,]*\s+\p{L}")
#: A number and its word closing a clause: the value stated there, not part of the measure's name
#: ("tuổi thọ trung bình 71 tuổi", "mức giảm sinh 0,6‰"); a bare year ("năm 2018") stays.
_TRAILING_VALUE = regex.compile(r"(?<!(?<!\p{L})(?i:số|năm|ngày|tháng))\s+\d[\d.,/]*\s*(?:%o|‰|\p{L}+)$")
#: A closed aside, possibly wrapped over lines: "(bao gồm người được ủy quyền nhận\nthay)".
_CLOSED_ASIDE = regex.compile(r"\([^()]{0,200}\)")
#: An item label opening a clause: "(4) ", "4) ", "a) ".
_ITEM_LABEL = regex.compile(r"^\(?(?:\d{1,2}|[a-zđ])\)\s*")


@cache
def _place_regex() -> regex.Pattern[str]:
    prefixes = alternation(list(vocabulary().places))
    return regex.compile(rf"""
    (?<!\p{{L}})(?i:{prefixes})                           # xã, thị trấn, huyện ...
    (?:\s+(?:\p{{Lu}}[\p{{L}}]*|\d+))+                    # a capitalized name ("Bình Minh") or a number
    """, regex.VERBOSE | regex.V1)


@cache
def _word_set_regex(kind: str, anchored: str) -> regex.Pattern[str]:
    words = getattr(vocabulary(), kind)
    alt = alternation(list(words))
    if anchored == "start":
        return regex.compile(rf"^(?:{alt})(?!\p{{L}})\s*", regex.IGNORECASE | regex.V1)
    return regex.compile(rf"(?<!\p{{L}})(?:{alt})\s*$", regex.IGNORECASE | regex.V1)


def _syllables(s: str) -> list[str]:
    return s.split()


def noun_phrase_after(text: str, pos: int, limit: int = 200, keep: frozenset[str] = frozenset(),
                      max_syllables: int = MAX_NOUN_SYLLABLES) -> str | None:
    """Return the noun phrase starting at pos (up to a stop word not in keep, or punctuation), or None."""
    window = text[pos:pos + limit]
    lead = len(window) - len(window.lstrip(" \t"))
    window = window[lead:]
    if not window or not regex.match(r"\p{L}", window):
        return None
    cut = _PUNCT_STOP.search(window)
    if cut:
        window = window[:cut.start()]
    stops = set(vocabulary().stop_words)
    words: list[str] = []
    tokens = window.split()
    i = 0
    while i < len(tokens) and len(words) < max_syllables:
        one = tokens[i].lower()
        two = " ".join(tokens[i:i + 2]).lower()
        if (one in stops and one not in keep) or (two in stops and two not in keep and one not in keep):
            break
        words.append(tokens[i])
        i += 1
    return " ".join(words) or None


def _strip_clause(s: str) -> str:
    s = " ".join(s.replace("*", " ").split()).strip(" ,;:-–(")   # "*" is Markdown emphasis left in the text
    s = _ITEM_LABEL.sub("", s).strip(" ,;:-–(“\"")
    lead = _word_set_regex("lead_words", "start")
    trail = _word_set_regex("trail_words", "end")
    for value_pass in (False, True):
        if value_pass:
            s = _TRAILING_VALUE.sub("", s)   # once the fillers are gone: "… đạt 1,7 lần" -> "… đạt"
        for _ in range(6):
            before = s
            s = lead.sub("", s).strip(" ,;:-–(")
            s = trail.sub("", s).strip(" ,;:-–(")
            if s == before:
                break
    return s


def _without_place(s: str) -> str:
    """Drop a trailing place phrase ("... của xã Bình Minh") from a clause subject."""
    m = None
    for found in _place_regex().finditer(s):
        m = found
    if m is not None and not s[m.end():].strip(" ,;:"):
        head = s[:m.start()].rstrip()
        head = regex.sub(r"(?i)(?<!\p{L})(?:của|tại|ở|thuộc)$", "", head).rstrip(" ,;:")
        return head
    return s


def _last_break(text: str, floor: int, end: int) -> int:
    """Return where the last clause of text[floor:end] starts; a closed aside "(…)" never breaks a clause."""
    region = text[floor:end]
    asides = [(m.start(), m.end()) for m in _CLOSED_ASIDE.finditer(region)]
    last = floor
    for m in _CLAUSE_BREAK.finditer(region):
        if not any(s <= m.start() < e for s, e in asides):
            last = floor + m.end()
    return last


#: Longest noun phrase before a comma that a short lower-case item after it is coordinated with.
MAX_COORD_HEAD_SYLLABLES = 8


def _coordinated_head(text: str, floor: int, comma: int, item: str) -> str:
    """Join a short item to the phrase before its comma: "Lĩnh vực công nghiệp, xây dựng", "Số hoạt động nội bộ
    đã xây dựng, áp dụng HTQLCL"; a clause before it with a figure or a preposition stands apart."""
    prev_floor = _last_break(text, floor, comma)
    if prev_floor == floor and floor > 0 and not text[floor - 1].isspace() and text[floor - 1] not in ".;:(":
        return item                        # "45 ca sốt xuất huyết, giảm 12 ca": the words end a figure's phrase
    head = " ".join(text[prev_floor:comma].split()).strip(" -–+*")
    head = _ITEM_LABEL.sub("", head)
    words = head.split()
    if not words or len(words) > MAX_COORD_HEAD_SYLLABLES or regex.search(r"\d", head):
        return item
    stops = set(vocabulary().stop_words) | set(vocabulary().lead_words)
    if words[0].lower() in stops or " ".join(words[:2]).lower() in stops:
        return item                        # "Về y tế, tổng số ca …": a topic, not a coordinated noun
    return f"{head}, {item}"


def clause_before(text: str, start: int, floor: int) -> str | None:
    """Return the clause that leads up to offset start (not before floor), trimmed to its subject words."""
    seg_floor = _last_break(text, floor, start)
    subject = _without_place(_strip_clause(text[seg_floor:start]))
    if subject and seg_floor > floor and text[seg_floor - 1] == "," and subject[0].islower() \
            and len(subject.split()) <= 3:
        subject = _coordinated_head(text, floor, seg_floor - 1, subject)
    if not subject and seg_floor > floor:
        # The nearest comma segment was only a place or filler ("…Trạm Cây Trâm, xã Bình Long là"):
        # take the segment before it.
        prev_floor = _last_break(text, floor, seg_floor - 1)
        subject = _without_place(_strip_clause(text[prev_floor:seg_floor - 1]))
    words = _syllables(subject)
    if len(words) > MAX_CLAUSE_SYLLABLES:
        words = _syllables(_CLOSED_ASIDE.sub(" ", subject))   # too long: asides go before the head words do
    if not words:
        return None
    return " ".join(words[-MAX_CLAUSE_SYLLABLES:])


def _names_measure(text: str, start: int, floor: int, clause: str, noun: str) -> bool:
    """Say whether the clause before a number names what it measures ("Số lao động …", "… đạt 105 lao động")."""
    v = vocabulary()
    low = clause.lower()
    if any(low == h or low.startswith(h + " ") for h in v.measure_heads):
        return True
    if noun.lower() not in v.bare_nouns:
        return False                       # "toàn huyện đạt 20/22 tiêu chí": the noun says what is measured
    if len(clause.split()) < 3:
        return False                       # "xuống còn 05 phòng": a verb, not the name of a measure
    before = " ".join(text[floor:start].split()).lower()
    before = regex.sub(r"[\s,;:]+$", "", before)
    return any(before.endswith(" " + c) for c in v.copulas)


def subject_of(text: str, fig: Figure, floor: int) -> str | None:
    """Return the subject of fig: the counted noun phrase, the noun after the unit, or the clause before."""
    meta = set(vocabulary().meta_nouns)
    if fig.kind in ("count", "ratio") and fig.subject:
        noun = " ".join(fig.subject.split())
        glued = not text[fig.char_end:fig.char_end + 1].isspace()   # "2 đợt/tháng": nothing more to read
        rest = None if glued else _counted_rest(text, fig.char_end)
        if rest:
            openers = open_count_words().predicate_openers
            has_predicate = any(w.lower() in openers for w in rest.split())
            if noun.lower() in vocabulary().classifiers:
                noun, rest = rest.split()[0], " ".join(rest.split()[1:])   # "31 con lợn": the thing is "lợn"
            phrase = f"{noun} {rest}".strip()
            return (thing_counted(text, fig, phrase, has_predicate, bare=False)
                    or (phrase if has_predicate else _object_of(text, fig, phrase)))
        if fig.per and noun.lower() in open_count_words().frequency_nouns:   # one list: open_counts.yaml
            # "tiêu độc khử trùng 01 lần/ngày": a rate of times counts the action the clause before names
            action = clause_before(text, fig.char_start, floor)
            if action and not regex.search(r"\d", action):
                return f"{noun} {_lower_first(action)}"
        if noun.lower() in vocabulary().classifiers and not glued:
            # "05 con lợn để …": the classifier counts, the noun after it names the thing, even when no
            # predicate follows that this phrase could keep
            thing = _classified_noun(text, fig.char_end)
            if thing:
                return thing_counted(text, fig, thing) or _object_of(text, fig, thing)
        apposed = None if glued else _apposed_rest(text, fig.char_end)
        if apposed:
            return f"{noun} {apposed}"     # "13 đơn - 09 vụ việc kiến nghị, phản ánh": the same things counted
        # "Số lao động có việc làm 51,36 nghìn người": a bare noun only repeats the measure the clause names.
        clause = clause_before(text, fig.char_start, floor)
        if clause and _names_measure(text, fig.char_start, floor, clause, noun):
            return clause
        return thing_counted(text, fig, noun) or _achieved(text, fig, noun, floor) or _object_of(text, fig, noun)
    after = noun_phrase_after(text, fig.char_end)
    if after and fig.unit == "percent":
        after = _share_of(text, fig.char_end) or after
        for w in sorted(vocabulary().share_words, key=len, reverse=True):
            if after.lower().startswith(w + " "):
                after = after[len(w) + 1:]   # "100% số người hưởng": a share of the people, not of a number
                break
    if after and _NUMBER_WORD.search(after):
        after = None                       # "100% cộng 05 điểm": what follows is another figure's predicate
    if after:
        after = _before_adjunct(text[fig.char_end:], after)   # "70% đối với …", "1.200 ha lúa vào ngày 12/9"
    if after and after.lower() not in meta and not any(after.lower().startswith(m + " ") for m in meta):
        if fig.kind not in ("percent", "money"):
            # "hiến 440 m² đất", "bê tông 14,7 km đường giao thông nông thôn": the object with its verb says
            # which of that thing is measured (the land donated, the roads concreted).
            verb = verb_before(text, fig)
            if verb:
                return f"{after} {_lower_first(verb)}"
        return after
    clause = clause_before(text, fig.char_start, floor)
    return _measure_of_owner(clause) if clause else None


#: Words of an adjunct that need a number after them to be one: "vào năm 2025" is a time, "đưa vào sử dụng" is not.
_DATED_ADJUNCTS = frozenset({"vào", "đến", "trước", "sau"})


def _before_adjunct(following: str, phrase: str) -> str | None:
    """Cut phrase (read from following) before a time or condition adjunct, which never names the thing measured.

    "đạt 95% vào năm 2025", "70% đối với học sinh …", "1.200 ha lúa vào sáng ngày 12/9": the adjunct and what
    follows it go; a word like "vào" counts only when a number follows ("đưa vào sử dụng" stays).
    """
    low = " ".join(following.split()).lower()
    words = phrase.split()
    offset = 0
    for k, w in enumerate(words):
        at = low.find(w.lower(), offset)
        if at < 0:
            break
        offset = at
        for opener in vocabulary().adjunct_openers:
            if not (low.startswith(opener, at) and not regex.match(r"\p{L}", low[at + len(opener):at + len(opener) + 1])):
                continue
            if opener in _DATED_ADJUNCTS and not regex.match(r"[^.,;:\n]{0,25}\d", low[at + len(opener):]):
                continue
            return " ".join(words[:k]) or None
        offset = at + len(w)
    return phrase


def _classified_noun(text: str, end: int) -> str | None:
    """Return the noun a classifier before end counts: "05 con lợn" -> "lợn"; None when a stop word follows."""
    m = regex.match(r"[ \t]+(\p{Ll}+)(?!\p{L})", text[end:end + 30])
    if m is None or m.group(1) in set(vocabulary().stop_words) | set(vocabulary().adjunct_openers):
        return None
    return m.group(1)


#: Longest phrase before "của" (of) that says what of the things counted is meant ("kiểm tra hồ sơ của 12 hộ").
MAX_POSSESSED_SYLLABLES = 5
_OF_BEFORE = regex.compile(r"(?<!\p{L})(?i:của)[ \t]*$")


def _possessed_before(text: str, fig: Figure) -> str | None:
    """Return the short phrase a count is the owner of: "lấy mẫu máu của 05 con lợn" -> "lấy mẫu máu"."""
    of = _OF_BEFORE.search(text, max(0, fig.char_start - 10), fig.char_start)
    if of is None:
        return None
    start = _last_break(text, max(0, of.start() - 60), of.start())
    phrase = _strip_clause(text[start:of.start()])
    words = phrase.split()
    if not words or len(words) > MAX_POSSESSED_SYLLABLES or regex.search(r"\d", phrase):
        return None
    return _lower_first(phrase)


#: "A có B" closing a clause before a measure: B is the measure, A what has it ("Đập có chiều cao trên 15 m").
_OWNER_HAS = regex.compile(r"""
    ^(?P<owner>\p{L}+(?:[ \t]+\p{L}+){0,5})       # the thing that has the measure: "Đập", "Kênh tưới"
    [ \t]+(?i:có)[ \t]+                          # has
    (?P<measure>\p{Ll}+(?:[ \t]+\p{Ll}+){0,4})$   # the measure, lower-case words: "chiều cao", "lưu lượng"
    """, regex.VERBOSE | regex.V1)


def _measure_of_owner(clause: str) -> str:
    """Name a measure by its owner: "Đập có chiều cao" -> "chiều cao đập"; other clauses as they are."""
    m = _OWNER_HAS.match(clause)
    if m is None:
        return clause
    return f"{m.group('measure')} {_lower_first(m.group('owner'))}"


#: A counted noun phrase this short names no thing by itself ("thủ tục", "điểm"); its verb says which.
MIN_NAMING_SYLLABLES = 3


def _object_of(text: str, fig: Figure, noun: str) -> str:
    """Return a short bare counted noun with the verb it is the object of: "bãi bỏ 05 thủ tục" -> "thủ tục bãi bỏ"."""
    if len(noun.split()) >= MIN_NAMING_SYLLABLES:
        return noun                        # "thành lập 131 tổ hòa giải": the phrase names the thing already
    verb = verb_before(text, fig)
    if verb:
        return f"{noun} {_lower_first(verb)}"
    owned = _possessed_before(text, fig)
    if owned:
        return f"{noun} {owned}"           # "lấy mẫu máu của 05 con lợn": the pigs whose blood is sampled
    topic = _topic_of(text, fig) or _noun_topic(text, fig, noun)
    if topic and noun.lower() in topic.lower():
        return topic                       # "hộ nghèo 120 hộ": the phrase before names them already
    return f"{noun} {topic}" if topic else noun


#: Longest verbless noun phrase before a count that says which things it counts ("giáo viên mầm non 45 chỉ tiêu").
MAX_TOPIC_SYLLABLES = 5


def _noun_topic(text: str, fig: Figure, noun: str) -> str | None:
    """Return the verbless noun phrase a count follows, which names its things: "giáo viên mầm non 45 chỉ tiêu"."""
    from extractors.nlp import tag_windows

    start = _last_break(text, max(0, fig.char_start - 60), fig.char_start)
    raw = " ".join(text[start:fig.char_start].split())
    clause = _strip_clause(raw)
    words = clause.split()
    if not words or len(words) > MAX_TOPIC_SYLLABLES or regex.search(r"\d", clause) or not raw.endswith(words[-1]):
        return None                        # "Đơn vị được 05 điểm": a verb was stripped, the clause is no name
    if any(w.lower() in open_count_words().not_counted for w in words) or _measure_head(clause + " ") is not None:
        return None                        # "tháng này 12 hộ": a time; "Số hộ …": the measure, read elsewhere
    (doc,) = tag_windows([f"{clause} {fig.raw}"])
    tokens = [t for t in doc if t.idx < len(clause)]
    if not tokens or not all(t.tag_ in ("N", "Np", "Ny", "Nc", "A") for t in tokens) or tokens[0].tag_ == "A":
        return None                        # a verb or a preposition: a clause, not the name of the things
    return _lower_first(clause)


#: A short topic before "có" and a count: "cấp huyện có 113/113 đơn vị" (the units of the district level).
_TOPIC_HAS = regex.compile(r"^(?P<topic>\p{L}+(?:[ \t]+\p{L}+){0,3})[ \t]+(?i:có)[ \t]*$")


def _topic_of(text: str, fig: Figure) -> str | None:
    """Return the noun phrase a clause "X có N noun" opens with, which the things counted belong to, or None."""
    from extractors.nlp import tag_windows

    start = _last_break(text, max(0, fig.char_start - 60), fig.char_start)
    m = _TOPIC_HAS.match(text[start:fig.char_start].strip())
    if m is None:
        return None
    topic = m.group("topic")
    if any(w.lower() in open_count_words().not_counted for w in topic.split()):
        return None                        # "năm nay có 12 xã": a time, not what the things belong to
    (doc,) = tag_windows([topic])
    if not all(t.tag_ in ("N", "Np", "Ny") for t in doc):
        return None                        # "đến nay có …", "toàn bộ có …": not a noun phrase
    return _lower_first(topic)


#: A short noun coordinated after a comma with the one before it: "100% xã, thị trấn có trạm y tế".
_SHORT_COORD = regex.compile(r"[ \t]*,[ \t]*(?=\p{Ll})")


def _share_of(text: str, end: int) -> str | None:
    """Return what a percent is a share of, its predicate kept: "100% xã, thị trấn có trạm y tế"."""
    keep = open_count_words().predicate_openers
    head = noun_phrase_after(text, end, keep=keep, max_syllables=MAX_COUNTED_SYLLABLES)
    if not head or _NUMBER_WORD.search(head):
        return None
    at = _phrase_end(text, end, head)
    comma = _SHORT_COORD.match(text, at) if at is not None and len(head.split()) <= 2 else None
    if comma is not None and head.split()[-1].lower() not in keep:
        more = noun_phrase_after(text, comma.end(), keep=keep, max_syllables=MAX_COUNTED_SYLLABLES)
        if more and not _NUMBER_WORD.search(more) and any(w.lower() in keep for w in more.split()[1:]):
            head = f"{head}, {more}"       # the second noun carries the predicate both share
    words = head.split()
    if words[-1].lower() in keep:
        words = words[:-1]                 # "95% hộ được" then a break: no predicate after all
    if not any(w.lower() in keep for w in words[1:]):
        return None                        # no predicate: the plain noun phrase serves
    return " ".join(words)


def place_of(text: str, fig: Figure, sent_start: int, sent_end: int) -> str | None:
    """Return the nearest place named before the figure in its sentence, else the first after it in its clause."""
    before = None
    for m in _place_regex().finditer(text, sent_start, fig.char_start):
        before = m
    if before is not None:
        return " ".join(before.group(0).split())
    clause_end = sent_end
    stop = regex.compile(r"[;.]").search(text, fig.char_end, sent_end)
    if stop:
        clause_end = stop.start()
    after = _place_regex().search(text, fig.char_end, clause_end)
    return " ".join(after.group(0).split()) if after else None


#: Longest predicate-bearing phrase after a counted noun, in syllables ("xã đạt chuẩn nông thôn mới").
MAX_COUNTED_SYLLABLES = 10
#: Longest label before a colon that names what the counts after it count ("Khiếu nại: 0 lượt").
MAX_LABEL_SYLLABLES = 12
#: A list marker or item number opening a line: "- ", "+ ", "a. ", "2.1. ".
_ITEM_MARK = regex.compile(r"^[\s\-+•*–~]*(?:(?:[a-zđ]|\d{1,2}(?:\.\d{1,2})*|[IVX]+)[.)]\s+)?", regex.IGNORECASE)


#: A percent inside a counted noun's predicate: another figure's ("14 vụ việc đạt tỷ lệ 100%").
_PERCENT_IN = regex.compile(r"\d[\d.,]*\s*%")


def _counted_rest(text: str, end: int) -> str | None:
    """Return what follows a counted noun in its phrase, its predicate kept ("xã" + "đạt chuẩn nông thôn mới")."""
    keep = open_count_words().predicate_openers
    rest = noun_phrase_after(text, end, keep=keep, max_syllables=MAX_COUNTED_SYLLABLES)
    if rest and (_NUMBER_WORD.search(rest) or _PERCENT_IN.search(rest)):
        # "07 phòng xuống còn 05 phòng", "14 vụ việc đạt tỷ lệ 100%": the predicate states another figure;
        # keep the plain noun phrase.
        rest = noun_phrase_after(text, end)
        if rest and _NUMBER_WORD.search(rest):
            return None
    if rest and rest.split()[-1].lower() in keep:
        rest = " ".join(rest.split()[:-1]) or None   # "12 hộ được" then a break: no predicate after all
    at = _phrase_end(text, end, rest) if rest else None
    if rest and at is not None and regex.match(r"[ \t]*:", text[at:]):
        for opener in sorted(open_count_words().list_openers, key=len, reverse=True):
            if rest.lower() == opener or rest.lower().endswith(" " + opener):
                # "137 hồ sơ cụ thể:": a list follows; "21 hoạt động cụ thể, rõ ràng" keeps its adjective
                rest = rest[:len(rest) - len(opener)].strip() or None
                break
    if rest:
        at = _phrase_end(text, end, rest)
        if at is not None:
            rest += _coordinated(text, at)
    if not (rest and any(w.lower() in keep for w in rest.split())):
        at = _phrase_end(text, end, rest) if rest else end
        shared = _shared_predicate(text, at, keep) if at is not None else None
        if shared:
            rest = f"{rest} {shared}" if rest else shared
    return rest


#: A second count in apposition after a dash: "13 đơn - 09 vụ việc …", "01 đơn — 01 vụ việc khiếu nại".
_APPOSED = regex.compile(r"[ \t]*[-–—][ \t]*\d[\d.,]*[ \t]+(?=\p{Ll})")


def _apposed_rest(text: str, end: int) -> str | None:
    """Return what qualifies the count in apposition after a count: "13 đơn - 09 vụ việc kiến nghị" -> "kiến nghị"."""
    m = _APPOSED.match(text, end)
    if m is None:
        return None
    low = text[m.end():m.end() + 40].lower()
    nouns = [n for n in vocabulary().count_nouns
             if low.startswith(n.lower()) and not regex.match(r"\p{L}", low[len(n):])]
    if not nouns:
        return None
    return _counted_rest(text, m.end() + len(max(nouns, key=len)))


#: A second count joined by "và", whose predicate both counts share: "6 trường học và 3 trạm y tế bị hư hỏng".
_AND_COUNT = regex.compile(r"[ \t]+(?i:và)[ \t]+\d[\d.,]*[ \t]+(?=\p{Ll})")


def _shared_predicate(text: str, pos: int, keep: frozenset[str]) -> str | None:
    """Return the predicate of the count coordinated after pos by "và", when it has one, else None."""
    m = _AND_COUNT.match(text, pos)
    if m is None:
        return None
    words = (noun_phrase_after(text, m.end(), keep=keep, max_syllables=MAX_COUNTED_SYLLABLES) or "").split()
    for k, w in enumerate(words):
        if 0 < k < len(words) - 1 and w.lower() in keep:
            return " ".join(words[k:])     # "trạm y tế bị hư hỏng" -> "bị hư hỏng"
    return None


#: One short item of a coordination after a comma: "…, tố cáo, kiến nghị, phản ánh".
_COORD_ITEM = regex.compile(r"[ \t]*,[ \t]*(?P<item>\p{Ll}\p{L}*(?:[ \t]+\p{L}+){0,2})(?=[ \t]*(?:[,;.:)]|\n|$))")


def _phrase_end(text: str, start: int, phrase: str) -> int | None:
    """Return where phrase, read from start over any whitespace, ends in text (None if it is not there)."""
    pos = start
    for word in phrase.split():
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(word, pos):
            return None
        pos += len(word)
    return pos


def _coordinated(text: str, pos: int) -> str:
    """Return the short items coordinated by commas after a phrase: "người đến khiếu nại" + ", tố cáo, …"."""
    stops = set(vocabulary().stop_words) | set(vocabulary().lead_words)
    items: list[str] = []
    while (m := _COORD_ITEM.match(text, pos)) is not None:
        words = m.group("item").split()
        if words[0].lower() in stops or " ".join(words[:2]).lower() in stops:
            break                          # "…, trong đó …", "…, với 19 người": a new clause, not an item
        items.append(" ".join(words))
        pos = m.end()
    if items:
        # The last item of a list may be longer: "…, phản ánh, tranh chấp liên quan đến KNTC đã được xử lý".
        comma = regex.match(r"[ \t]*,[ \t]*(?=\p{Ll})", text[pos:])
        last = noun_phrase_after(text, pos + comma.end(), max_syllables=MAX_COUNTED_SYLLABLES) if comma else None
        if last and not regex.search(r"\d", last) and last.split()[0].lower() not in stops:
            items.append(last)
    return "".join(f", {i}" for i in items)


#: A year or a span of years in a label names when, not another figure: "Chỉ tiêu tuyển sinh năm học 2020-2021".
_YEAR = regex.compile(r"(?<!\d)(?:19|20)\d{2}(?:[ \t]*[-–/][ \t]*(?:19|20)?\d{2})?(?!\d)")


def _label_before(text: str, start: int) -> str | None:
    """Return the label of the list item holding start: "Khiếu nại: 0 lượt, phát sinh 0 vụ việc" -> "Khiếu nại"."""
    line_start = text.rfind("\n", 0, start) + 1
    while 0 < line_start < start and text[line_start].islower():
        line_start = text.rfind("\n", 0, line_start - 1) + 1   # "tần suất quan\ntrắc: 03 đợt": a wrapped line
    opened = regex.match(r"[ \t\-+•*]*\d", text[line_start:start]) and ":" not in text[line_start:start]
    if opened or not text[line_start:start].strip(" \t-+•*"):
        # The count opens its line: a label ending the line before it heads it ("Tranh chấp …:\n\n04 vụ việc").
        prev_end = len(text[:line_start].rstrip())
        if prev_end > 0 and text[prev_end - 1] == ":":
            line_start = text.rfind("\n", 0, prev_end) + 1
    colon = text.rfind(":", line_start, start)
    if colon < 0 or regex.search(r"[.;!?]", text[colon + 1:start]):
        return None
    head = text[line_start:colon]
    marks = [m.end() for m in regex.finditer(r"[;:]|\.\s", head)]
    head = head[marks[-1]:] if marks else head   # the item's own label, after any sentence before it
    label = " ".join(_ITEM_MARK.sub("", head).strip(" ,*").split())
    if label.lower() in vocabulary().generic_labels:
        return None                        # "Kết quả: đã xử phạt 45 trường hợp": the label says nothing of them
    if label and (regex.search(r"\d", _YEAR.sub("", label)) or len(label.split()) > MAX_LABEL_SYLLABLES):
        # "… 05 vụ việc Tổng số đơn thư tiếp nhận trong kỳ: 05 đơn": a capitalized measure name opens the label.
        found = list(_measure_start().finditer(head))
        label = head[found[-1].start():].strip(" ,*") if found else ""
    if not label or regex.search(r"\d", _YEAR.sub("", label)) or len(label.split()) > MAX_LABEL_SYLLABLES:
        return None
    return label


@cache
def _measure_start() -> regex.Pattern[str]:
    """Match a capitalized measure head opening a label: "Tổng số …", "Số …", "Tỷ lệ …"."""
    heads = sorted(vocabulary().measure_heads, key=len, reverse=True)
    alt = "|".join(regex.escape(h[:1].upper() + h[1:]) for h in heads)
    return regex.compile(rf"(?<!\p{{L}})(?:{alt})(?!\p{{L}})")


def _measure_head(label: str) -> str | None:
    """Return the measure head a label opens with ("tổng số" in "Tổng số đơn thư …"), or None."""
    low = label.lower()
    for h in sorted(vocabulary().measure_heads, key=len, reverse=True):
        if low.startswith(h + " "):
            return h
    return None


def _lower_first(s: str) -> str:
    first = s.split()[0]
    return s if first.isupper() and len(first) > 1 else s[:1].lower() + s[1:]


#: Most words of a verb phrase read back from a count ("ban hành mới", "đang triển khai xây dựng").
MAX_VERB_TOKENS = 3
#: Tags after which a lower-case word tagged a noun is still a verb: pyvi tags many verbs "N" ("tiêu hủy",
#: "ban hành", "phát sinh"), but a verb, an adverb, an adjective or the end of a figure is never followed by
#: the doer, and a noun right before a counted number is its verb (a naming noun makes no count: "lớp 3").
_BEFORE_VERB_TAGS = frozenset({"V", "Vb", "Vy", "R", "A", "F", "Nu"})


def _before_verb(t: Token) -> bool:
    """Say whether a verb may follow t: a verb, adverb or adjective, or a figure's end ("90% cộng").

    Never a number ("500.000 người được 10 điểm": "người" is the noun counted before) nor "mỗi".
    """
    return t.tag_ in _BEFORE_VERB_TAGS


def verb_before(text: str, fig: Figure) -> str | None:
    """Return the verb phrase governing a count from just before it, by POS tags, or None.

    "phát sinh 05 vụ việc" -> "phát sinh", "ban hành mới 21 thủ tục" -> "ban hành mới", "đã thắp sáng được
    14,9km" -> "thắp sáng"; a verb that says nothing of what is counted ("có", "là", "gồm") gives None.
    """
    from extractors.nlp import tag_windows

    lo = max(text.rfind("\n", 0, fig.char_start) + 1, fig.char_start - 40)
    head = text[lo:fig.char_start]
    head = head[max(head.rfind(c) for c in ",;:(") + 1:].strip()
    skip = open_count_words().not_appended
    last = head.rsplit(None, 1)[-1].lower() if head else ""
    if not last or (last in skip and last not in open_count_words().after_verbs) or not last[0].isalpha():
        return None                        # "có 12 nhà", "là 45 ca", "90% 5 …": no verb to read, no tagging
    (doc,) = tag_windows([f"{head} {fig.raw}"])   # the count itself gives the tagger its right context
    tokens = [t for t in doc if t.idx < len(head)]
    if tokens and tokens[-1].text.lower() in open_count_words().count_after:
        return None                        # "có tổng số 14 vụ việc": a total, not an action
    benefactive = bool(tokens) and tokens[-1].text.lower() in open_count_words().benefactives
    if benefactive:
        tokens.pop()                       # "khám bệnh cho 12.450 lượt người": the verb is before "cho"
    after = open_count_words().after_verbs - {"được"}
    while tokens and (tokens[-1].tag_ == "R" or tokens[-1].text.lower() == "được") \
            and tokens[-1].text.lower() not in after:
        if tokens[-1].text.lower() in skip - open_count_words().after_verbs:
            return None                    # "xuống còn 05 phòng": remaining, not an action on the rooms
        tokens.pop()                       # "đã tiếp được 19 lượt": the verb is before "được"
    phrase: list[str] = []
    for k in range(len(tokens) - 1, -1, -1):
        t = tokens[k]
        if len(phrase) == MAX_VERB_TOKENS:
            break
        low = t.text.lower()
        if t.tag_ in ("A", "Ab") or (k > 0 and (low in open_count_words().verb_complements or low in after)):
            phrase.insert(0, t.text)       # "ban hành mới", "cộng trực tiếp", "sửa chữa xong": after the verb
            continue
        if t.text.lower() in skip:
            return None                    # "có 12 nhà", "gồm 07 quy trình": the verb says nothing of the thing
        if t.tag_ in _VERB_TAGS or (t.tag_ == "N" and t.is_lower and (k == 0 or _before_verb(tokens[k - 1]))):
            # one verb (pyvi tags some "N": "tiêu hủy", "ban hành"); the words before it are its doer or
            # its adverbs ("tự nguyện hiến", "tiến hành tiêu hủy")
            verb = [t.text]
            if t.tag_ == "N" and k > 0 and tokens[k - 1].tag_ in _VERB_TAGS:
                verb.insert(0, tokens[k - 1].text)   # a compound verb the segmenter split: "thắp" + "sáng"
            if verb[0].lower() in open_count_words().light_verbs:
                verb = verb[1:]            # "tiến hành tiêu hủy": the verb after the light verb says what is done
            words = " ".join([*verb, *phrase]).split()
            if benefactive and len(words) < 2:
                return None                # "tiêm vắc xin cho 3.450 trẻ em": one syllable may be a split word
            return " ".join(words) or None
        break
    return None


#: A verb of result before a count: "đã tiếp được 19 lượt", "tiếp nhận được 14 đơn thư".
_RESULT_MARK = regex.compile(r"(?<!\p{L})(?i:được)[ \t]*$")
#: Nouns opening an agent: the doer of the verb ("UBND xã", "trụ sở tiếp công dân"), not an adverb or a date.
_AGENT_TAGS = ("N", "Np", "Ny", "Nc")
_VERB_TAGS = ("V", "Vb", "Vy")


def _achieved(text: str, fig: Figure, noun: str, floor: int) -> str | None:
    """Return what a bare count obtained by a verb counts: "UBND xã tiếp nhận được 14 đơn thư" -> noun + doer + verb."""
    from extractors.nlp import tag_windows

    lo = max(text.rfind("\n", 0, fig.char_start) + 1, fig.char_start - 80, floor)
    head = text[lo:fig.char_start]
    mark = _RESULT_MARK.search(head)
    (doc,) = tag_windows([f"{head} {fig.raw}"])
    tokens = [t for t in doc if t.idx < (mark.start() if mark else len(head.rstrip()))]
    if mark is None:
        # "Chủ tịch UBND xã đã xem xét giải quyết xong 14 vụ việc": verbs after the perfect marker "đã".
        k = len(tokens)
        while k > 0 and len(tokens) - k < 4 and tokens[k - 1].tag_ in _VERB_TAGS:
            k -= 1
        if k == len(tokens) or k == 0 or tokens[k - 1].text.lower() != "đã":
            return None
        if any(t.text.lower() in open_count_words().not_appended for t in tokens[k:]):
            return None
        verb, verbs = tokens[k], " ".join(t.text for t in tokens[k:])
    else:
        if not tokens or tokens[-1].tag_ not in _VERB_TAGS:
            return None                    # "Đơn vị được 05 điểm": "được" is the verb itself, not its result
        verb = tokens[-1]
        if verb.text.lower() in open_count_words().not_appended:
            return None
        verbs = verb.text
    if mark and len(tokens) >= 3 and tokens[-2].text == "," and tokens[-3].tag_ in _VERB_TAGS:
        verb = tokens[-3]                  # "đã giải quyết, xử lý được 12 hồ sơ": two verbs, one doer
        verbs = f"{verb.text}, {verbs}"
    doer = clause_before(text, lo + verb.idx, floor)
    if doer:
        (ddoc,) = tag_windows([doer])
        if not len(ddoc) or ddoc[0].tag_ not in _AGENT_TAGS or regex.search(r"\d", doer):
            doer = None                    # "đã giải quyết, xử lý được": the clause before is another verb
    words = (doer or "").split()[-MAX_LABEL_SYLLABLES:]
    return " ".join([noun, *words, verbs])


def thing_counted(text: str, fig: Figure, noun: str, predicate: bool = False, bare: bool = True) -> str | None:
    """Return the thing a bare counted noun counts: noun + the item's label + the verb before it, or None.

    "+ Khiếu nại: 0 lượt, phát sinh 0 vụ việc" -> "lượt khiếu nại", "vụ việc khiếu nại phát sinh";
    "Nhà cửa bị hư hỏng: 12 nhà, 5 trường học" -> "nhà bị hư hỏng", "trường học bị hư hỏng".
    """
    words = open_count_words()
    if predicate:
        return None                        # "12 nhà bị sập": the phrase says which already
    label = _label_before(text, fig.char_start)
    if label:
        low = label.lower()
        for opener in sorted(words.list_openers, key=len, reverse=True):
            if low.endswith(" " + opener) or low == opener:
                label = label[:len(label) - len(opener)].strip(" ,")
                break
        measure = _measure_head(label)
        if measure is not None:
            # "Tổng số đơn thư tiếp nhận: 05 đơn": the label names the measure itself; a count of another noun
            # after it ("phát sinh 05 vụ việc") is that noun, its verb and what the measure is about.
            label = regex.sub(r"(?i)\s+là$", "", label)
            what = label
            while (h := _measure_head(what)) is not None:
                what = what[len(h):].strip()  # "Tổng số đơn thư …" -> "đơn thư …"
            if noun.lower() in label.lower():
                return _lower_first(label) if bare else None
            head = " ".join((fig.subject or "").split())
            if not bare and head and noun.startswith(head + " ") and what.lower().startswith(head.lower() + " "):
                # "Số đơn lưu do không đủ điều kiện xử lý: 01 đơn kiến nghị, phản ánh": what the label measures,
                # then the kind the count names
                return f"{what} {noun[len(head) + 1:]}"
            verb = verb_before(text, fig) if bare else None
            return " ".join(p for p in (noun, verb, what) if p) if bare else None
        m = regex.search(r"(?<!\p{L})(?i:bị|được)(?!\p{L})", label)
        if m and len(label.split()) > 4:
            label = label[m.start():]      # "Các công trình bị hư hỏng": the predicate, not the other noun
    # Only in a labelled item is the verb before a bare count part of what it counts ("phát sinh 0 vụ việc");
    # elsewhere it is the sentence's action ("thành lập 131 tổ hòa giải") and a phrase after the noun has its own.
    verb = verb_before(text, fig) if bare and label else None
    head = noun
    if label and label.lower().startswith(noun.lower() + " "):
        head, label = _lower_first(label), ""   # "Vụ việc khác: 03 vụ việc": the label already names the noun
    parts = [head, _lower_first(label) if label else "", verb or ""]
    thing = " ".join(p for p in parts if p)
    return thing if thing != noun else None
