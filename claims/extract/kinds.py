"""What a figure is when the parse alone does not say: its unit, or that it is no quantity.

News states many figures without a counted noun: headlines ("12 dead at Grenfell Tower",
"21 still missing", "Death Toll Reaches 9"), elided subjects ("around 2,975 died", "has
killed 9"), populations ("a town of 27,000"), ages in apposition ("John Simon, 62,"). And
it writes figures that are not quantities: labels ("Apollo 11"), calibres ("a 120mm
mortar"), ordinals that name a stage of a series ("the first round", "the fourth floor")
or an idiom ("first aid", "for the first time"). The rules below read the text around the
figure and its parse; their word lists are in ``claims/data/extract.json`` and
``claims/data/units.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from claims.extract import units
from claims.extract.numbers import NumberMention
from claims.extract.units import Unit
from claims.wordlists import Extract

NOUNS = ("NOUN", "PROPN")
# Unit words that may follow a figure after a space; shorter ones ('m', 't', 'in') only glued.
_AMBIGUOUS_AFTER_SPACE = frozenset({"in", "mi", "kn", "kt", "ha", "mo", "yo", "hr", "min", "sec"})
_UNIT_AFTER = re.compile(r"[ \t\u00a0]?((?:[^\W\d_]|[°/²³-])[\w°/²³.-]*(?:[ \t]+[^\W\d_]+){0,3})")
_PER_AFTER = re.compile(r"/[^\W\d_]+")
_VAGUE_OF = re.compile(r"\s+of(?=\s)")
# "8.8 million pounds (4 million kilograms) of thrust": the words after a bracketed
# conversion still finish the unit, of the figure before the brackets and of the one inside.
_OF_AFTER_BRACKETS = re.compile(r"\s*(?:\([^()]{1,60}\)|\))\s*(of\s+[^\W\d_]+)")


def may_be_label(m: NumberMention, text: str) -> bool:
    """A label ('Apollo 11', 'Article 5') is a plain integer: a figure written with digit
    groups, decimals, a percent sign, a currency or a unit never is ('Leave 61,745',
    'Remain 48.1%')."""
    if m.form != "number" or m.currency or m.unit_suffix or m.qualifier:
        return False
    numeral = text[m.number_start : m.number_end]
    return numeral.isdigit() or m.is_words


def after_name(span: Span) -> bool:
    """'the Artemis 1 capsule', 'a Boeing 737': a number right after a capitalised proper
    noun inside a sentence is part of the name."""
    if span.start == 0:
        return False
    prev = span.doc[span.start - 1]
    return prev.pos_ == "PROPN" and prev.text[:1].isupper() and prev.i != prev.sent.start


def tallied_by_place(span: Span) -> bool:
    """'Canada 18, Ethiopia nine, China eight': counts given place by place (two or more
    places of one sentence each followed by its number) are no names as 'Apollo 11' is."""
    if span.start == 0 or span.doc[span.start - 1].ent_type_ not in PLACE_ENTS:
        return False
    sent = span.sent
    tallies = sum(
        1
        for tok in sent
        if tok.like_num and tok.i > sent.start and tok.doc[tok.i - 1].ent_type_ in PLACE_ENTS
    )
    return tallies >= 2


PLACE_ENTS = frozenset({"GPE", "NORP"})
_TALLY_ENDS = frozenset({";", ",", ".", "and", ")"})


def tallied_list(span: Span) -> bool:
    """'Labour 410; Conservatives 131; Liberal Democrats 61; ...; others 19': three or more
    numbers of one sentence, each right after a name and before a list's punctuation, are a
    tally (of what the sentence or the one before says), not names as 'Apollo 11' is."""
    doc, sent = span.doc, span.sent
    names = set()  # "Apollo 11, Apollo 12 and Apollo 13" names one programme's missions
    for tok in sent:
        if not tok.like_num or tok.i == sent.start:
            continue
        after = doc[tok.i + 1].text if tok.i + 1 < sent.end else "."
        if doc[tok.i - 1].text[:1].isupper() and after.lower() in _TALLY_ENDS:
            names.add(doc[tok.i - 1].lower_)
    return len(names) >= 3


# Gapping: "the NDA has 353 seats and the UPA 92", "lost 465 pilgrims, Egypt 148 and
# Indonesia 120": the verb and the noun are said once, for the first figure, and each later
# name takes its number alone. The words that join such items, and that may end one.
_GAP_LINKS = frozenset({",", "and", ";", "while", "whereas", "against", "but"})
_GAP_ENDS = frozenset({",", ";", ".", "and", "each", "apiece", "respectively", ")", ":", "but"})
_NOT_NAMES = frozenset({"DATE", "TIME"})


def gapped(span: Span) -> bool:
    """Whether ``span`` is a name's number in a gapped list: a proper name right before it,
    a joining word before the name, nothing but a list's punctuation after it, and an
    earlier figure of the sentence that says what is counted ("353 seats")."""
    doc, sent = span.doc, span.sent
    at = span.start - 1
    if at <= sent.start or doc[at].pos_ != "PROPN" or doc[at].ent_type_ in _NOT_NAMES:
        return False
    while at - 1 > sent.start and (doc[at - 1].pos_ == "PROPN" or doc[at - 1].text == "-"):
        at -= 1
    if at - 1 > sent.start and doc[at - 1].lower_ == "the":
        at -= 1
    if doc[at - 1].lower_ not in _GAP_LINKS:
        return False
    if span.end < sent.end and doc[span.end].lower_ not in _GAP_ENDS:
        return False  # "the Artemis 1 capsule", "Boeing 737 MAX"
    return any(
        tok.like_num and tok.dep_ == "nummod" and tok.head.pos_ == "NOUN" and tok.head.i > tok.i
        for tok in doc[sent.start : at - 1]
    )


# "- Iran: 465", "Killed: 446", "Homes damaged or destroyed: 33,600": a factbox's or a tally
# list's line, a short label and its figure, nothing or a note after it.
_LINE_LABEL = re.compile(
    r"(?:^|\n)[ \t]*(?:[-*\u2022\u2013][ \t]+)?(?P<label>[^\W\d_][^\n:;.!?\d]{0,48}?):[ \t]*$"
)
_AFTER_LINE_VALUE = re.compile(r"[ \t]*(?:$|\n|[;,(]|by[ \t])")


def line_label(text: str, m: NumberMention) -> tuple[int, int] | None:
    """Where the label of a 'label: figure' line is, when ``m`` is that line's figure."""
    if not _AFTER_LINE_VALUE.match(text, m.end):
        return None
    found = _LINE_LABEL.search(text, max(0, m.start - 60), m.start)
    if found is None or len(found.group("label").split()) > 6:
        return None
    return found.start("label"), found.end("label")


