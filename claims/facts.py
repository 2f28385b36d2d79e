"""Factual claims: (subject, predicate, object) triples with time, place and polarity.

Which relations count is data (``claims/data/predicates.json``): verb lemmas, their
nominalisations and a few relational nouns. Arguments come from the dependency parse:

- clauses: nsubj + dobj or a listed preposition's object; passives (nsubjpass + agent);
  relative clauses whose pronoun or gap is the antecedent ("Crimea, which Russia annexed");
  participles on a noun ("Crimea, annexed by Russia"); participial adjuncts and coordinated
  verbs borrow the subject of the clause they hang from; coordinated subjects and objects give
  one triple each;
- nominalisations: "Russia's annexation of Crimea", "the Russian invasion of Ukraine",
  "the annexation of Crimea by Russia", "a meeting of X at PLACE" (-> meets at);
- relational nouns: "X's status as Y", "X, a member of Y", "X is a member of Y".

Subjects and objects must be names (entities of the listed labels, proper-noun phrases, or
"Russian forces"-style groups); a common noun is an object only where the predicate lists its
class ("send tanks"). Every triple is shown to a reviewer, so hedged (may, could, must),
conditional (if, unless), infinitival ("plans to invade") and questioned clauses are skipped,
and so are nominalisations under a word of wanting or fearing ("called for Russia's withdrawal").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from claims.lexicon import crosscheck_lexicon, load_json
from claims.models import Document, FactClaim
from claims.settings import DATA_DIR

SUBJECT_DEPS = ("nsubj", "nsubjpass")
# Dependents that belong to a proper name ("NATO Enhanced Opportunities Partner").
NAME_DEPS = frozenset({"compound", "flat", "nmod", "amod"})
# Dependents kept in a common-noun object ("USD 60 million security assistance package").
COMMON_DEPS = frozenset({"compound", "nmod", "nummod", "quantmod"})
# Dependents that date their head without a preposition ("last month", "next week's").
TIME_DEPS = frozenset({"npadvmod", "tmod", "poss", "compound", "nmod"})
# Clauses that state no fact of their own: intentions, adjectives, prepositional complements.
NONFINITE_DEPS = frozenset({"xcomp", "amod", "pcomp"})


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


@dataclass(frozen=True)
class Arg:
    """A subject, object, time or place: its normalised text and the tokens it covers."""

    text: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Triple:
    subject: Arg
    predicate: str
    object: Arg
    trigger: Token
    time: Arg | None = None
    place: Arg | None = None
    negative: bool = False
    link: str = "of"  # the preposition before the object, to write a nominalisation back out


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
    """A regex matching exactly ``words``, factored by common prefixes: Python's engine scans
    it about ten times faster than a flat alternation of a few hundred words."""
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
    raw = load_json("predicates.json", data_dir)
    classes = {k: frozenset(v) for k, v in raw["object_classes"].items()}
    verbs: dict[str, Predicate] = {}
    nouns: dict[str, Predicate] = {}
    light: dict[str, LightVerb] = {}
    for name, spec in raw["predicates"].items():
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
    for name, spec in raw["relational_nouns"].items():
        rel = Relational(name, frozenset(spec["preps"]), frozenset(spec["subject"]))
        for lemma in spec["nouns"]:
            relational.update(dict.fromkeys(noun_forms(lemma), rel))
    words = {*verbs, *nouns, *light, *relational}
    trigger = re.compile(r"\b" + trie_pattern(words) + r"\b", re.IGNORECASE)
    lists = {k: frozenset(v) for k, v in raw.items() if isinstance(v, list)}
    demonyms = crosscheck_lexicon(data_dir).demonyms
    return Rules(
        verbs,
        nouns,
        light,
        relational,
        trigger,
        lists,
        re.compile(raw["year_pattern"]),
        re.compile(raw["time_pattern"], re.IGNORECASE),
        demonyms,
    )


def may_contain_fact(text: str) -> bool:
    """Cheap prefilter (one compiled regex built from predicates.json trigger word forms) used
    to skip passages; must be fast (runs on every paragraph) and must return True for every
    passage where extract_facts could find something (it does by construction: extraction only
    starts at a token whose lower-case form is one of the regex's words)."""
    return load_rules().trigger.search(text) is not None


def may_yield_facts(sdoc: Doc) -> bool:
    """Whether :func:`extract_facts` could find a triple in ``sdoc`` once its entities are
    known, for a passage parsed without the entity recogniser (about 40% of the model's time).

    The same patterns run with every argument that is not a pronoun taken as a possible name
    and every place preposition's object as a possible place, so False means that no entities
    the recogniser could add would give a triple ("he met with ...", "the meeting ended").
    """
    if not sdoc.text.strip() or not sdoc.has_annotation("DEP"):
        return False
    rules = _rules_without_names()
    return any(next(_triples_at(tok, rules), None) is not None for tok in sdoc)


@lru_cache(maxsize=1)
def _rules_without_names() -> Rules:
    return replace(load_rules(), names_known=False)


def extract_facts(sdoc: Doc, document: Document, offset: int) -> list[FactClaim]:
    """Triples from a parsed passage ``sdoc`` whose text starts at char ``offset`` of
    ``document.text`` (so ``document.text[offset + tok.idx ...]`` is the token).

    ``span`` is the minimal text covering subject, predicate and object, plus the time and place
    words when that keeps it unique (``document.text[char_start:char_end] == span``);
    ``sentence`` is the sentence text; ``fact_id`` is
    ``FactClaim.make_id(document.sha256, char_start, char_end, predicate)``. An empty or
    unparsed passage gives ``[]``.
    """
    if not sdoc.text.strip() or not sdoc.has_annotation("DEP"):
        return []  # every pattern reads the dependency parse
    rules = load_rules()
    found: dict[str, FactClaim] = {}
    for tok in sdoc:
        for triple in _triples_at(tok, rules):
            fact = _unique_claim(triple, sdoc, document, offset, found)
            if fact is not None:
                found[fact.fact_id] = fact
    return sorted(found.values(), key=lambda f: (f.char_start, f.char_end, f.predicate))


def _unique_claim(
    t: Triple, sdoc: Doc, document: Document, offset: int, found: dict[str, FactClaim]
) -> FactClaim | None:
    """The claim for ``t`` with a span no other triple of the passage has for this predicate.

    The span covers subject, predicate and object, and also the time and place words when that
    keeps it unique: coordinated objects ("annexed Donetsk, Luhansk and Kherson in 2022") share
    the time, so all but the first fall back to the span without it.
    """
    for wide in (True, False):
        fact = _claim(t, sdoc, document, offset, wide)
        if "\n" in fact.span:
            # A line break is a hard boundary in news text (headline, caption, dateline) even
            # where the parser runs a sentence across it: time and place from another line go.
            t = replace(t, time=None, place=None)
            continue
        other = found.get(fact.fact_id)
        if other is None:
            return fact
        if (other.subject, other.object) == (fact.subject, fact.object):
            return None
    return None


def _triples_at(tok: Token, rules: Rules) -> Iterator[Triple]:
    # Matching on the surface form (not the lemma) keeps may_contain_fact exact by construction.
    form = tok.lower_
    known = form in rules.verbs or form in rules.light or form in rules.nouns
    if not (known or form in rules.relational) or tok.sent.text.rstrip().endswith("?"):
        return
    # The tagger sometimes calls a past tense with an object an adjective ("and annexed Crimea").
    verbal = tok.pos_ == "VERB" or (tok.pos_ == "ADJ" and bool(_children(tok, "dobj", "agent")))
    if verbal:
        if form in rules.verbs:
            yield from _clause_triples(tok, rules.verbs[form], None, rules)
        if form in rules.light:
            yield from _clause_triples(tok, rules.light[form].predicate, rules.light[form], rules)
    elif tok.pos_ in ("NOUN", "PROPN"):
        if form in rules.nouns:
            yield from _nominal_triples(tok, rules.nouns[form], rules)
        if form in rules.relational:
            yield from _relational_triples(tok, rules.relational[form], rules)


# --- clauses ----------------------------------------------------------------------------------


def _clause_triples(
    verb: Token, pred: Predicate, light: LightVerb | None, rules: Rules
) -> Iterator[Triple]:
    if _hedged(verb, rules):
        return
    passive = _is_passive(verb)
    active_subj, passive_subj = _clause_subjects(verb, rules)
    if passive:
        subjects = [p for c in verb.children if c.dep_ == "agent" for p in _pobjs(c)]
        objects = passive_subj
    else:
        subjects = active_subj
        objects = [] if pred.require_object_prep else _children(verb, "dobj")
        objects += [p for c in _preps(verb, pred.object_preps) for p in _pobjs(c)]
        if not objects and not pred.require_object_prep:
            # "did not sign or ratify the treaty": the last of coordinated verbs holds the object.
            bare = [c for c in verb.conjuncts if c.i > verb.i and not _children(c, *SUBJECT_DEPS)]
            objects = [o for c in bare[:1] for o in _children(c, "dobj")]
    if light is not None:
        heads = [c for c in _children(verb, "dobj") if c.lemma_.lower() in light.nouns]
        if not heads:
            return
        objects = [
            p for h in (verb, *heads) for c in _preps(h, light.object_preps) for p in _pobjs(c)
        ]
    if verb.dep_ == "relcl" and not any(
        t.lower_ in rules.lists["relative_pronouns"] for t in (*subjects, *objects)
    ):
        # A gap instead of a pronoun: "the territory Russia annexed".
        if subjects and not objects and not pred.require_object_prep:
            objects = [verb.head]
        elif not subjects and not passive:
            subjects = [verb.head]
    subjects = [_antecedent(t, verb, rules) for t in subjects]
    objects = [_antecedent(t, verb, rules) for t in objects]
    time = _time([verb], rules)
    # "signed a deal in Apulia": the parser often hangs the place on the object.
    place = _place([verb, *objects], pred, rules, exclude=objects)
    negative = _negated(verb)
    for s in _conjuncts(subjects, rules):
        subj = _arg(s, rules, None)
        if subj is None:
            continue
        if not objects and place is not None and pred.place_as_object:
            yield Triple(subj, pred.place_as_object, place, verb, time, None, negative, "at")
        for o in _conjuncts(objects, rules):
            obj = _arg(o, rules, pred)
            if obj is not None and obj.text.lower() != subj.text.lower():
                link = o.head.lower_ if o.dep_ == "pobj" else "of"
                yield Triple(subj, pred.name, obj, verb, time, place, negative, link)


def _clause_subjects(verb: Token, rules: Rules, depth: int = 0) -> tuple[list[Token], list[Token]]:
    """(active, passive) subjects of ``verb``, borrowed from the clause it hangs from if absent."""
    active = _children(verb, "nsubj")
    passive = _children(verb, "nsubjpass")
    if active or passive or depth > 4:
        return active, passive
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _clause_subjects(verb.head, rules, depth + 1)
    participle = verb.tag_ in ("VBG", "VBN") and not _children(verb, "mark", "aux")
    if verb.dep_ == "advcl" and participle:
        # "Hosting Umerov, Austin said" / "Annexed by Russia in 2014, Crimea ...".
        head_active, head_passive = _clause_subjects(verb.head, rules, depth + 1)
        main = head_active or head_passive
        return ([], main) if _is_passive(verb) else (main, [])
    if verb.dep_ == "acl" and _is_passive(verb):
        return [], [verb.head]
    return [], []


def _is_passive(verb: Token) -> bool:
    if _children(verb, "nsubjpass", "auxpass", "agent"):
        return True
    perfect = any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children)
    return verb.tag_ == "VBN" and verb.dep_ in ("acl", "advcl") and not perfect


