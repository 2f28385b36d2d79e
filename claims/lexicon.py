"""Word lists kept as data (``claims/data/*.json``), loaded once per process, and the text
normalisation that uses them: units to measures, names and key terms to comparable forms.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.settings import DATA_DIR


@lru_cache(maxsize=16)
def load_json(name: str, data_dir: Path = DATA_DIR) -> dict:
    """Read ``data_dir/name``; the file is the single source of that word list."""
    with (data_dir / name).open(encoding="utf-8") as f:
        data: dict = json.load(f)
    return data


@lru_cache(maxsize=16)
def synonym_index(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Map every lemma in ``synonyms.json`` to its class name."""
    index: dict[str, str] = {}
    for cls, words in load_json("synonyms.json", data_dir)["classes"].items():
        index[cls] = cls
        for word in words:
            index.setdefault(word.lower(), cls)
    return index


def measure_for(unit: str | None, data_dir: Path = DATA_DIR) -> str | None:
    """The synonym class of a unit lemma; an unknown unit is its own class.

    Multi-word units fall back to their last word ("allied nation" -> nation -> country), since
    in English noun phrases the head comes last.
    """
    if not unit:
        return None
    key = " ".join(unit.lower().split())
    index = synonym_index(data_dir)
    if key in index:
        return index[key]
    head = key.rsplit(" ", 1)[-1]
    for candidate in (head, *singulars(key), *singulars(head)):
        if candidate in index:
            return index[candidate]
    # Unknown units keep their spelling so ISO currency codes stay upper case.
    return " ".join(unit.split())


def singulars(word: str) -> list[str]:
    """Likely singular forms of an English plural, most likely first; [] when it is not one.

    Units should arrive lemmatised; this only catches the ones that did not ("allies").
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return []
    out = []
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("ves"):
        out.extend((word[:-3] + "fe", word[:-3] + "f"))
    if word.endswith(("ses", "xes", "ches", "shes", "zes")):
        out.append(word[:-2])
    out.append(word[:-1])
    return out


@dataclass(frozen=True)
class CrosscheckLexicon:
    """The lists of ``crosscheck.json``, as sets and maps ready for lookups."""

    term_roles: dict[str, str]
    entity_labels: frozenset[str]
    plain_prefixes: frozenset[str]
    role_rules: dict[str, str]
    place_nouns: frozenset[str]
    category_nouns: frozenset[str]
    demonyms: dict[str, str]
    spellings: dict[str, str]
    aliases: dict[str, str]
    articles: frozenset[str]
    stopwords: frozenset[str]
    story_stopwords: frozenset[str]
    skip_kinds: frozenset[str]
    pronouns: frozenset[str]
    once_predicates: frozenset[str]
    score: dict[str, float]


@lru_cache(maxsize=4)
def crosscheck_lexicon(data_dir: Path = DATA_DIR) -> CrosscheckLexicon:
    """The cross-checking word lists of ``data_dir/crosscheck.json``."""
    raw = load_json("crosscheck.json", data_dir)
    return CrosscheckLexicon(
        term_roles={k.upper(): v for k, v in raw["term_roles"].items()},
        entity_labels=frozenset(x.upper() for x in raw["entity_labels"]),
        plain_prefixes=frozenset(x.lower() for x in raw["plain_prefixes"]),
        role_rules=dict(raw["role_rules"]),
        place_nouns=frozenset(raw["place_nouns"]),
        category_nouns=frozenset(raw["category_nouns"]),
        demonyms=dict(raw["demonyms"]),
        spellings=dict(raw["spellings"]),
        aliases=dict(raw["aliases"]),
        articles=frozenset(raw["articles"]),
        stopwords=frozenset(raw["stopwords"]),
        story_stopwords=frozenset(raw["story_stopwords"]),
        skip_kinds=frozenset(raw["skip_kinds"]),
        pronouns=frozenset(raw["pronouns"]),
        once_predicates=frozenset(raw["once_predicates"]),
        score={k: float(v) for k, v in raw["score"].items()},
    )


_POSSESSIVE = re.compile(r"(?<=\w)(?:'s|s')(?=\s|$)")
_NOT_WORD = re.compile(r"[^\w\s.%]")


def fold(text: str) -> str:
    """Lower case without diacritics, with typographic quotes made plain."""
    if text.isascii():
        return text.lower()  # most news text: nothing to decompose
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=200_000)
def normalize_name(text: str, data_dir: Path = DATA_DIR) -> str:
    """A name or phrase in the form used for matching across documents.

    Case, diacritics, possessives, punctuation and a leading article are dropped; British
    spellings become American; known variants of a name become one form (``aliases``). So
    "the Ukraine Defence Contact Group" and "Ukraine Defense Contact Group" give the same string.
    """
    lex = crosscheck_lexicon(data_dir)
    words = _NOT_WORD.sub(" ", _POSSESSIVE.sub("", fold(text))).split()
    while words and words[0] in lex.articles:
        words = words[1:]
    dotted = " ".join(lex.spellings.get(w, w) for w in words)
    if dotted in lex.aliases:
        return lex.aliases[dotted]
    # Dots matter only inside abbreviations ("u.s."), which the alias lookup above has seen.
    plain = [w for w in dotted.replace(".", " ").split() if w]
    joined = " ".join(plain)
    if joined in lex.aliases:
        return lex.aliases[joined]
    return " ".join(_word_alias(w, lex) for w in plain)


def _word_alias(word: str, lex: CrosscheckLexicon) -> str:
    # Inside a longer name only one-word variants are replaced ("kiev city" -> "kyiv city");
    # expanding abbreviations there ("us army") would change what the words mean too often.
    alias = lex.aliases.get(word)
    return alias if alias is not None and " " not in alias else word


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


@lru_cache(maxsize=200_000)
def content_words(text: str | None, data_dir: Path = DATA_DIR) -> frozenset[str]:
    """The words of a subject that say what is counted, synonyms folded to their class."""
    if not text:
        return frozenset()
    lex = crosscheck_lexicon(data_dir)
    words = normalize_name(text, data_dir).split()
    return frozenset(
        fold_word(w, data_dir)
        for w in words
        if w not in lex.stopwords and len(w) >= 3 and w.isalpha()
    )


def fold_word(word: str, data_dir: Path = DATA_DIR) -> str:
    """A word's synonym class ("assistance" -> aid), else its most regular singular."""
    index = synonym_index(data_dir)
    forms = [word, *singulars(word)]
    # A plural not in the index is compared in its most regular singular ("defenses").
    irregular = word.endswith(("ies", "sses", "xes", "ches", "shes"))
    fallback = forms[1] if len(forms) > 1 and irregular else forms[-1]
    return next((index[f] for f in forms if f in index), fallback)


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
