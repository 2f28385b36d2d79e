"""What a figure measures and how it is described, read from the dependency parse.

:class:`Reader` finds the measured noun of a figure: the noun it modifies ("14,000 Ukrainian
lives"), the X of "tens of thousands of X" or "the number of X", the subject of a level verb
("the death toll rose to 41,000" -> death), or, when the noun is elided ("but tens of
thousands remain"), the nearest plural noun before it in the sentence or the one before.

:func:`describe` writes the subject (the counted noun phrase, its prepositional attachments,
its verb with the verb's agent and place/purpose arguments) and picks the words that become
key terms (:func:`key_terms`): '<LABEL>:<entity>', 'LOC:<locative noun>', 'term:<lemma>'.
Word lists are in ``claims/data/extract.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claims.extract.numbers import NumberMention
from claims.extract.timescope import TimeExpression
from claims.wordlists import Extract

# Where a parsed passage keeps its entities once read (:func:`entities`).
_ENTITIES = "claims.entities"

NOUNS = ("NOUN", "PROPN")
MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "poss", "case", "nummod", "quantmod"})
CORE_DEPS = MODIFIER_DEPS - {"nummod", "quantmod"}


@dataclass(frozen=True)
class Target:
    """What a figure measures: the counted noun, the thing it describes, where the span ends.

    ``attached`` is False when the noun was borrowed from earlier text (an elided noun), so
    its own modifiers and verb say nothing about this figure.
    """

    noun: Token | None
    thing: Token | None
    end: int
    attached: bool = True


class Reader:
    """Finds measured nouns with the word lists of ``extract.json`` (``rules``)."""

    def __init__(self, rules: Extract) -> None:
        self.rules = rules

    def measured(self, m: NumberMention, figure: Span, kind: str) -> Target:
        """What ``figure`` (the numeral of ``m``) measures, found through the parse."""
        root = figure.root
        end = m.end
        if kind in ("money", "percent"):
            thing = self._money_thing(root)
            if thing is not None and thing.lemma_.lower() in self.rules.percent_nouns:
                unit = thing
                thing = (
                    self._of_noun(unit)
                    or self._money_thing(unit)
                    or self._level_subject(unit)
                    or self._changed(unit)
                )
            elif thing is None:
                thing = self._level_subject(root) or self._changed(root)
            if thing is not None:
                thing = self.unwrap(thing)
            if thing is not None and thing.i > root.i and modifies(root, thing):
                end = max(end, thing.idx + len(thing))
            return Target(None, thing, end)
        noun = self._of_noun(root)
        if noun is None and root.dep_ in MODIFIER_DEPS and root.head.pos_ in NOUNS:
            head = root.head
            # "Another 104 monkeypox cases": the figure hangs from a compound's first noun,
            # which it cannot count ("a 30-day ceasefire" counts days).
            while (
                head.dep_ == "compound"
                and head.head.pos_ in NOUNS
                and head.head.i > head.i
                and not self._can_count(m, head)
            ):
                head = head.head
            noun = head if self._can_count(m, head) else None
            shared = None if noun is not None or kind == "ordinal" else _shared_plural(head)
            if shared is not None:
                return Target(shared, shared, max(end, head.idx + len(head)))
        if noun is None and kind == "count":
            noun = _after_glued_scale(root)
        if kind == "ordinal":
            return Target(noun, noun, end if noun is None else max(end, noun.idx + len(noun)))
        if noun is not None:
            end = max(end, self._np_end(noun))
            if noun.lemma_.lower() not in self.rules.time_units:
                return Target(noun, noun, end)
            thing = self._of_noun(noun)
            if thing is None and noun.dep_ in MODIFIER_DEPS and noun.head.pos_ in NOUNS:
                thing = noun.head
                end = max(end, thing.idx + len(thing))
            return Target(noun, thing, end)
        noun = self._level_subject(root)
        if noun is not None:
            return Target(noun, noun, end)
        noun = self.look_back(figure)
        return Target(noun, noun, end, attached=False)

    def _can_count(self, m: NumberMention, noun: Token) -> bool:
        """Whether ``noun`` can be what ``m`` counts: a plural, a unit, or a collective noun.

        A singular common noun after a plural figure is usually a mis-tagged verb
        ('only 500 remain'), so the counted noun is looked for elsewhere.
        """
        if m.form == "ordinal" or (m.value is not None and m.value == 1):
            return True
        lemma = noun.lemma_.lower()
        rules = self.rules
        if noun.tag_ != "NN" or lemma in rules.time_units or lemma in rules.measure_units:
            return True
        return lemma in rules.collective_nouns or lemma in rules.percent_units

    def _np_end(self, noun: Token) -> int:
        """End of the measured noun, through nouns coordinated with it ('allies and partners')."""
        last = noun
        for child in noun.children:
            own_figure = any(c.dep_ == "nummod" for c in child.children)
            if child.dep_ == "conj" and child.pos_ in NOUNS and child.i > last.i and not own_figure:
                last = child
        return last.idx + len(last)

    def _of_noun(self, tok: Token) -> Token | None:
        """X in 'tens of thousands of X', 'hundreds of X', 'the number of X'."""
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    if obj.dep_ != "pobj":
                        continue
                    if obj.lower_ in self.rules.scale_words or obj.like_num:
                        return self._of_noun(obj)
                    if obj.pos_ in NOUNS and obj.lemma_.lower() not in self.rules.not_counted:
                        return self.unwrap(obj)
        return None

    def unwrap(self, noun: Token) -> Token:
        """'the number of X' -> X; 'the death toll' -> death."""
        lemma = noun.lemma_.lower()
        if lemma in self.rules.container_nouns:
            return self._of_noun(noun) or noun
        if lemma in self.rules.toll_nouns:
            compounds = [c for c in noun.children if c.dep_ == "compound" and c.pos_ in NOUNS]
            if compounds and compounds[-1].lemma_.lower() in self.rules.toll_compounds:
                return compounds[-1]
            return noun
        if lemma in self.rules.headline_verbs:
            tolls = [
                c
                for c in noun.children
                if c.dep_ == "compound"
                and c.lemma_.lower() in self.rules.toll_nouns | self.rules.container_nouns
            ]
            if tolls:
                return self.unwrap(tolls[-1])
        return noun

    def _money_thing(self, root: Token) -> Token | None:
        node = root
        while node.head.i != node.i:
            node = node.head
            if node.pos_ in NOUNS:
                return node
            if node.pos_ in ("VERB", "AUX") and node.dep_ not in ("acl", "prep", "amod"):
                return None
        return None

    def _level_subject(self, root: Token) -> Token | None:
        verb = root.head.head if root.dep_ == "pobj" else root.head
        if root.dep_ not in ("pobj", "dobj", "attr", "npadvmod", "acomp"):
            return None
        if verb.lemma_.lower() not in self.rules.level_verbs:
            return None
        # The subject nearest the verb: 'BEIJING, Feb 8 (Reuters) - ... the death toll stood
        # at 722' hangs the dateline's city on the verb too.
        subjects = [
            c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in NOUNS
        ]
        return self.unwrap(subjects[-1]) if subjects else None

    def _changed(self, root: Token) -> Token | None:
        """'raised interest rates by 0.25 points': the object of the verb that changes it."""
        prep = root.head
        if root.dep_ != "pobj" or prep.lower_ not in self.rules.change_preps:
            return None
        for child in prep.head.children:
            if child.dep_ == "dobj" and child.pos_ in NOUNS:
                return child
        return None

    def look_back(self, figure: Span | Token, *, tally: bool = False) -> Token | None:
        """The nearest plural noun before an elided count, in its sentence or the previous one;
        for a ``tally`` of places ("India (101), Nigeria (99)") not the word for the places
        themselves ("The other countries in the count are ...")."""
        first = figure[0] if isinstance(figure, Span) else figure
        sent = first.sent
        scopes = [range(first.i - 1, sent.start - 1, -1)]
        if sent.start > 0:
            prev = first.doc[sent.start - 1].sent
            scopes.append(range(prev.end - 1, prev.start - 1, -1))
        for scope in scopes:
            for i in scope:
                tok = first.doc[i]
                lemma = tok.lemma_.lower()
                if tally and lemma in self.rules.settlement_nouns:
                    continue
                if tok.tag_ == "NNS" and lemma not in self.rules.not_counted:
                    return self.unwrap(tok)  # "Stampede toll climbs to 717": the toll
        return None


def modifies(tok: Token, noun: Token) -> bool:
    """Whether ``tok`` sits inside ``noun``'s pre-modifiers ('USD 60 million [...] package')."""
    while tok.dep_ in MODIFIER_DEPS and tok.head.i != tok.i:
        tok = tok.head
        if tok.i == noun.i:
            return True
    return False