def _antecedent(tok: Token, verb: Token, rules: Rules) -> Token:
    if verb.dep_ == "relcl" and tok.lower_ in rules.lists["relative_pronouns"]:
        return verb.head
    return tok


def _hedged(verb: Token, rules: Rules) -> bool:
    """Not a statement of fact: an infinitive or participle complement ("plans to invade"),
    a modal ("could invade") or a condition ("if Russia invades")."""
    if verb.dep_ in NONFINITE_DEPS or any(c.tag_ == "TO" for c in verb.children):
        return True
    return _modal(verb, rules, reported=True)


def _modal(verb: Token, rules: Rules, reported: bool = False) -> bool:
    """A hedging modal or conditional mark on the verb, or on the verb a bare coordinated verb
    shares them with ("could invade and annex"). With ``reported``, "would" in a complement
    clause is the reported form of "will" ("said the US would send tanks") and no hedge."""
    node = verb
    for _ in range(5):
        aux = {c.lower_ for c in node.children if c.dep_ in ("aux", "auxpass")}
        if reported and node.dep_ == "ccomp":
            aux -= rules.lists["reported_future"]
        marks = {c.lower_ for c in node.children if c.dep_ == "mark"}
        if aux & rules.lists["hedge_auxiliaries"] or marks & rules.lists["conditional_marks"]:
            return True
        if node.dep_ != "conj" or _children(node, "nsubj", "nsubjpass", "aux"):
            return False
        node = node.head
    return False