def unit_after(text: str, m: NumberMention) -> tuple[Unit, int] | None:
    """The unit written right after the figure: a glued or hyphenated suffix ('10km',
    '200,000-tonne', 'seven-year') or the words after it ('3 miles', '120 km/h', '20,000
    TEU', '190 kilometres per hour'), with the offset where it ends."""
    if m.unit_suffix:
        suffix = m.unit_suffix.split("-")[0] if m.unit_suffix.endswith("-old") else m.unit_suffix
        # "160km/h": the rate's "/h" follows the glued unit.
        per = _PER_AFTER.match(text, m.end)
        if per is not None and (rate := units.lookup(suffix + per.group(0))) is not None:
            return rate, per.end()
        found = units.lookup(suffix)
        return (found, m.end) if found is not None else None
    start = m.end
    if m.value is None and (of := _VAGUE_OF.match(text, m.end)) is not None:
        start = of.end()  # "thousands of square miles"
    rest = _UNIT_AFTER.match(text, start)
    if rest is None:
        return None
    words = rest.group(1).split()
    for n in range(len(words), 0, -1):
        phrase = " ".join(words[:n]).rstrip(".,;:)")
        found = units.lookup(phrase)
        if found is None:
            continue
        if n == 1 and (len(phrase) < 2 or phrase.lower() in _AMBIGUOUS_AFTER_SPACE):
            return None
        end = text.index(phrase, m.end) + len(phrase)
        of = _OF_AFTER_BRACKETS.match(text, end)
        if of is not None and n == len(words):
            longer = units.lookup(f"{phrase} {of.group(1)}")
            if longer is not None:
                return longer, end
        return found, end
    return None


