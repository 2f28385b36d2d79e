"""Key terms: the entities and words a claim is about (``"GPE:Crimea"``, ``"border"``), parsed,
given a role (place, group, ...), and compared under each role's rule (``role_rules`` in
``claims/data/crosscheck.json``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.lexicon import CrosscheckLexicon, crosscheck_lexicon, fold_word, normalize_name
from claims.settings import DATA_DIR

_PREFIXED = re.compile(r"^([A-Za-z_]+):(.+)$")


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """One parsed key term: ``label`` is the entity type (None for a plain word), ``text`` the
    normalised words, ``role`` what it says about the claim (place, group, ...), ``anchor`` the
    form used to decide that two claims share the term (a demonym's country)."""

    label: str | None
    text: str
    role: str | None
    anchor: str
    word: str  # the text with synonyms folded to their class, for comparing descriptions

    def matches(self, other: KeyTerm) -> bool:
        """Equal, same anchor, or one contains the other word by word ("eastern ukraine")."""
        if self.text == other.text or self.anchor == other.anchor:
            return True
        x, y = f" {self.text} ", f" {other.text} "
        return x in y or y in x

    def __str__(self) -> str:
        return f"{self.label}:{self.text}" if self.label else self.text


@lru_cache(maxsize=200_000)
def parse_key_term(raw: str, data_dir: Path = DATA_DIR) -> KeyTerm | None:
    """Parse ``"GPE:Crimea"``, ``"term:border"`` or ``"border"``; None when nothing is left.

    The prefix is an entity label (``entity_labels``, any case) or a plain-word marker
    (``plain_prefixes``); any other text before a colon is part of the term.
    """
    lex = crosscheck_lexicon(data_dir)
    label: str | None = None
    body = raw
    match = _PREFIXED.match(raw.strip())
    if match and match.group(1).upper() in lex.entity_labels:
        label, body = match.group(1).upper(), match.group(2)
    elif match and match.group(1).lower() in lex.plain_prefixes:
        body = match.group(2)
    text = normalize_name(body, data_dir)
    if not text:
        return None
    if label is not None:
        role = lex.term_roles.get(label)
        if role is None:  # DATE, CARDINAL...: they say when or how many, not what
            return None
    elif text in lex.place_nouns:
        role = "place"
    elif text in lex.category_nouns:
        role = "category"
    else:
        role = None
    word = text if label else fold_word(text, data_dir)
    return KeyTerm(label, text, role, lex.demonyms.get(text, text), word)


@dataclass(frozen=True)
class TermSet:
    """A claim's key terms, parsed, grouped the way matching needs them."""

    terms: tuple[KeyTerm, ...]
    anchors: frozenset[str]
    roles: dict[str, tuple[KeyTerm, ...]]


@lru_cache(maxsize=200_000)
def term_set(raw: tuple[str, ...], data_dir: Path = DATA_DIR) -> TermSet:
    """Parse a claim's ``key_terms`` (see ``parse_key_term``)."""
    parsed = {t for t in (parse_key_term(r, data_dir) for r in raw) if t}
    terms = tuple(sorted(parsed, key=lambda t: (t.label or "", t.text)))
    roles: dict[str, list[KeyTerm]] = {}
    for t in terms:
        if t.role is not None:
            roles.setdefault(t.role, []).append(t)
    return TermSet(
        terms=terms,
        anchors=frozenset(t.anchor for t in terms),
        roles={role: tuple(ts) for role, ts in sorted(roles.items())},
    )


def _covers(big: tuple[KeyTerm, ...], small: tuple[KeyTerm, ...]) -> bool:
    return all(any(s.matches(b) for b in big) for s in small)


def role_compatible(
    role: str, a: tuple[KeyTerm, ...], b: tuple[KeyTerm, ...], lex: CrosscheckLexicon
) -> bool:
    """Whether two claims' terms of one role can describe the same quantity (``role_rules``)."""
    rule = lex.role_rules.get(role, "cover")
    if rule != "required" and (not a or not b):
        return True
    if rule in ("required", "same"):
        return _covers(a, b) and _covers(b, a)
    return _covers(a, b) or _covers(b, a)


def conflicting_role(a: TermSet, b: TermSet, lex: CrosscheckLexicon) -> str | None:
    """None when two claims' key terms can describe the same quantity, else the first role
    whose terms cannot be reconciled under its rule (``role_rules`` in crosscheck.json)."""
    for role in sorted(a.roles.keys() | b.roles.keys()):
        if not role_compatible(role, a.roles.get(role, ()), b.roles.get(role, ()), lex):
            return role
    return None