def names_before(root: Token) -> bool:
    """'Apollo 11', 'Article 5': a figure after the noun it hangs from is a label, not a count."""
    head = root.head
    return (
        root.dep_ in ("nummod", "appos", "compound") and head.i == root.i - 1 and head.pos_ in NOUNS
    )


def governing_verb(tok: Token) -> Token | None:
    for node in tok.ancestors:
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def _core(noun: Token, skip: set[int]) -> list[Token]:
    """A noun with its modifiers in front ('Ukraine's borders', 'Russian troops')."""
    out = [noun]
    for child in noun.children:
        if child.i < noun.i and child.dep_ in CORE_DEPS and child.i not in skip:
            out.extend(t for t in child.subtree if t.i not in skip and t.dep_ != "det")
        if child.dep_ == "conj" and child.pos_ in NOUNS:
            out.extend([*(c for c in noun.children if c.dep_ == "cc"), *_core(child, skip)])
    return out


def _prep_phrases(
    head: Token, allowed: frozenset[str] | None, avoid: set[int], timed: set[int]
) -> list[Token]:
    """Prepositional attachments of ``head`` (plus a nested 'of'), minus time words and the
    path back to the figure (``avoid``)."""
    out: list[Token] = []
    for prep in head.children:
        if prep.dep_ != "prep" or prep.pos_ != "ADP" or prep.i in avoid:
            continue
        if allowed is not None and prep.lower_ not in allowed:
            continue
        for obj in prep.children:
            if obj.dep_ == "pobj" and obj.i not in avoid and obj.idx not in timed:
                out.append(prep)
                out.extend(_core(obj, avoid))
                for sub in obj.children:
                    if sub.dep_ == "prep" and sub.lower_ == "of":
                        objs = [o for o in sub.children if o.dep_ == "pobj"]
                        out.extend([sub, *(t for o in objs for t in _core(o, avoid))])
    return out


