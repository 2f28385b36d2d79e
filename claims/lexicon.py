"""The text normalisation the word lists of ``claims/data`` drive: units to measures, names and
words to comparable forms (the files themselves are read by ``claims.wordlists``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.settings import DATA_DIR
from claims.wordlists import Crosscheck, Synonyms, load


@lru_cache(maxsize=16)
def synonym_index(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Map every lemma in ``synonyms.json`` to its class name."""
    index: dict[str, str] = {}
    for cls, words in load(Synonyms, data_dir).classes.items():
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
    raw = load(Crosscheck, data_dir)
    return CrosscheckLexicon(
        term_roles={k.upper(): v for k, v in raw.term_roles.items()},
        entity_labels=frozenset(x.upper() for x in raw.entity_labels),
        plain_prefixes=frozenset(x.lower() for x in raw.plain_prefixes),
        role_rules=dict(raw.role_rules),
        place_nouns=frozenset(raw.place_nouns),
        category_nouns=frozenset(raw.category_nouns),
        demonyms=dict(raw.demonyms),
        spellings=dict(raw.spellings),
        aliases=dict(raw.aliases),
        articles=frozenset(raw.articles),
        stopwords=frozenset(raw.stopwords),
        story_stopwords=frozenset(raw.story_stopwords),
        skip_kinds=frozenset(raw.skip_kinds),
        pronouns=frozenset(raw.pronouns),
        once_predicates=frozenset(raw.once_predicates),
        score={k: float(v) for k, v in raw.score.items()},
    )


_POSSESSIVE = re.compile(r"(?<=\w)(?:'s|s')(?=\s|$)")
_NOT_WORD = re.compile(r"[^\w\s.%]")


def fold(text: str) -> str:
    """Lower case without diacritics, with typographic quotes made plain."""
    if text.isascii():
        return text.lower()  # most news text: nothing to decompose
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def without_possessive(word: str) -> str:
    """A word without its possessive ending: "China's" names what "China" does."""
    return word.removesuffix("'s").removesuffix("’s")


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


def fold_word(word: str, data_dir: Path = DATA_DIR) -> str:
    """A word's synonym class ("assistance" -> aid), else its most regular singular."""
    index = synonym_index(data_dir)
    forms = [word, *singulars(word)]
    # A plural not in the index is compared in its most regular singular ("defenses").
    irregular = word.endswith(("ies", "sses", "xes", "ches", "shes"))
    fallback = forms[1] if len(forms) > 1 and irregular else forms[-1]
    return next((index[f] for f in forms if f in index), fallback)