def _negated(verb: Token) -> bool:
    """A neg on the verb or its auxiliaries ("does not and will never recognize"); a bare
    coordinated verb shares the negation of the first ("did not sign or ratify")."""
    node = verb
    for _ in range(5):
        aux = [c for c in node.children if c.dep_ in ("aux", "auxpass")]
        if any(c.dep_ == "neg" for t in (node, *aux) for c in t.children):
            return True
        if node.dep_ != "conj" or aux or _children(node, "nsubj", "nsubjpass"):
            return False
        node = node.head
    return False


# --- nominalisations and relational nouns -----------------------------------------------------


def _nominal_triples(
    noun: Token, pred: Predicate, rules: Rules, context: bool = True
) -> Iterator[Triple]:
    """Triples of a nominalisation; ``context=False`` when it is the object of a clause that is
    judged itself ("would never recognize Russia's annexation of Crimea")."""
    if (context and _irrealis(noun, rules)) or any(
        c.dep_ == "amod" and c.lower_ in rules.lists["hypothetical_modifiers"]
        for c in noun.children
    ):
        return
    object_preps = _preps(noun, pred.noun_object_preps)
    objects = [p for c in object_preps for p in _pobjs(c)]
    # "meeting of X with Y": an "of" after the object belongs to the object ("with the Charge
    # d'Affaires of the United States") whatever the parser says.
    first_object = min((c.i for c in object_preps), default=len(noun.doc))
    subject_preps = [c for c in _preps(noun, pred.noun_subject_preps) if c.i < first_object]
    subjects = [c for c in noun.children if c.dep_ == "poss"]
    subjects += [p for c in (*_preps(noun, {"by"}), *subject_preps) for p in _pobjs(c)]
    subject_args = [a for s in _conjuncts(subjects, rules) if (a := _arg(s, rules, None))]
    if not subjects:
        subject_args = [a for c in noun.children if (a := _modifier_actor(c, rules))]
    time = _time([noun, *_children(noun, "acl")], rules)
    place = _place([noun, *subjects], pred, rules, exclude=objects)
    for subj in subject_args:
        if not objects and place is not None and pred.place_as_object:
            yield Triple(subj, pred.place_as_object, place, noun, time, None, False, "at")
        for o in _conjuncts(objects, rules):
            obj = _arg(o, rules, pred, nominal=False)
            if obj is not None and obj.text.lower() != subj.text.lower():
                yield Triple(subj, pred.name, obj, noun, time, place, False, o.head.lower_)