def _own_verb(tok: Token, rules: Extract) -> tuple[Token | None, set[int]]:
    """The verb whose argument ``tok`` is, through scale words and containers only, and the
    path to it; ``None`` when another noun stands between ('efforts of 50 nations')."""
    path = {tok.i}
    node = tok
    while node.head.i != node.i:
        node = node.head
        path.add(node.i)
        if node.pos_ in ("VERB", "AUX"):
            if node.lemma_.lower() in rules.transparent_verbs:
                continue
            if node.dep_ == "prep" or node.lemma_.lower() in rules.level_verbs:
                return None, path
            return node, path
        lemma = node.lemma_.lower()
        if node.pos_ in NOUNS and lemma not in rules.scale_words | rules.container_nouns:
            return None, path
    return None, path


def describe(
    root: Token,
    figure: Span | None,
    target: Target,
    kind: str,
    times: Iterable[TimeExpression],
    rules: Extract,
    max_tokens: int,
    figures: frozenset[int] | set[int] = frozenset(),
) -> tuple[list[Token], list[Token]]:
    """(subject tokens in reading order, the tokens whose words become key terms).

    The subject is the counted noun phrase with its prepositional attachments, then its verb,
    the verb's subject (the agent) and the verb's place and purpose arguments, cut at
    ``max_tokens`` (``Settings.subject_max_tokens``); the tokens of other figures
    (``figures``) are left out. Key terms leave out the agent and the verb: they say who
    acts, not what is counted.
    """
    timed = {i for t in times for i in range(t.start, t.end)}  # char offsets
    skip = {t.i for t in figure} if figure is not None else {root.i}
    skip |= {t.i for t in root.subtree if t.i < root.i} | figures
    focus = target.thing if target.thing is not None else target.noun
    if kind == "duration" and target.noun is not None:
        skip |= {t.i for t in target.noun.subtree if t.i <= target.noun.i}
    if kind == "date" and focus is not None:
        phrase = _event_phrase(focus, skip)
        return phrase, phrase  # a date's key terms are its event's: who did what to whom
    groups: list[tuple[list[Token], bool]] = []
    anchor = focus if focus is not None and target.attached else root
    verb, path = _own_verb(anchor, rules)
    if focus is not None:
        groups.append((_core(focus, skip), True))
        if target.attached:
            groups.append((_prep_phrases(focus, None, skip, timed), True))
    if verb is not None:
        groups.append(([verb], False))
        subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.i not in path]
        if subjects and subjects[0].pos_ != "PRON":
            agent = subjects[0]
            ent = next((e for e in entities(agent.doc) if e.start <= agent.i < e.end), None)
            named = [t for t in ent if t.dep_ != "det"] if ent is not None else []
            groups.append(((named or _core(agent, skip)), False))
        groups.append((_prep_phrases(verb, rules.verb_arg_preps, skip | path, timed), True))
    for owner in _purpose_owners(anchor, verb):
        groups.extend(_purpose(owner, skip))
    chosen: dict[int, Token] = {}
    described: list[Token] = []
    for group, descriptive in groups:
        fresh = [t for t in group if t.i not in chosen and t.i not in skip]
        if len(chosen) + len(fresh) > max_tokens:
            break
        chosen.update((t.i, t) for t in fresh)
        if descriptive:
            described.extend(fresh)
    return [chosen[i] for i in sorted(chosen)], described


