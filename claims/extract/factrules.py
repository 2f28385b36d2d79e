"""``claims/data/predicates.json`` as lookup tables: which word forms trigger which relation,
with which prepositions and objects, and the prefilter regex built from all of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.lexicon import crosscheck_lexicon
from claims.settings import DATA_DIR
from claims.wordlists import Predicates, load


@dataclass(frozen=True)
class Predicate:
    """One relation of ``predicates.json`` (see its ``about`` for the fields)."""

    name: str
    object_preps: frozenset[str]
    noun_object_preps: frozenset[str]
    noun_subject_preps: frozenset[str]
    place_preps: frozenset[str]
    common_objects: frozenset[str]
    object_labels: frozenset[str] | None
    require_object_prep: bool
    place_as_object: str | None


@dataclass(frozen=True)
class LightVerb:
    """'impose sanctions on X': the verb, the nouns it must take, the object's prepositions."""

    predicate: Predicate
    nouns: frozenset[str]
    object_preps: frozenset[str]


@dataclass(frozen=True)
class Relational:
    """'X's status as Y': where the subject sits and which prepositions bring the object."""

    name: str
    preps: frozenset[str]
    subject: frozenset[str]


@dataclass(frozen=True)
class Rules:
    """``predicates.json`` indexed by surface word form, plus its word lists."""

    verbs: dict[str, Predicate]
    nouns: dict[str, Predicate]
    light: dict[str, LightVerb]
    relational: dict[str, Relational]
    trigger: re.Pattern[str]
    lists: dict[str, frozenset[str]]
    year: re.Pattern[str]
    time_word: re.Pattern[str]
    demonyms: dict[str, str]
    # False for a parse without entities (see may_yield_facts): any argument may be a name.
    names_known: bool = True


def verb_forms(lemma: str) -> set[str]:
    """The regular inflections of an English verb (a superset: "visitted" does no harm)."""
    forms = {lemma}
    if lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    else:
        plural = "es" if lemma.endswith(("s", "x", "z", "ch", "sh")) else "s"
        forms |= {lemma + plural, lemma + "ed", lemma + "ing"}
        if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def noun_forms(lemma: str) -> set[str]:
    """A noun and its regular plural."""
    if lemma.endswith("s"):
        return {lemma}
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return {lemma, lemma[:-1] + "ies"}
    return {lemma, lemma + ("es" if lemma.endswith(("x", "z", "ch", "sh")) else "s")}


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching exactly ``words``, factored by common prefixes: Python's engine tries
    the alternatives of a flat alternation one by one at every position, a trie's once."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(alts) == 1 else body + "?"

    return build(trie)


@lru_cache(maxsize=4)
def load_rules(data_dir: Path = DATA_DIR) -> Rules:
    """``data_dir/predicates.json`` as lookup tables and the prefilter regex."""
    raw = load(Predicates, data_dir)
    classes = {k: frozenset(v) for k, v in raw.object_classes.items()}
    verbs: dict[str, Predicate] = {}
    nouns: dict[str, Predicate] = {}
    light: dict[str, LightVerb] = {}
    for name, spec in raw.predicates.items():
        labels = spec.get("object_labels")
        pred = Predicate(
            name=name,
            object_preps=frozenset(spec.get("object_preps", [])),
            noun_object_preps=frozenset(spec.get("noun_object_preps", ["of"])),
            noun_subject_preps=frozenset(spec.get("noun_subject_preps", [])),
            place_preps=frozenset(spec.get("place_preps", [])),
            common_objects=frozenset(w for c in spec.get("common_objects", []) for w in classes[c]),
            object_labels=frozenset(labels) if labels else None,
            require_object_prep=bool(spec.get("require_object_prep", False)),
            place_as_object=spec.get("place_as_object"),
        )
        for lemma in spec.get("verbs", []):
            verbs.update(dict.fromkeys(verb_forms(lemma), pred))
        verbs.update(dict.fromkeys(spec.get("irregular", []), pred))
        for lemma in spec.get("nouns", []):
            nouns.update(dict.fromkeys(noun_forms(lemma), pred))
        for lv in spec.get("light_verbs", []):
            entry = LightVerb(pred, frozenset(lv["nouns"]), frozenset(lv["object_preps"]))
            forms = verb_forms(lv["verb"]) | set(lv.get("irregular", []))
            light.update(dict.fromkeys(forms, entry))
    relational: dict[str, Relational] = {}
    for name, noun in raw.relational_nouns.items():
        rel = Relational(name, frozenset(noun["preps"]), frozenset(noun["subject"]))
        for lemma in noun["nouns"]:
            relational.update(dict.fromkeys(noun_forms(lemma), rel))
    words = {*verbs, *nouns, *light, *relational}
    trigger = re.compile(r"\b" + trie_pattern(words) + r"\b", re.IGNORECASE)
    lists = {k: frozenset(v) for k, v in raw if isinstance(v, tuple)}
    demonyms = crosscheck_lexicon(data_dir).demonyms
    return Rules(
        verbs,
        nouns,
        light,
        relational,
        trigger,
        lists,
        re.compile(raw.year_pattern),
        re.compile(raw.time_pattern, re.IGNORECASE),
        demonyms,
    )
