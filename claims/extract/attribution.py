"""Who asserts a claim: the speaker of the clause or quotation it sits in.

Rules, first match wins (word lists in ``claims/data/attribution.json``):

1. a speech verb governs the claim ("Zelensky added that ...", "... , said Blinken",
   "Austin asserted, reflecting on ..."); a non-finite one ("..., stating ...") borrows the
   subject of the verb it hangs from;
2. "according to X" in the same sentence;
3. the claim is inside quotation marks and a speech verb stands right before or after the
   quotation ('"... 14,000 lives," the statement said.'), possibly in the neighbouring sentence;
4. a headline of the form "Name: ...".

The speaker is returned as written: the PERSON/ORG entity in the subject when there is one,
else its noun phrase ("the statement", "Joint Statement"). "X's statement" and "a statement by
X" give X. Pronouns resolve to the nearest earlier matching entity in the same paragraph.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from spacy.attrs import LOWER
from spacy.tokens import Doc, Span, Token

from claims.extract.describe import join
from claims.settings import DATA_DIR
from claims.wordlists import Attribution, load

# Where a parsed passage keeps its quotations: (length of its text, quotation spans).
_QUOTATIONS = "claims.quotations"
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
# Modifiers kept when a subject noun phrase is written out as the speaker.
PHRASE_DEPS = frozenset({"det", "compound", "amod", "poss", "case", "nmod", "flat"})


@lru_cache(maxsize=4)
def _config(data_dir: Path = DATA_DIR) -> Attribution:
    return load(Attribution, data_dir)


def attribute(anchor: Token, sdoc: Doc, data_dir: Path = DATA_DIR) -> str | None:
    """The name of whoever asserts the claim anchored at ``anchor``, or ``None``.

    ``sdoc`` is the parsed paragraph; only its sentences are consulted, so the answer does not
    depend on how the rest of the document was split.
    """
    cfg = _config(data_dir)
    verb = _governing_speech_verb(anchor, cfg)
    speaker = _speaker_of_verb(verb, cfg) if verb is not None else None
    if speaker is None:
        speaker = _according_to(anchor.sent, cfg)
    if speaker is None:
        speaker = _quote_speaker(anchor, sdoc, cfg)
    if speaker is None:
        speaker = _headline_speaker(anchor.sent, cfg)
    return speaker


def _governing_speech_verb(anchor: Token, cfg: Attribution) -> Token | None:
    child = anchor
    for node in anchor.ancestors:
        lemma = node.lemma_.lower()
        if node.pos_ == "VERB":
            if lemma in cfg.speech_verbs:
                return node
            if lemma in cfg.clause_verbs and child.dep_ == "ccomp" and _has_that(child):
                return node
        child = node
    return None


def _has_that(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _speaker_of_verb(verb: Token, cfg: Attribution) -> str | None:
    """The subject of ``verb``, climbing to the main verb when ``verb`` has none of its own."""
    node = verb
    while True:
        subjects = [c for c in node.children if c.dep_ in SUBJECT_DEPS]
        if subjects:
            return _speaker_phrase(subjects[0], cfg)
        agents = [c for c in node.children if c.dep_ == "agent"]
        for agent in agents:
            objs = [c for c in agent.children if c.dep_ == "pobj"]
            if objs:
                return _speaker_phrase(objs[0], cfg)
        if node.dep_ in ("advcl", "conj", "xcomp") and node.head.i != node.i:
            node = node.head
            continue
        return None


def _speaker_phrase(head: Token, cfg: Attribution) -> str | None:
    """How a subject token names its speaker: entity, report noun's author, or noun phrase."""
    if head.pos_ == "PRON":
        return _resolve_pronoun(head, cfg)
    ent = _entity_at(head, cfg)
    owned = any(c.dep_ == "poss" for c in head.children)
    if ent is not None and not owned:
        return ent.text
    if head.lemma_.lower() in cfg.report_nouns:
        author = _author_of_report(head, cfg)
        if author is not None:
            return author
    words = [t for t in head.subtree if t.i <= head.i and _in_phrase(t, head)]
    return join(words) or None


def _in_phrase(tok: Token, head: Token) -> bool:
    node = tok
    while node.i != head.i:
        if node.dep_ not in PHRASE_DEPS:
            return False
        node = node.head
    return True


def _author_of_report(noun: Token, cfg: Attribution) -> str | None:
    for child in noun.children:
        if child.dep_ == "poss":
            return _speaker_phrase(child, cfg)
        if child.dep_ in ("prep", "agent") and child.lower_ in ("by", "from", "of"):
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                ent = _entity_at(objs[0], cfg)
                if ent is not None:
                    return ent.text
    return None


def _entity_at(tok: Token, cfg: Attribution) -> Span | None:
    """A speaker-like entity that covers ``tok`` or ends its compound chain."""
    for ent in tok.doc.ents:
        if ent.label_ in cfg.speaker_labels and ent.start <= tok.i < ent.end:
            return _trim_possessive(ent)
    return None