def _purpose_owners(anchor: Token, verb: Token | None) -> list[Token]:
    """The counted noun, the nouns it hangs from on the way to its verb, and the verb."""
    owners = [anchor]
    node = anchor
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX") and len(owners) < 4:
        node = node.head
        if node.pos_ in NOUNS:
            owners.append(node)
    return [*owners, verb] if verb is not None else owners


def _purpose(owner: Token, skip: set[int]) -> list[tuple[list[Token], bool]]:
    """'to bolster Ukraine's defenses': an infinitive of purpose and its object."""
    out: list[tuple[list[Token], bool]] = []
    for clause in owner.children:
        if clause.dep_ not in ("acl", "relcl", "advcl", "xcomp") or clause.pos_ != "VERB":
            continue
        marks = [c for c in clause.children if c.dep_ == "aux" and c.tag_ == "TO"]
        objects = [c for c in clause.children if c.dep_ == "dobj" and c.pos_ in NOUNS]
        if marks and objects:
            out += [([*marks, clause], False), (_core(objects[0], skip), True)]
    return out


def _event_phrase(verb: Token, skip: set[int]) -> list[Token]:
    """'Russia annexed Crimea' for the verb of a dated event, whatever the word order."""
    out: list[Token] = []
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    if objects and objects[0].tag_ in ("WDT", "WP") and verb.dep_ == "relcl":
        objects = [verb.head]
    if subjects and subjects[0].tag_ in ("WDT", "WP") and verb.dep_ == "relcl":
        subjects = [verb.head]
    if verb.dep_ == "acl" and not subjects:
        subjects = [verb.head]
    for tok in subjects[:1]:
        out.extend(sorted(_core(tok, skip), key=lambda t: t.i))
    out.append(verb)
    for tok in objects[:1]:
        out.extend(sorted(_core(tok, skip), key=lambda t: t.i))
    return out