def suffix_unit(m: NumberMention, rules: Extract) -> str | None:
    """'24-storey', 'five-story', 'a 12-member panel': a hyphenated noun that is no unit of
    measure is what the figure counts."""
    suffix = (m.unit_suffix or "").lower()
    if not suffix.isalpha() or len(suffix) < 3 or suffix in rules.not_suffix_units:
        return None
    if units.lookup(suffix) is not None:
        return None
    return suffix


def scale_reading(text: str, m: NumberMention) -> str | None:
    """'Category 4', 'magnitude 6.1', 'magnitude-6.1': the scale a figure is a reading of."""
    before = re.search(r"([^\W\d_]+)(-?)\s*$", text[max(0, m.start - 20) : m.start])
    if before is None:
        return None
    return units.scale_before(before.group(1) + before.group(2)) or units.scale_before(
        before.group(1)
    )


def is_calibre(found: Unit, text: str, end: int) -> bool:
    """'a 120mm mortar', '155 mm shells', 'a 9-millimetre pistol': a length naming a weapon's
    calibre, not a distance."""
    if found.measure != "metre":
        return False
    nxt = re.match(r"[\s-]*(?:[^\W\d_]+[\s-]+){0,2}?([^\W\d_]+)", text[end : end + 40])
    return nxt is not None and units.is_calibre_noun(nxt.group(1))


def state_after(
    text: str, m: NumberMention, rules: Extract, verbs: bool = False
) -> tuple[str, int] | None:
    """'12 dead', '21 still missing', '300,000 homeless', 'More Than 1,000 Dead', '132 of the
    injured', '104 of those killed': a state word standing for the people counted, and where
    it ends; with ``verbs``, also a verb standing for one ('At Least 16 Die')."""
    after = re.match(
        rf"\s+(?:(?i:of\s+th(?:e|ose))\s+)?(?:(?i:{'|'.join(rules.state_adverbs)})\s+)?([^\W\d_]+)\b",
        text[m.end :],
    )
    if after is None:
        return None
    word = after.group(1).lower()
    if verbs:
        word = rules.state_verbs.get(word, word)
    if word not in rules.state_words:
        return None
    return word, m.end + after.end()


# "Yes 50,489 (47 per cent)": a share in brackets right after a figure; "by 194,638 to
# 123,927": a score's two sides.
_SHARE_AFTER = re.compile(r"\s*\(\s*\d[\d.]*\s*(?:%|per\s*cent|percent)\s*\)")
_SCORE_AFTER = re.compile(r"\s+to\s+\d|[-–]\d")
_SCORE_BEFORE = re.compile(r"\d(?:\s+[^\W\d_]+)?\s+to\s+$|\d[-–]$")
_WORD_BEFORE = re.compile(r"[^\W\d_][\w'’-]*\s+$")


def vote_count(text: str, m: NumberMention, rules: Extract, root: Token) -> bool:
    """A bare figure that counts votes: a side's ('Yes 50,489 (47 per cent)', 'Leave 61,745
    (54.7%)') or one side of a result ('voted No by 194,638 to 123,927'), in a sentence, or
    next to one, about voting."""
    after, before = text[m.end :], text[: m.start]
    share = _SHARE_AFTER.match(after) is not None and bool(_WORD_BEFORE.search(before))
    score = _SCORE_AFTER.match(after) is not None or _SCORE_BEFORE.search(before) is not None
    if not (share or score):
        return False
    sent, doc = root.sent, root.doc
    words = [
        *sent,
        *(doc[sent.start - 1].sent if sent.start > 0 else ()),
        *(doc[sent.end].sent if sent.end < len(doc) else ()),
    ]
    return any(t.lower_ in rules.vote_words for t in words)


def elided_unit(root: Token, rules: Extract) -> str | None:
    """The unit of a figure whose noun is left out: 'around 2,975 died' and 'has killed 9' count
    people; 'a town of 27,000' counts its people."""
    head = root.head
    verb = head.pos_ in ("VERB", "AUX") and head.lemma_.lower() in rules.person_verbs
    if root.dep_ in ("nsubj", "nsubjpass", "dobj") and verb:
        return "people"
    place = head.head.pos_ in NOUNS and head.head.lemma_.lower() in rules.settlement_nouns
    if root.dep_ == "pobj" and head.lower_ == "of" and place:
        return "people"
    for child in root.children:
        if child.dep_ == "relcl" and any(c.lower_ in ("who", "whom") for c in child.children):
            return "people"  # 'including 25 who have not yet been identified'
    return None


