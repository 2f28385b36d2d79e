"""Factual claims: (subject, predicate, object) triples with time, place and polarity.

Which relations count is data (``claims/data/predicates.json``, read by ``claims.extract.factrules``):
verb lemmas, their nominalisations and a few relational nouns. Arguments come from the
dependency parse (the pieces are read by ``claims.extract.factargs``):

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

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from spacy.attrs import LOWER
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, Token

from claims.extract import attribution
from claims.extract.factargs import (
    Arg,
    children,
    clean,
    common_tokens,
    conjuncts,
    entity,
    name_tokens,
    place_of,
    pobjs,
    preps,
    time_of,
)
from claims.extract.factrules import LightVerb, Predicate, Relational, Rules, load_rules
from claims.models import Document, FactClaim

SUBJECT_DEPS = ("nsubj", "nsubjpass")
# Clauses that state no fact of their own: intentions, adjectives, prepositional complements.
NONFINITE_DEPS = frozenset({"xcomp", "amod", "pcomp"})


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


def may_contain_fact(text: str) -> bool:
    """Cheap prefilter (one compiled regex built from predicates.json trigger word forms) used
    to skip passages; must be fast (runs on every paragraph) and must return True for every
    passage where extract_facts could find something (it does by construction: extraction only
    starts at a token whose lower-case form is one of the regex's words)."""
    return load_rules().trigger.search(text) is not None


def may_yield_facts(sdoc: Doc) -> bool:
    """Whether :func:`extract_facts` could find a triple in ``sdoc`` once its entities are
    known, for a passage parsed without the entity recogniser (the costliest component).

    The same patterns run with every argument that is not a pronoun taken as a possible name
    and every place preposition's object as a possible place, so False means that no entities
    the recogniser could add would give a triple ("he met with ...", "the meeting ended").
    """
    # all(is_space) is text.strip() == "" without joining the text (a Token object per token).
    if all(t.is_space for t in sdoc) or not sdoc.has_annotation("DEP"):
        return False
    rules = _rules_without_names()
    return any(next(_triples_at(tok, rules), None) is not None for tok in _triggers(sdoc, rules))


def _triggers(sdoc: Doc, rules: Rules) -> Iterator[Token]:
    """The tokens of ``sdoc`` whose form some rule starts from, in order: the only ones
    :func:`_triples_at` reads (looked up by hash, without a Token object for every token)."""
    wanted = _trigger_hashes(rules)
    for i, form in enumerate(sdoc.to_array(LOWER).tolist()):
        if form in wanted:
            yield sdoc[i]


# Rules' trigger forms as string hashes, by the identity of their verb table (kept alive here, so
# the id is never reused).
_HASHES: dict[int, tuple[dict[str, Predicate], frozenset[int]]] = {}


def _trigger_hashes(rules: Rules) -> frozenset[int]:
    found = _HASHES.get(id(rules.verbs))
    if found is None or found[0] is not rules.verbs:
        forms = [*rules.verbs, *rules.light, *rules.nouns, *rules.relational]
        found = _HASHES[id(rules.verbs)] = (rules.verbs, frozenset(map(hash_string, forms)))
    return found[1]


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
    # all(is_space) is text.strip() == "" without joining the text (a Token object per token).
    if all(t.is_space for t in sdoc) or not sdoc.has_annotation("DEP"):
        return []  # every pattern reads the dependency parse
    rules = load_rules()
    found: dict[str, FactClaim] = {}
    for tok in _triggers(sdoc, rules):
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
    verbal = tok.pos_ == "VERB" or (tok.pos_ == "ADJ" and bool(children(tok, "dobj", "agent")))
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
        subjects = [p for c in verb.children if c.dep_ == "agent" for p in pobjs(c)]
        objects = passive_subj
    else:
        subjects = active_subj
        objects = [] if pred.require_object_prep else children(verb, "dobj")
        objects += [p for c in preps(verb, pred.object_preps) for p in pobjs(c)]
        if not objects and not pred.require_object_prep:
            # "did not sign or ratify the treaty": the last of coordinated verbs holds the object.
            bare = [c for c in verb.conjuncts if c.i > verb.i and not children(c, *SUBJECT_DEPS)]
            objects = [o for c in bare[:1] for o in children(c, "dobj")]
    if light is not None:
        heads = [c for c in children(verb, "dobj") if c.lemma_.lower() in light.nouns]
        if not heads:
            return
        objects = [
            p for h in (verb, *heads) for c in preps(h, light.object_preps) for p in pobjs(c)
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
    time = time_of([verb], rules)
    # "signed a deal in Apulia": the parser often hangs the place on the object.
    place = place_of([verb, *objects], pred, rules, exclude=objects)
    negative = _negated(verb)
    for s in conjuncts(subjects, rules):
        subj = _arg(s, rules, None)
        if subj is None:
            continue
        if not objects and place is not None and pred.place_as_object:
            yield Triple(subj, pred.place_as_object, place, verb, time, None, negative, "at")
        for o in conjuncts(objects, rules):
            obj = _arg(o, rules, pred)
            if obj is not None and obj.text.lower() != subj.text.lower():
                link = o.head.lower_ if o.dep_ == "pobj" else "of"
                yield Triple(subj, pred.name, obj, verb, time, place, negative, link)


def _clause_subjects(verb: Token, rules: Rules, depth: int = 0) -> tuple[list[Token], list[Token]]:
    """(active, passive) subjects of ``verb``, borrowed from the clause it hangs from if absent."""
    active = children(verb, "nsubj")
    passive = children(verb, "nsubjpass")
    if active or passive or depth > 4:
        return active, passive
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _clause_subjects(verb.head, rules, depth + 1)
    participle = verb.tag_ in ("VBG", "VBN") and not children(verb, "mark", "aux")
    if verb.dep_ == "advcl" and participle:
        # "Hosting Umerov, Austin said" / "Annexed by Russia in 2014, Crimea ...".
        head_active, head_passive = _clause_subjects(verb.head, rules, depth + 1)
        main = head_active or head_passive
        return ([], main) if _is_passive(verb) else (main, [])
    if verb.dep_ == "acl" and _is_passive(verb):
        return [], [verb.head]
    return [], []


def _is_passive(verb: Token) -> bool:
    if children(verb, "nsubjpass", "auxpass", "agent"):
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
        if node.dep_ != "conj" or children(node, "nsubj", "nsubjpass", "aux"):
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
        if node.dep_ != "conj" or aux or children(node, "nsubj", "nsubjpass"):
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
    object_preps = preps(noun, pred.noun_object_preps)
    objects = [p for c in object_preps for p in pobjs(c)]
    # "meeting of X with Y": an "of" after the object belongs to the object ("with the Charge
    # d'Affaires of the United States") whatever the parser says.
    first_object = min((c.i for c in object_preps), default=len(noun.doc))
    subject_preps = [c for c in preps(noun, pred.noun_subject_preps) if c.i < first_object]
    subjects = [c for c in noun.children if c.dep_ == "poss"]
    subjects += [p for c in (*preps(noun, {"by"}), *subject_preps) for p in pobjs(c)]
    subject_args = [a for s in conjuncts(subjects, rules) if (a := _arg(s, rules, None))]
    if not subjects:
        subject_args = [a for c in noun.children if (a := _modifier_actor(c, rules))]
    time = time_of([noun, *children(noun, "acl")], rules)
    place = place_of([noun, *subjects], pred, rules, exclude=objects)
    for subj in subject_args:
        if not objects and place is not None and pred.place_as_object:
            yield Triple(subj, pred.place_as_object, place, noun, time, None, False, "at")
        for o in conjuncts(objects, rules):
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
        subjects += children(noun, "poss")
    if "appos" in rel.subject and noun.dep_ == "appos":
        subjects.append(noun.head)
    if "attr" in rel.subject and noun.dep_ == "attr" and noun.head.lemma_ in rules.lists["copulas"]:
        clause = noun.head
        if _hedged(clause, rules):
            return
        subjects += children(clause, "nsubj")
    objects = [p for c in preps(noun, rel.preps) for p in pobjs(c)]
    nxt = noun.nbor() if noun.i + 1 < len(noun.doc) else None
    if not objects and nxt is not None and nxt.lower_ in rel.preps:
        # The parser often hangs "as Y" on the verb: "in keeping with Ukraine's status as Y".
        objects = pobjs(nxt)
    roots = [noun, *children(noun, "acl"), *([clause] if clause is not None else [])]
    time = time_of(roots, rules)
    negative = clause is not None and _negated(clause)
    for s in conjuncts(subjects, rules):
        subj = _arg(s, rules, None)
        for o in conjuncts(objects, rules):
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


# --- which argument is a name -----------------------------------------------------------------


def _arg(tok: Token, rules: Rules, pred: Predicate | None, nominal: bool = True) -> Arg | None:
    """The name a token stands for, or None when it is not one (pronouns, plain nouns...)."""
    if tok.pos_ == "PRON" or tok.lower_ in rules.lists["relative_pronouns"]:
        return None
    if not rules.names_known:
        return Arg(f"#{tok.i}", (tok,))
    ent = entity(tok)
    if ent is not None:
        if ent.label_ not in rules.lists["entity_labels"]:
            return None
        labels = pred.object_labels if pred is not None else None
        return None if labels is not None and ent.label_ not in labels else clean(list(ent))
    if tok.pos_ == "PROPN":
        # A bare title is a role, not a name ("Deputy Head of the Office").
        if tok.lemma_.lower() in rules.lists["title_words"]:
            return None
        return clean(name_tokens(tok, rules.lists["title_words"]))
    lemma = tok.lemma_.lower()
    if lemma in rules.lists["container_nouns"]:
        inner = [p for c in preps(tok, {"of"}) for p in pobjs(c)]
        return _arg(inner[0], rules, pred, nominal) if inner else None
    for appos in children(tok, "appos"):
        if (found := _arg(appos, rules, pred, nominal)) is not None:
            return found
    if lemma in rules.lists["group_nouns"]:
        for mod in tok.children:
            ent = entity(mod)
            if (
                mod.dep_ in ("amod", "compound", "poss")
                and ent is not None
                and ent.label_ in rules.lists["group_labels"]
            ):
                return clean(list(tok.doc[min(ent.start, tok.i) : tok.i + 1]))
    names = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i < tok.i]
    if names and tok.pos_ == "NOUN" and names[0].ent_type_ not in rules.lists["descriptor_labels"]:
        # A common noun named by a proper one: "the New START treaty", "Patriot systems".
        return clean(name_tokens(tok, rules.lists["title_words"]))
    if pred is None:
        return None
    if lemma in pred.common_objects:
        return clean(common_tokens(tok))
    if nominal and tok.lower_ in rules.nouns:
        inner_pred = rules.nouns[tok.lower_]
        for t in _nominal_triples(tok, inner_pred, rules, context=False):
            tokens = sorted({*t.subject.tokens, tok, *t.object.tokens}, key=lambda x: x.i)
            text = f"{t.subject.text}'s {tok.lower_} {t.link} {t.object.text}"
            return Arg(text, tuple(tokens))
    return None


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
        attributed_to=attribution.attribute(t.trigger, sdoc),
    )
