"""Whether a figure is a level, a change or a new level, and how the text holds it.

Change: "another 2,500", "three more bodies", "up 4%", "rose by 5%", "a tenfold increase"
are differences (``change``); "has risen to 58", "climbed to 80", "Death Toll Reaches 9",
"from 1.25% to 1.75%" are levels reached by a change (``new_level``); anything else is a
``level``. Changes are never compared with levels.

Stance: a figure the text presents as a revision ("revised down to 85", "raises the death
count to 34", "corrected from 80") is ``revised`` (with the figure it replaces in
``revises`` when the text gives it: "to 85 from 88"); one it reports as denied ("denied
reports of 5,000 dead") is ``denied``; a forecast, plan or target ("could reach 100", "is
expected to cost", "will send 3,000 troops") is ``projected``; a condition ("if 5,000 were
evacuated") is ``hypothetical``; else ``asserted``. Word lists: ``claims/data/extract.json``.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from claims.extract.dates import projected
from claims.extract.numbers import NumberMention, find_numbers
from claims.wordlists import Extract

VERBS = ("VERB", "AUX")


def change_of(m: NumberMention, root: Token, text: str, rules: Extract) -> str:
    """'level', 'change' or 'new_level' for the figure ``m`` whose head token is ``root``."""
    before = text[max(0, m.start - 30) : m.start].lower()
    after = text[m.end : m.end + 30].lower()
    words_before = re.findall(r"[^\W\d_]+", before)[-2:]
    if words_before and (
        words_before[-1] in rules.change_before or " ".join(words_before) in rules.change_before
    ):
        return "change"
    # Not the next figure's own hedge: 'injured over 6,000 and left more than 300,000'.
    if re.match(
        r"\s+(?:[^\W\d_]+\s+){0,2}?(?:more|fewer|higher|lower|below|above)\b"
        r"(?!\s+than\s+[\d$£€])(?!\s+(?:the\s+)?(?:surface|sea|ground|seabed|water)\b)",
        after,
    ):
        return "change"  # 'three more bodies', '5,000 acres more than', '1.9% lower'
    while root.dep_ in ("nummod", "quantmod") and root.head.lemma_ in rules.percent_nouns:
        root = root.head  # '0.5%': the percent sign carries the figure's place in the clause
    head = root.head
    path = _to_verb(root)
    if root.dep_ == "pobj" and head.lower_ in ("by", "to", "at"):
        owner = _owner(head)
        if _changes(owner, rules) or _changes(_verb_above(owner), rules):
            return "change" if head.lower_ == "by" else "new_level"
    if head.lemma_.lower() in rules.change_nouns and root.dep_ in ("nummod", "compound", "amod"):
        # "a 5% cut", "a $2bn cut" change a level; "10,000 job cuts" counts the cuts made.
        counted = m.form == "number" and not m.currency and head.tag_ == "NNS"
        return "level" if counted else "change"
    verb = path[-1] if path else None
    if verb is not None and root.dep_ in ("dobj", "attr", "npadvmod"):
        lemma = verb.lemma_.lower()
        if lemma in rules.reach_verbs:
            return "new_level"
        if lemma in rules.gain_verbs:
            return "change"
        # "Shares fell 60% on Thursday", "earnings rose 0.4%": a share moved by, not one held.
        # "Le Pen took 34.5%": a share taken is held.
        moved = lemma in rules.change_lemmas and lemma not in rules.share_verbs
        if moved and m.form in ("percent", "percentage_point"):
            return "change"
    if re.search(r"\b(?:up|down)\s*$", before) and m.form in ("percent", "percentage_point"):
        return "change"
    return "level"


def _changes(tok: Token, rules: Extract) -> bool:
    """A verb or noun of change ('rose', 'raised', 'revised', 'the rise', 'took the toll')."""
    lemma = tok.lemma_.lower()
    return lemma in rules.change_lemmas or lemma in rules.change_nouns


def _owner(prep: Token) -> Token:
    """What a preposition hangs from, through a particle ('gone up to 34' -> gone)."""
    node = prep.head
    while node.dep_ in ("prt", "advmod") and node.head.i != node.i:
        node = node.head
    return node


def _verb_above(tok: Token) -> Token:
    """``tok`` if it is a verb, else its nearest verb ancestor ('lifted its rate by 0.5%')."""
    if tok.pos_ in VERBS:
        return tok
    return next((a for a in tok.ancestors if a.pos_ in VERBS), tok)


def _to_verb(tok: Token) -> list[Token]:
    """The tokens from ``tok`` up to its governing verb (inclusive)."""
    out: list[Token] = []
    node = tok
    for _ in range(6):
        if node.head.i == node.i:
            break
        node = node.head
        out.append(node)
        if node.pos_ in VERBS:
            break
    return out


def stance_of(root: Token, rules: Extract, kind: str = "count") -> str:
    """'asserted', 'revised', 'denied', 'projected' or 'hypothetical'. A share an opinion poll
    gives ('The poll gives Macron 62 percent') forecasts a vote: projected."""
    verbs = [t for t in (root, *root.ancestors) if t.pos_ in VERBS or _mistaken_verb(t, rules)]
    for verb in verbs[:3]:
        if any(c.dep_ == "mark" and c.lower_ in rules.condition_marks for c in verb.children):
            return "hypothetical"
    for node in (root, *list(root.ancestors)[:6]):
        lemma = node.lemma_.lower()
        if lemma in rules.denial_lemmas:
            return "denied"
        if lemma in rules.revision_lemmas:
            return "revised"
        if lemma in rules.count_raise_verbs and _raises_a_count(node, rules):
            return "revised"
    if verbs and projected(verbs[0], rules):
        return "projected"
    if kind == "percent" and any(_opinion_poll(t, rules) for t in root.sent):
        return "projected"
    if any(t.lemma_.lower() in rules.projection_nouns for t in (root, *root.ancestors)):
        return "projected"
    return "asserted"


def _mistaken_verb(tok: Token, rules: Extract) -> bool:
    """'Toll Climbs To 288 As Modi Vows Guilty Will Not Be Spared': in a headline the parser
    may take a verb of change for a noun (capitalised, or with a subject of its own), and the
    figure's clause for another's."""
    if tok.pos_ not in ("PROPN", "NOUN"):
        return False
    word = tok.lower_
    if not {word, word.removesuffix("s"), word.removesuffix("es")} & (
        rules.change_lemmas | rules.reach_verbs
    ):
        return False
    return tok.text[:1].isupper() or any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)


def _opinion_poll(tok: Token, rules: Extract) -> bool:
    """'The poll gives Macron 62 percent'; not 'poll turnout of 67.11 percent', where the poll
    is the vote."""
    if tok.lemma_.lower() not in rules.poll_nouns:
        return False
    # "a far tighter race than the surveys had pointed to": the polls are what the count is
    # measured against, not its source.
    if any(c.dep_ == "mark" and c.lower_ == "than" for c in tok.head.children):
        return False
    after = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    return after is None or after.lower_ not in rules.voting_nouns


def _raises_a_count(verb: Token, rules: Extract) -> bool:
    """'raises the official death count to 34': an official count raised is a revision;
    'raised interest rates to 2.25%' is not."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.lemma_.lower() in rules.toll_nouns | {
            "count",
            "estimate",
            "figure",
            "tally",
        }:
            return True
    return False


def revised_from(m: NumberMention, root: Token, text: str) -> float | None:
    """The figure a revision replaces, when the text gives it: 'to 85 from 88', 'from 88 to
    85', 'revised down to 71 from 79'."""
    sent = root.sent
    rest = text[m.end : sent.end_char]
    after = re.match(r"\s*,?\s*(?:(?:up|down)\s+)?from\s+", rest)
    if after:
        found = find_numbers(rest[after.end() :])
        if found and found[0].start == 0 and found[0].value is not None:
            return found[0].value
    before = text[sent.start_char : m.start]
    earlier = re.search(r"from\s+([^\s].{0,30}?)\s+to\s*$", before)
    if earlier:
        found = find_numbers(earlier.group(1))
        if found and found[0].value is not None:
            return found[0].value
    return None