def _modifier_actor(mod: Token, rules: Rules) -> Arg | None:
    """ "the Russian invasion" -> Russia; "the US recognition" -> US."""
    if not rules.names_known:
        return Arg(f"#{mod.i}", (mod,)) if mod.dep_ in ("amod", "compound") else None
    if mod.dep_ not in ("amod", "compound") or mod.ent_type_ not in ("NORP", "GPE", "ORG"):
        return None
    if mod.ent_type_ != "NORP":
        return _arg(mod, rules, None)
    country = rules.demonyms.get(mod.lower_)
    if country is None:
        return None
    return Arg(" ".join(w.capitalize() for w in country.split()), (mod,))


def _relational_triples(noun: Token, rel: Relational, rules: Rules) -> Iterator[Triple]:
    if _irrealis(noun, rules):
        return
    subjects: list[Token] = []
    clause: Token | None = None
    if "poss" in rel.subject:
        subjects += _children(noun, "poss")
    if "appos" in rel.subject and noun.dep_ == "appos":
        subjects.append(noun.head)
    if "attr" in rel.subject and noun.dep_ == "attr" and noun.head.lemma_ in rules.lists["copulas"]:
        clause = noun.head
        if _hedged(clause, rules):
            return
        subjects += _children(clause, "nsubj")
    objects = [p for c in _preps(noun, rel.preps) for p in _pobjs(c)]
    nxt = noun.nbor() if noun.i + 1 < len(noun.doc) else None
    if not objects and nxt is not None and nxt.lower_ in rel.preps:
        # The parser often hangs "as Y" on the verb: "in keeping with Ukraine's status as Y".
        objects = _pobjs(nxt)
    roots = [noun, *_children(noun, "acl"), *([clause] if clause is not None else [])]
    time = _time(roots, rules)
    negative = clause is not None and _negated(clause)
    for s in _conjuncts(subjects, rules):
        subj = _arg(s, rules, None)
        for o in _conjuncts(objects, rules):
            obj = _arg(o, rules, None, nominal=False)
            if subj and obj and obj.text.lower() != subj.text.lower():
                yield Triple(subj, rel.name, obj, noun, time, None, negative)