def _trim_possessive(ent: Span) -> Span:
    if len(ent) > 1 and ent[-1].tag_ == "POS":
        return ent[:-1]
    return ent


def _resolve_pronoun(pron: Token, cfg: Attribution) -> str | None:
    labels = cfg.pronouns.get(pron.lower_)
    if not labels:
        return None
    earlier = [e for e in pron.doc.ents if e.end <= pron.i and e.label_ in labels]
    return _trim_possessive(earlier[-1]).text if earlier else None


def _according_to(sent: Span, cfg: Attribution) -> str | None:
    first, second = cfg.according_to
    doc = sent.doc
    # Compared by hash, without a Token object for every token of the sentence.
    lower = doc.to_array(LOWER)[sent.start : sent.end].tolist()
    wanted = doc.vocab.strings[first]
    for at in (j for j, form in enumerate(lower) if form == wanted):
        tok = doc[sent.start + at]
        if tok.i + 1 < sent.end and tok.nbor(1).lower_ == second:
            objs = [c for c in tok.nbor(1).children if c.dep_ == "pobj"]
            objs += [c for c in tok.children if c.dep_ == "pobj"]
            if objs:
                return _speaker_phrase(objs[0], cfg)
    return None


def quote_spans(text: str, data_dir: Path = DATA_DIR) -> list[tuple[int, int]]:
    """Character ranges (inside the marks) of the balanced quotations in ``text``."""
    return _balanced_quotes(text, _config(data_dir))


def passage_quotes(sdoc: Doc, text: str, data_dir: Path = DATA_DIR) -> list[tuple[int, int]]:
    """:func:`quote_spans` of ``text``, the text ``sdoc`` was made from, kept with ``sdoc`` for
    the attribution of its figures (which would otherwise join ``sdoc.text`` again)."""
    if _QUOTATIONS not in sdoc.user_data:
        sdoc.user_data[_QUOTATIONS] = (len(text), quote_spans(text, data_dir))
    return list(sdoc.user_data[_QUOTATIONS][1])


def _balanced_quotes(text: str, cfg: Attribution) -> list[tuple[int, int]]:
    opening, closing = set(cfg.quote_chars["open"]), set(cfg.quote_chars["close"])
    spans: list[tuple[int, int]] = []
    start: int | None = None
    # Only the quotation marks are visited: most passages hold none.
    for m in _quote_marks(frozenset(opening | closing)).finditer(text):
        i, ch = m.start(), m.group()
        if start is None and ch in opening:
            start = i + 1
        elif start is not None and ch in closing:
            spans.append((start, i))
            start = None
    return spans


@lru_cache(maxsize=4)
def _quote_marks(marks: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c) for c in sorted(marks)))


def _quote_speaker(anchor: Token, sdoc: Doc, cfg: Attribution) -> str | None:
    # Doc.text joins a new Token object per token: read once per passage, not per figure,
    # and not at all when the extractor noted the passage's text (passage_quotes).
    if _QUOTATIONS not in sdoc.user_data:
        text = sdoc.text
        sdoc.user_data[_QUOTATIONS] = (len(text), _balanced_quotes(text, cfg))
    length, spans = sdoc.user_data[_QUOTATIONS]
    for start, end in spans:
        if not start <= anchor.idx < end:
            continue
        after = sdoc.char_span(end + 1, length, alignment_mode="expand")
        before = sdoc.char_span(0, max(start - 1, 0), alignment_mode="contract")
        for region, forward in ((after, True), (before, False)):
            verb = _adjacent_speech_verb(region, forward, cfg)
            if verb is not None:
                return _speaker_of_verb(verb, cfg)
    return None


def _adjacent_speech_verb(region: Span | None, forward: bool, cfg: Attribution) -> Token | None:
    """A speech verb in the sentence that touches the quotation on the given side."""
    if region is None or len(region) == 0:
        return None
    edge = region[0] if forward else region[-1]
    tokens = list(edge.sent) if forward else list(edge.sent)[::-1]
    edge_pos = tokens.index(edge)
    tokens = tokens[edge_pos:]
    for tok in tokens:
        if tok.pos_ == "VERB" and tok.lemma_.lower() in cfg.speech_verbs:
            return tok
        if tok.text in cfg.quote_chars["open"] or tok.text in cfg.quote_chars["close"]:
            break
    return None


def _headline_speaker(sent: Span, cfg: Attribution) -> str | None:
    """'Blinken: U.S. supports Ukraine': a name (1-4 proper nouns) and a colon open the line."""
    names: list[Token] = []
    for tok in sent:
        named = tok.pos_ == "PROPN" or (tok.is_title and tok.ent_type_ in cfg.speaker_labels)
        if not named or len(names) == 4:
            break
        names.append(tok)
    after = sent.start + len(names)
    if names and after < sent.end and sent.doc[after].text == ":":
        return join(names)
    return None