def container_near(root: Token, rules: Extract) -> Token | None:
    """'the death toll rose to 9', 'raises the official death count to 34', 'put the number
    rescued at 174', 'the previous estimate of 64': the toll or count the figure states."""
    node = root
    for _ in range(4):
        head = node.head
        if head.i == node.i:
            break
        for tok in (head, *head.children):
            if tok.i == root.i or tok.pos_ not in NOUNS:
                continue
            if tok.lemma_.lower() in rules.container_nouns | rules.toll_nouns:
                return tok
        if head.pos_ in ("VERB", "AUX") and node.dep_ not in ("prep", "pobj", "dobj", "attr"):
            break
        node = head
    return _level_told(root, rules)


def _level_told(root: Token, rules: Extract) -> Token | None:
    """'the death toll from the outbreak, which started in March, has climbed to 207', 'Death
    Toll Rises To 48': the toll a level verb puts at the figure, read from the words when the
    parse hangs the toll on another clause."""
    doc, first = root.doc, root.sent.start
    at = root.i - 1
    if at > first and doc[at].lower_ in ("to", "at"):
        at -= 1
    if at > first and doc[at].lower_ in ("down", "up", "now"):
        at -= 1
    verb = doc[at]
    if at <= first or verb.lemma_.lower() not in rules.level_verbs:
        return None
    tolls = rules.container_nouns | rules.toll_nouns
    for tok in reversed(doc[max(first, at - _TOLL_REACH) : at]):
        if tok.like_num or tok.text in ".;:":
            return None
        if tok.pos_ in NOUNS and tok.lemma_.lower() in tolls:
            return tok
    return None


_TOLL_REACH = 12  # words between a toll and its verb: 'the toll from the outbreak, which ...'


def is_series_ordinal(m: NumberMention, text: str, noun: Token | None, rules: Extract) -> bool:
    """Ordinals that name a stage or a place in a fixed series, or an idiom: 'the first
    round', 'the fourth floor', 'the third quarter', 'first aid', 'for the first time',
    'a second referendum' (another one), 'Sixth Street' (a name). Not rankings."""
    word = text[m.number_start : m.number_end]
    before = text[max(0, m.start - 12) : m.start].lower()
    if noun is not None:
        lemma = noun.lemma_.lower()
        # 'in the first place' is an idiom; 'took second place', 'in third place' a rank.
        ranked = lemma in rules.rank_nouns and not re.search(r"\bthe\s+$", before)
        if (lemma in rules.series_nouns or lemma in rules.ordinal_idioms) and not ranked:
            return True
        if re.search(r"\ba\s+$", before) and m.value == 2:
            return True  # 'a second independence referendum': another
        if noun.pos_ == "PROPN" and word[:1].isupper() and not _title_line(text):
            return True  # 'Sixth Street Partners', 'Petty Officer 2nd Class'
    after = text[m.end : m.end + 20].lower()
    return bool(re.match(r"[\s-]+(?:" + "|".join(rules.series_nouns) + r")\b", after))


def _title_line(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text)
    long = [w for w in words if len(w) > 3]
    return bool(long) and sum(w[0].isupper() for w in long) >= 0.7 * len(long)


def rank_unit(root: Token, text: str, m: NumberMention, rules: Extract) -> str | None:
    """'came third', 'stands first in the records', 'the third biggest move', 'the
    second-deadliest hurricane': a ranking without a counted noun."""
    head = root.head
    if head.pos_ in ("VERB", "AUX") and head.lemma_.lower() in rules.rank_verbs:
        return "place"
    # "Japan are sixth with eight golds", "Kwankwaso was fourth on 1,496,687 votes": a place
    # in a table; not "the second to hit", and not "first" ("safety is first").
    determiners = rules.referential_determiners | rules.event_determiners
    before = root.doc[root.i - 1].lower_ if root.i > 0 else ""
    determined = before in determiners or any(c.dep_ in ("det", "poss") for c in root.children)
    if head.lemma_.lower() == "be" and not determined and m.value is not None and m.value > 1:
        return "place"
    nxt = re.match(r"[\s-]+([^\W\d_]+)\s+([^\W\d_]+)", text[m.end : m.end + 50])
    if nxt and (nxt.group(1).lower().endswith("est") or nxt.group(1).lower() in ("most", "least")):
        return nxt.group(2).lower()
    return None