def _irrealis(noun: Token, rules: Rules) -> bool:
    """Whether the noun sits under a word of wanting, fearing or planning, or a hedged verb."""
    node = noun
    for _ in range(4):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.lemma_.lower() in rules.lists["irrealis_governors"]:
            return True
        if node.pos_ in ("VERB", "AUX"):
            return _modal(node, rules)
    return False


# --- arguments --------------------------------------------------------------------------------


def _arg(tok: Token, rules: Rules, pred: Predicate | None, nominal: bool = True) -> Arg | None:
    """The name a token stands for, or None when it is not one (pronouns, plain nouns...)."""
    if tok.pos_ == "PRON" or tok.lower_ in rules.lists["relative_pronouns"]:
        return None
    if not rules.names_known:
        return Arg(f"#{tok.i}", (tok,))
    ent = _entity(tok)
    if ent is not None:
        if ent.label_ not in rules.lists["entity_labels"]:
            return None
        labels = pred.object_labels if pred is not None else None
        return None if labels is not None and ent.label_ not in labels else _clean(list(ent))
    if tok.pos_ == "PROPN":
        # A bare title is a role, not a name ("Deputy Head of the Office").
        if tok.lemma_.lower() in rules.lists["title_words"]:
            return None
        return _clean(_name_tokens(tok, rules.lists["title_words"]))
    lemma = tok.lemma_.lower()
    if lemma in rules.lists["container_nouns"]:
        inner = [p for c in _preps(tok, {"of"}) for p in _pobjs(c)]
        return _arg(inner[0], rules, pred, nominal) if inner else None
    for appos in _children(tok, "appos"):
        if (found := _arg(appos, rules, pred, nominal)) is not None:
            return found
    if lemma in rules.lists["group_nouns"]:
        for mod in tok.children:
            ent = _entity(mod)
            if (
                mod.dep_ in ("amod", "compound", "poss")
                and ent is not None
                and ent.label_ in rules.lists["group_labels"]
            ):
                return _clean(list(tok.doc[min(ent.start, tok.i) : tok.i + 1]))
    names = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i < tok.i]
    if names and tok.pos_ == "NOUN" and names[0].ent_type_ not in rules.lists["descriptor_labels"]:
        # A common noun named by a proper one: "the New START treaty", "Patriot systems".
        return _clean(_name_tokens(tok, rules.lists["title_words"]))
    if pred is None:
        return None
    if lemma in pred.common_objects:
        return _clean(_common_tokens(tok))
    if nominal and tok.lower_ in rules.nouns:
        inner_pred = rules.nouns[tok.lower_]
        for t in _nominal_triples(tok, inner_pred, rules, context=False):
            tokens = sorted({*t.subject.tokens, tok, *t.object.tokens}, key=lambda x: x.i)
            text = f"{t.subject.text}'s {tok.lower_} {t.link} {t.object.text}"
            return Arg(text, tuple(tokens))
    return None