def join(tokens: list[Token]) -> str:
    """The tokens as text: spaced as written where adjacent, one space across gaps."""
    out = ""
    for i, tok in enumerate(tokens):
        if i and (tokens[i - 1].i != tok.i - 1 or tokens[i - 1].whitespace_):
            out += " "
        out += tok.text
    return out.strip()


def _americanize(word: str, rules: Extract) -> str:
    word = rules.spelling.get(word, word)
    for old, new in rules.spelling_suffixes:
        if word.endswith(old):
            return word[: -len(old)] + new
    return word


def normalize_term(text: str, rules: Extract) -> str:
    """Key-term spelling: lower case, no leading 'the ' or trailing 's, American spelling."""
    text = " ".join(text.lower().replace("’", "'").split())
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"\s*'s$", "", text)
    return " ".join(_americanize(w, rules) for w in text.split())


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, made once per parsed passage: each read of ``Doc.ents`` makes a new Span
    per entity, and the rules read them for every figure. The recogniser has run by then."""
    found = doc.user_data.get(_ENTITIES)
    if found is None:
        found = doc.user_data[_ENTITIES] = tuple(doc.ents)
    return found


def key_terms(tokens: list[Token], root: Token, rules: Extract) -> list[str]:
    """Sorted key terms: '<LABEL>:<entity>', 'LOC:<locative noun>', 'term:<content lemma>'."""
    chosen = {t.i for t in tokens}
    terms: set[str] = set()
    used: set[int] = set()
    for ent in entities(root.doc):
        if ent.label_ in rules.key_term_labels and not chosen.isdisjoint(range(ent.start, ent.end)):
            terms.add(f"{ent.label_}:{normalize_term(ent.text, rules)}")
            used.update(range(ent.start, ent.end))
    for tok in tokens:
        if tok.i in used or tok.is_stop or not tok.is_alpha:
            continue
        lemma = _americanize(tok.lemma_.lower(), rules)
        locative = (
            tok.dep_ == "pobj"
            and tok.head.i in chosen
            and tok.head.lower_ in rules.locative_preps
            and lemma not in rules.not_locative
        )
        if locative and tok.pos_ == "NOUN":
            terms.add(f"LOC:{lemma}")
        elif tok.pos_ in ("NOUN", "PROPN", "ADJ", "VERB"):
            terms.add(f"term:{lemma}")
    return sorted(terms)


def _shared_plural(word: Token) -> Token | None:
    """ "39 gold, 41 silver and 33 bronze medals": a singular word with its own figure in a
    list whose last member, a modified plural noun with its figure, names what all count."""
    counted = [t for t in word.conjuncts if any(c.dep_ == "nummod" for c in t.children)]
    last = max(counted, key=lambda t: t.i, default=None)
    if last is None or last.i < word.i or last.tag_ != "NNS":
        return None
    if not any(c.dep_ in ("compound", "amod") for c in last.children):
        return None
    return last


def _after_glued_scale(root: Token) -> Token | None:
    """ "31.1m viewers": the parser heads the figure by its scale's letter ('m', split from
    the digits it is glued to) and hangs the counted noun after it as an apposition."""
    doc = root.doc
    if root.like_num or root.i == 0 or root.i + 1 >= len(doc):
        return None
    digits, after = doc[root.i - 1], doc[root.i + 1]
    glued = digits.like_num and digits.idx + len(digits) == root.idx
    if glued and after.tag_ == "NNS" and after.head.i in (root.i, root.head.i):
        return after
    return None
