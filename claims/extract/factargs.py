"""The arguments of a fact read off the parse: names, common-noun objects, dates and places,
and the dependency helpers the patterns in ``claims.extract.facts`` share."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Span, Token

from claims.extract.factrules import Predicate, Rules

# Dependents that belong to a proper name ("NATO Enhanced Opportunities Partner").
NAME_DEPS = frozenset({"compound", "flat", "nmod", "amod"})
# Dependents kept in a common-noun object ("USD 60 million security assistance package").
COMMON_DEPS = frozenset({"compound", "nmod", "nummod", "quantmod"})
# Dependents that date their head without a preposition ("last month", "next week's").
TIME_DEPS = frozenset({"npadvmod", "tmod", "poss", "compound", "nmod"})


@dataclass(frozen=True)
class Arg:
    """A subject, object, time or place: its normalised text and the tokens it covers."""

    text: str
    tokens: tuple[Token, ...]


def entity(tok: Token) -> Span | None:
    if not tok.ent_type_:
        return None
    return next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)


def name_tokens(head: Token, titles: frozenset[str]) -> list[Token]:
    """A proper name around its head: compounds and proper modifiers on the left, an "of"-name
    on the right ("Ministry of Strategic Industries"), without a title in front of a person's
    name ("Ukrainian Minister of Defense Umerov" -> Umerov)."""
    tokens = [head]
    stack = [head]
    while stack:
        node = stack.pop()
        for c in node.children:
            name_like = c.pos_ in ("PROPN", "NOUN", "NUM") or c.ent_type_
            if c.i < head.i and c.dep_ in NAME_DEPS and name_like:
                tokens.append(c)
                stack.append(c)
    title = [t for t in tokens if t.i < head.i and t.lemma_.lower() in titles]
    if title:
        cut = max(x.i for t in title for x in t.subtree)
        tokens = [t for t in tokens if t.i > cut] or [head]
    for prep in preps(head, {"of"}):
        names = [p for p in pobjs(prep) if p.pos_ == "PROPN" and p.ent_type_ != "DATE"]
        if names and not head.ent_type_:
            tokens += [prep, *name_tokens(names[0], titles)]
    return contiguous(tokens)


def common_tokens(head: Token) -> list[Token]:
    """A common-noun object without articles, counts and opinion adjectives ("new",
    "essential"), keeping compounds, amounts and named modifiers ("Taurus missiles",
    "anti-armor systems", "USD 60 million security assistance package")."""
    tokens = [head]
    for c in head.children:
        if c.i > head.i or c.ent_type_ == "CARDINAL":  # counts are quantity claims
            continue
        keep = c.dep_ in COMMON_DEPS or (c.dep_ == "amod" and (bool(c.ent_type_) or "-" in c.text))
        if keep:
            tokens += list(c.subtree)
    return contiguous(tokens)


def contiguous(tokens: list[Token]) -> list[Token]:
    lo, hi = min(t.i for t in tokens), max(t.i for t in tokens)
    return list(tokens[0].doc[lo : hi + 1])


def clean(tokens: list[Token]) -> Arg | None:
    """Drop a leading article or possessor and a trailing possessive or punctuation."""
    while tokens and (tokens[0].pos_ in ("DET", "PUNCT", "PRON") or tokens[0].dep_ == "case"):
        tokens = tokens[1:]
    while tokens and (tokens[-1].pos_ == "PUNCT" or tokens[-1].dep_ == "case"):
        tokens = tokens[:-1]
    if not tokens:
        return None
    text = plain_text(tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text)
    return Arg(text, tuple(tokens)) if any(ch.isalnum() for ch in text) else None


def plain_text(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"^(?:the|The|THE)\s+", "", text)
    return re.sub(r"(?:['\u2019]s|(?<=s)['\u2019])$", "", text).strip()


# --- time and place ---------------------------------------------------------------------------


def time_of(roots: Iterable[Token], rules: Rules) -> Arg | None:
    """A date attached to the predicate: "in 2014", "on Thursday", "last month", "next week's"."""
    for root in roots:
        for c in root.children:
            if c.dep_ == "prep" and c.lower_ in rules.lists["time_preps"]:
                for p in pobjs(c):
                    if (found := date_of(p, rules)) is not None:
                        return found
            elif c.dep_ in TIME_DEPS and c.ent_type_ == "DATE" and (found := date_of(c, rules)):
                return found
    return None


def date_of(tok: Token, rules: Rules) -> Arg | None:
    if tok.ent_type_ == "DATE":
        inside = {t.i for t in tok.subtree}
        ent = entity(tok)
        tokens = [t for t in ent if t.i in inside] if ent is not None else [tok]
        found = clean(contiguous(tokens))
        # A length of time ("a day after ...") places nothing on the calendar.
        return found if found is not None and rules.time_word.search(found.text) else None
    if rules.year.match(tok.text):
        return Arg(tok.text, (tok,))
    return None


def place_of(
    roots: Iterable[Token], pred: Predicate, rules: Rules, exclude: list[Token]
) -> Arg | None:
    """Where it happened, when the predicate has a place: an entity after one of its
    prepositions, on the predicate or on its subject ("meeting of X at Ramstein")."""
    if not pred.place_preps:
        return None
    for root in roots:
        for prep in preps(root, pred.place_preps):
            for p in pobjs(prep):
                if p not in exclude and not rules.names_known:
                    return Arg(f"#{p.i}", (p,))
                ent = entity(p)
                labels = rules.lists["place_labels"]
                if p not in exclude and ent is not None and ent.label_ in labels:
                    return clean(list(ent))
    return None


# --- small helpers ----------------------------------------------------------------------------


def children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def preps(tok: Token, words: Iterable[str]) -> list[Token]:
    wanted = set(words)
    return [c for c in tok.children if c.dep_ in ("prep", "agent", "dative") and c.lower_ in wanted]


def pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ == "pobj"]


def conjuncts(tokens: Iterable[Token], rules: Rules) -> list[Token]:
    """Each token and the tokens coordinated with it ("the United States and Ukraine"); a
    common noun is replaced by the names in apposition to it ("four regions — Donetsk, Luhansk
    and Kherson"). Without entities, both the noun and everything in apposition to it."""
    out: list[Token] = []
    for tok in tokens:
        named = [
            a
            for a in children(tok, "appos")
            if a.pos_ == "PROPN" or a.ent_type_ or not rules.names_known
        ]
        if tok.pos_ == "NOUN" and not tok.ent_type_ and named:
            out.extend(conjuncts(named, rules))
            if rules.names_known:
                continue
        out.append(tok)
        out.extend(t for t in tok.conjuncts if t.i > tok.i and t not in out)
    return out