def _entity(tok: Token) -> Span | None:
    if not tok.ent_type_:
        return None
    return next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)


def _name_tokens(head: Token, titles: frozenset[str]) -> list[Token]:
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
    for prep in _preps(head, {"of"}):
        pobjs = [p for p in _pobjs(prep) if p.pos_ == "PROPN" and p.ent_type_ != "DATE"]
        if pobjs and not head.ent_type_:
            tokens += [prep, *_name_tokens(pobjs[0], titles)]
    return _contiguous(tokens)


def _common_tokens(head: Token) -> list[Token]:
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
    return _contiguous(tokens)


def _contiguous(tokens: list[Token]) -> list[Token]:
    lo, hi = min(t.i for t in tokens), max(t.i for t in tokens)
    return list(tokens[0].doc[lo : hi + 1])


def _clean(tokens: list[Token]) -> Arg | None:
    """Drop a leading article or possessor and a trailing possessive or punctuation."""
    while tokens and (tokens[0].pos_ in ("DET", "PUNCT", "PRON") or tokens[0].dep_ == "case"):
        tokens = tokens[1:]
    while tokens and (tokens[-1].pos_ == "PUNCT" or tokens[-1].dep_ == "case"):
        tokens = tokens[:-1]
    if not tokens:
        return None
    text = _text(tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text)
    return Arg(text, tuple(tokens)) if any(ch.isalnum() for ch in text) else None


def _text(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"^(?:the|The|THE)\s+", "", text)
    return re.sub(r"(?:['\u2019]s|(?<=s)['\u2019])$", "", text).strip()


# --- time and place ---------------------------------------------------------------------------


def _time(roots: Iterable[Token], rules: Rules) -> Arg | None:
    """A date attached to the predicate: "in 2014", "on Thursday", "last month", "next week's"."""
    for root in roots:
        for c in root.children:
            if c.dep_ == "prep" and c.lower_ in rules.lists["time_preps"]:
                for p in _pobjs(c):
                    if (found := _date(p, rules)) is not None:
                        return found
            elif c.dep_ in TIME_DEPS and c.ent_type_ == "DATE" and (found := _date(c, rules)):
                return found
    return None