_AGE_BOUND = re.compile(
    r"\b(?:ages?\s+of|older\s+than|younger\s+than|turned|age\s+of)\s+(?:\d{1,3}\s+and\s+)?$",
    re.IGNORECASE,
)


def age_bound(text: str, m: NumberMention) -> bool:
    """'between the ages of 20 and 30', 'most of them older than 50', 'had not yet turned
    11': an age that says who is counted, not a figure."""
    return bool(_AGE_BOUND.search(text[max(0, m.start - 40) : m.start]))


_AGED_LIST = re.compile(r"\baged\s+(?:\d{1,3}\s*(?:,|and|or|to)\s*)*$")
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?\s*\(\s*$")
_WHO_IS = re.compile(r"\bwho\s+(?:is|was)\s+$", re.IGNORECASE)


def is_age(m: NumberMention, span: Span, sdoc: Doc, text: str) -> bool:
    """'John Simon, 62, said', 'Saman Kunan, 38,': an age in apposition to a person's name;
    'aged 35 and 26': each age of a list."""
    if m.form != "number" or m.qualifier or m.value is None or not m.value.is_integer():
        return False
    if not 0 < m.value < 120:
        return False
    if _AGED_LIST.search(text[: m.start]):
        return True  # "two men, aged 35 and 26"
    ends = re.match(r"\s*(?:[,.;)]|$)", text[m.end :])
    if _WHO_IS.search(text[: m.start]) and ends:
        return True  # "The captain, who is 53, had flown for the airline since 1981"
    before = span.start - 2 if span.start >= 2 else -1
    if re.search(r"[^\W\d_]\s*\(\s*$", text[: m.start]) and re.match(r"\s*\)", text[m.end :]):
        # "Mr. Lee (33)", "Ms. Koo (25)": an age in brackets after a titled person, where
        # "Catarroja (25)" in a list of towns is a count (and the tagger may take the town
        # for a person).
        return bool(_HONORIFIC.search(text[: m.start]))
    if not re.search(r"[^\W\d_]\s*,\s*$", text[: m.start]) or not ends:
        return False
    # A name the tagger took for a common noun ("Alejandro Hernandez Fuentes, 35") still
    # starts with a capital.
    name = before >= 0 and (
        sdoc[before].pos_ == "PROPN" or (sdoc[before].pos_ == "NOUN" and sdoc[before].is_title)
    )
    if not name:
        return False
    return not any(
        e.label_ in ("GPE", "LOC", "FAC") and e.start <= before < e.end for e in sdoc.ents
    )


def vague_agent(m: NumberMention, noun: Token | None, rules: Extract) -> bool:
    """'several media reports said', 'a few technicians were sent': a small vague amount
    introducing who acts is no count."""
    if m.form != "vague" or noun is None or m.high is None or m.high > 10:
        return False
    return noun.dep_ in ("nsubj", "nsubjpass")


def modifiers(noun: Token, rules: Extract, skip: Iterable[int] = ()) -> list[Token]:
    """The words that define the set a noun names ('the four countries caught up in the
    outbreak', 'the two other nations', 'the three West African countries'): clauses,
    prepositions other than 'of', set-defining adjectives and proper ones. Not 'the two
    leading candidates' or 'the two sets of figures', which refer back."""
    skipped = set(skip)
    out = []
    for c in noun.children:
        if c.i in skipped:
            continue
        if (
            c.dep_ in ("relcl", "acl")
            or (c.dep_ == "prep" and c.lower_ != "of")
            or (
                c.dep_ in ("amod", "compound")
                and (c.lower_ in rules.set_adjectives or c.text[:1].isupper())
            )
        ):
            out.append(c)
    return out