def _date(tok: Token, rules: Rules) -> Arg | None:
    if tok.ent_type_ == "DATE":
        inside = {t.i for t in tok.subtree}
        ent = _entity(tok)
        tokens = [t for t in ent if t.i in inside] if ent is not None else [tok]
        found = _clean(_contiguous(tokens))
        # A length of time ("a day after ...") places nothing on the calendar.
        return found if found is not None and rules.time_word.search(found.text) else None
    if rules.year.match(tok.text):
        return Arg(tok.text, (tok,))
    return None


def _place(
    roots: Iterable[Token], pred: Predicate, rules: Rules, exclude: list[Token]
) -> Arg | None:
    """Where it happened, when the predicate has a place: an entity after one of its
    prepositions, on the predicate or on its subject ("meeting of X at Ramstein")."""
    if not pred.place_preps:
        return None
    for root in roots:
        for prep in _preps(root, pred.place_preps):
            for p in _pobjs(prep):
                if p not in exclude and not rules.names_known:
                    return Arg(f"#{p.i}", (p,))
                ent = _entity(p)
                labels = rules.lists["place_labels"]
                if p not in exclude and ent is not None and ent.label_ in labels:
                    return _clean(list(ent))
    return None


# --- small helpers ----------------------------------------------------------------------------


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _preps(tok: Token, words: Iterable[str]) -> list[Token]:
    wanted = set(words)
    return [c for c in tok.children if c.dep_ in ("prep", "agent", "dative") and c.lower_ in wanted]


def _pobjs(prep: Token) -> list[Token]:
    return [c for c in prep.children if c.dep_ == "pobj"]


def _conjuncts(tokens: Iterable[Token], rules: Rules) -> list[Token]:
    """Each token and the tokens coordinated with it ("the United States and Ukraine"); a
    common noun is replaced by the names in apposition to it ("four regions — Donetsk, Luhansk
    and Kherson"). Without entities, both the noun and everything in apposition to it."""
    out: list[Token] = []
    for tok in tokens:
        named = [
            a
            for a in _children(tok, "appos")
            if a.pos_ == "PROPN" or a.ent_type_ or not rules.names_known
        ]
        if tok.pos_ == "NOUN" and not tok.ent_type_ and named:
            out.extend(_conjuncts(named, rules))
            if rules.names_known:
                continue
        out.append(tok)
        out.extend(t for t in tok.conjuncts if t.i > tok.i and t not in out)
    return out


def _claim(t: Triple, sdoc: Doc, document: Document, offset: int, wide: bool) -> FactClaim:
    parts = [*t.subject.tokens, *t.object.tokens, t.trigger]
    for extra in (t.time, t.place) if wide else ():
        if extra is not None:
            parts.extend(extra.tokens)
    first = min(parts, key=lambda x: x.i)
    last = max(parts, key=lambda x: x.i)
    start, end = offset + first.idx, offset + last.idx + len(last.text)
    predicate = t.predicate
    return FactClaim(
        fact_id=FactClaim.make_id(document.sha256, start, end, predicate),
        doc_id=document.doc_id,
        span=document.text[start:end],
        char_start=start,
        char_end=end,
        sentence=t.trigger.sent.text.strip(),
        subject=t.subject.text,
        predicate=predicate,
        object=t.object.text,
        time=t.time.text if t.time else None,
        place=t.place.text if t.place else None,
        polarity="negative" if t.negative else "positive",
        attributed_to=_attribution(t.trigger, sdoc),
    )


def _attribution(anchor: Token, sdoc: Doc) -> str | None:
    """Who asserts the fact, when ``claims.attribution`` is available."""
    try:
        from claims import attribution
    except ImportError:  # pragma: no cover - the module is written by another stage
        return None
    by_sentence = getattr(attribution, "attributed_to", None)
    if by_sentence is not None:
        return by_sentence(anchor.sent)  # type: ignore[no-any-return]
    by_anchor = getattr(attribution, "attribute", None)
    if by_anchor is not None:
        return by_anchor(anchor, sdoc)  # type: ignore[no-any-return]
    return None
