"""What a figure counts, read from its sentence: the words cross-checking compares.

Run once per claim after extraction (``claims.stages.extract_batch``), so that comparing a
million claims reads no text. For each quantity claim it fills:

* ``counted``: for counts of people, what happened to them (dead, missing, rescued,
  evacuated...): the outcome word in the figure itself ("63 dead"), else nearest it in its
  clause ("58 people are missing", "killed 158 people"), else further back ("the toll has gone
  up again, to 137"). Only the words between the figure and the neighbouring figures of the
  sentence are read, so "killed 158 people and injured up to 6,000" gives each figure its own
  verb;
* ``holder``: whose figure it is, the name right next to it ("Macron 24.01 percent", "Leave
  had 52 per cent", "Liberia with 7,830");
* ``facets``: the words near it that tell quantities of one measure apart ("side=leave",
  "money=salary", "basis=study");
* ``cues``: part (one day's, one group's: "416 of them children"), breakdown (one of a
  sentence's figures of one measure given to two or more holders: "Liberia with 7,830 and
  Guinea with 2,571"), change ("another 700"),
  estimate ("may have died", "could reach"), projection (an estimate looking ahead: "could
  reach", "expected to"), provisional ("so far", "with 84 results declared"), fixed (a
  tower's floors, a fee, an age: the same at any time), slow (a coalition's members), and
  ``year=YYYY`` for a year its clause names ("nearly 300 died when a ferry sank in 1993");
* ``places``: the named places of the claim, else of its sentence;
* ``context_words``: the content words that describe it (its key terms and subject and the
  words of its clause), folded to their synonym class.

The word lists are ``claims/data/counted.json``.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from claims.crosscheck.terms import parse_key_term
from claims.lexicon import (
    crosscheck_lexicon,
    fold,
    fold_word,
    measure_for,
    singulars,
    without_possessive,
)
from claims.models import QuantityClaim
from claims.settings import DATA_DIR, Settings
from claims.textnorm import is_title_case
from claims.wordlists import Counted, Extract, load

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*\d|\d|[;:(),\"“”]")
_HARD_BREAK = frozenset({";", ":", "(", ")", '"', "“", "”"})
# What ends the clause a figure's year is looked for in first: a subordinate clause ("died when
# a ferry overturned in 1993") is still the figure's event; a coordinated one is another's.
_COORDINATION = frozenset({",", "and", "but", "while", "whereas", "although", "though"})
_REFERENCE_YEAR = frozenset({"since", "until", "till"})
_COMPARISON = frozenset({"than", "compared", "versus", "vs"})
# Between "since" and its year: "since February 1982", "since Feb. 3, 1982".
# Month names and abbreviations, lower case, to their number ("sept" too).
MONTHS = {
    name.lower(): k
    for k in range(1, 13)
    for name in (calendar.month_name[k], calendar.month_abbr[k])
} | {"sept": 9}
_DAY_WORDS = frozenset(MONTHS) | frozenset({",", *(str(d) for d in range(1, 32))})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_CAPITALISED = re.compile(r"\b[^\W\d_a-z][\w'’-]*")

Phrases = Mapping[tuple[str, ...], object] | frozenset[tuple[str, ...]]


@dataclass(frozen=True)
class Lexicon:
    """``counted.json`` as lookups: phrases as tuples of words."""

    person_units: frozenset[str]
    people_nouns: frozenset[str]
    listed_people: frozenset[str]
    unit_outcomes: dict[str, str]
    speech_verbs: frozenset[str]
    outcome_measures: dict[str, str]
    outcomes: dict[tuple[str, ...], str]
    facets: dict[tuple[str, ...], tuple[str, str]]
    facet_kinds: dict[str, frozenset[str]]
    facet_distance: int
    change_before: frozenset[tuple[str, ...]]
    change_after: frozenset[tuple[str, ...]]
    part_before: frozenset[tuple[str, ...]]
    part_after: frozenset[tuple[str, ...]]
    estimate_words: frozenset[tuple[str, ...]]
    voting_nouns: frozenset[str]
    projection_words: frozenset[tuple[str, ...]]
    fixed_measures: frozenset[str]
    slow_measures: frozenset[str]
    cumulative_outcomes: frozenset[str]
    provisional_words: frozenset[tuple[str, ...]]
    periodic_series: frozenset[tuple[str, ...]]
    plan_verbs: frozenset[tuple[str, ...]]
    fixed_kinds: frozenset[str]
    presumed_dead: frozenset[tuple[str, ...]]
    fixed_money: frozenset[str]
    moving_units: frozenset[str]
    age_words: frozenset[tuple[str, ...]]
    clause_breaks: frozenset[str]
    not_names: frozenset[str]
    window: int
    longest: int


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


@lru_cache(maxsize=4)
def counted_lexicon(data_dir: Path = DATA_DIR) -> Lexicon:
    raw = load(Counted, data_dir)
    outcomes = {_phrase(w): cls for cls, words in raw.outcomes.items() for w in words}
    facets = {
        _phrase(w): (facet, value)
        for facet, values in raw.facets.items()
        for value, words in values.items()
        for w in words
    }
    listed = [
        *outcomes,
        *facets,
        *(
            _phrase(w)
            for words in (
                raw.change_before,
                raw.part_before,
                raw.part_after,
                raw.estimate_words,
                raw.projection_words,
                raw.provisional_words,
                raw.periodic_series,
                raw.plan_verbs,
                raw.presumed_dead,
            )
            for w in words
        ),
    ]
    return Lexicon(
        person_units=frozenset(raw.person_units),
        people_nouns=frozenset(raw.people_nouns),
        listed_people=frozenset(raw.people_nouns) | frozenset(raw.listed_people),
        unit_outcomes=dict(raw.unit_outcomes),
        speech_verbs=frozenset(raw.speech_verbs),
        outcome_measures=dict(raw.outcome_measures),
        outcomes=outcomes,
        facets=facets,
        facet_kinds={f: frozenset(k) for f, k in raw.facet_kinds.items()},
        facet_distance=int(raw.facet_distance),
        change_before=frozenset(_phrase(w) for w in raw.change_before),
        change_after=frozenset(_phrase(w) for w in raw.change_after),
        part_before=frozenset(_phrase(w) for w in raw.part_before),
        part_after=frozenset(_phrase(w) for w in raw.part_after),
        estimate_words=frozenset(_phrase(w) for w in raw.estimate_words),
        voting_nouns=load(Extract, data_dir).voting_nouns,
        projection_words=frozenset(_phrase(w) for w in raw.projection_words),
        fixed_measures=frozenset(raw.fixed_measures),
        slow_measures=frozenset(raw.slow_measures),
        cumulative_outcomes=frozenset(raw.cumulative_outcomes),
        provisional_words=frozenset(_phrase(w) for w in raw.provisional_words),
        periodic_series=frozenset(_phrase(w) for w in raw.periodic_series),
        plan_verbs=frozenset(_phrase(w) for w in raw.plan_verbs),
        fixed_kinds=frozenset(raw.fixed_kinds),
        presumed_dead=frozenset(_phrase(w) for w in raw.presumed_dead),
        fixed_money=frozenset(raw.fixed_money),
        moving_units=frozenset(raw.moving_units),
        age_words=frozenset(_phrase(w) for w in raw.age_words),
        clause_breaks=frozenset(raw.clause_breaks),
        not_names=frozenset(raw.not_names) | crosscheck_lexicon(data_dir).story_stopwords,
        window=int(raw.context_words),
        longest=max(len(p) for p in listed),
    )


@dataclass(frozen=True)
class _Words:
    """A sentence as folded words with character offsets, and which were written as names
    (capitalised, not first in the sentence, in a sentence not written in title case)."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    named: tuple[bool, ...]


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    return frozenset(crosscheck_lexicon(DATA_DIR).demonyms.values())


@lru_cache(maxsize=50_000)
def _words(sentence: str) -> _Words:
    words, starts, ends, capital = [], [], [], []
    for m in _TOKEN.finditer(sentence):
        raw = m.group(0)
        words.append(fold(raw).strip("'’"))
        starts.append(m.start())
        ends.append(m.end())
        capital.append(raw[:1].isupper())
    # "named them as Miguel Angel Luna Gonzalez, 49; Alejandro Hernandez Fuentes, 35": a
    # sentence full of names is no headline, and its capitals are names.
    title_case = is_title_case(sentence)
    named = [c and k > 0 and not title_case for k, c in enumerate(capital)]
    # "Spain comes next with 275": a country's name is a name even first in its sentence.
    if words and capital[0] and not title_case:
        named[0] = without_possessive(words[0]) in _countries()
    return _Words(tuple(words), tuple(starts), tuple(ends), tuple(named))


@dataclass(frozen=True)
class Context:
    """The words around a figure, up to the neighbouring figures of its sentence: before it
    (nearest first), the part of those in its own clause, after it, and its own."""

    before: tuple[str, ...]
    clause: tuple[str, ...]
    after: tuple[str, ...]
    inside: tuple[str, ...]
    holder: str | None  # the name nearest the figure: whose share, whose count
    after_breaks: tuple[int, ...] = ()  # clause breaks before each word of ``after``
    around: tuple[str, ...] = ()  # the sentence's words to its hard breaks: own clause first


def context(claim: QuantityClaim, neighbours: Sequence[tuple[int, int]], lex: Lexicon) -> Context:
    """``neighbours``: (start, end) offsets of the other figures of the sentence."""
    w = _words(claim.sentence)
    start = claim.char_start - claim.sentence_start
    end = claim.char_end - claim.sentence_start
    left = max([e for s, e in neighbours if e <= start], default=0)
    right = min([s for s, e in neighbours if s >= end], default=len(claim.sentence))
    before: list[tuple[str, bool]] = []
    after: list[tuple[str, bool]] = []
    inside: list[str] = []
    for word, s, e, named in zip(w.words, w.starts, w.ends, w.named, strict=True):
        if e <= start and s >= left:
            before.append((word, named))
        elif s >= end and e <= right:
            after.append((word, named))
        elif s >= start and e <= end:
            inside.append(word)
    for k in range(len(before) - 1, -1, -1):
        if before[k][0] in _HARD_BREAK:
            before = before[k + 1 :]
            break
    for k, (word, _) in enumerate(after):
        if word in _HARD_BREAK:
            after = after[:k]
            break
    near = before[::-1][: lex.window]
    clause = []
    for word, _ in near:
        if word in lex.clause_breaks:
            break
        clause.append(word)
    kept, breaks, seen = [], [], 0
    for word, _ in after[: lex.window]:
        if word in lex.clause_breaks:
            seen += 1
        if word != ",":
            kept.append(word)
            breaks.append(seen)
    return Context(
        tuple(x for x, _ in near if x != ","),
        tuple(clause),
        tuple(kept),
        tuple(inside),
        _holder(near, after, lex) or _label_holder(claim.sentence, start, end, lex),
        tuple(breaks),
        _around(
            w,
            start,
            end,
            [(s, e) for s, e in neighbours if not _YEAR.fullmatch(claim.sentence[s:e])],
        ),
    )


_YEAR = re.compile(r"\d{4}")


def _around(
    w: _Words, start: int, end: int, others: Sequence[tuple[int, int]] = ()
) -> tuple[str, ...]:
    """The words of the figure's sentence up to its hard breaks and up to the other figures
    that are not years (a year is often a figure of its own): first its own clause's, then
    the rest, each nearest first. In "killed when a store collapsed in 1995, and nearly 300
    died when a ferry overturned in 1993", 1993 is the second figure's; in "came to 67.34
    per cent, above the 66.13 per cent recorded in 2014", 2014 is the second's only."""
    left = max([e for s, e in others if e <= start], default=0)
    right = min([s for s, e in others if s >= end], default=w.ends[-1] if w.ends else 0)
    before = [k for k, e in enumerate(w.ends) if left <= w.starts[k] and e <= start]
    after = [k for k, s in enumerate(w.starts) if s >= end and w.ends[k] <= right]
    for n, k in enumerate(reversed(before)):
        if w.words[k] in _HARD_BREAK:
            before = before[len(before) - n :]
            break
    for n, k in enumerate(after):
        if w.words[k] in _HARD_BREAK:
            after = after[:n]
            break
    # "stands at 36 per cent, ... lower than what Corbyn managed in 2017": a year past a
    # comparison is the other term's, not the figure's.
    for n, k in enumerate(after):
        if w.words[k] in _COMPARISON:
            after = after[:n]
            break
    ranked = []
    for side, run in ((0, before[::-1]), (1, after)):
        outside = False
        for n, k in enumerate(run):
            outside = outside or w.words[k] in _COORDINATION
            # "the highest since 1982", "kept at the port since 2014": a point of reference,
            # not when the figure's event was.
            if not _reference(w.words, k):
                ranked.append((outside, n, side, k))
    return tuple(w.words[k] for *_, k in sorted(ranked))


def _reference(words: Sequence[str], k: int) -> bool:
    """Whether ``words[k]`` follows "since", "until" or "till", at most a day and a month
    between, and no "when" clause tells what happened then ("the worst disaster since 2014,
    when the Sewol sank with the loss of 304 lives": 304 is 2014's)."""
    if "when" in words[k + 1 : k + 3]:
        return False
    for back in range(k - 1, max(k - 5, -1), -1):
        if words[back] in _REFERENCE_YEAR:
            return True
        if words[back] not in _DAY_WORDS:
            return False
    return False


def _holder(
    before: list[tuple[str, bool]], after: list[tuple[str, bool]], lex: Lexicon
) -> str | None:
    """The name right before the figure, at most a word between ("Macron 24.01 percent",
    "Leave had 52 per cent", "Liberia with 7,830") or a ranking's words ("Spain comes next
    with 275"), else right after it ("65.5% for Macron"), as one string of its words; not the
    source of a figure ("Honea said 63 people")."""
    for words, reverse in ((before, True), (after, False)):
        for k, (word, named) in enumerate(words[: _RANKING_REACH if reverse else 2]):
            if word in lex.speech_verbs:
                break
            if k >= 2 and words[k - 1][0] not in _RANKING:
                break
            if named and word not in lex.not_names:
                run = [word]
                for other, other_named in words[k + 1 : k + 4]:
                    if not other_named or other in lex.not_names:
                        break
                    run.append(other)
                # "China's 91 medals" and "China 91": one holder.
                words_of = reversed(run) if reverse else run
                return " ".join(without_possessive(w) for w in words_of)
    return None


# Between a name and its figure in a ranking: "Spain comes next with 275", "then Portugal on
# 209", "Germany follows with 150", "the US has reported 2,137".
_RANKING = frozenset(
    {
        *("with", "on", "at", "follows", "followed", "comes", "came", "next", "has", "had"),
        *("have", "reported", "recorded", "confirmed", "counted", "stands", "stood", "is", "was"),
    }
)
_RANKING_REACH = 4


# A tally's label: "- Iran: 465" on a line of its own, "India (101), Nigeria (99)" in a list;
# "City of Edinburgh", "Argyll and Bute": a name's small words between its capitalised ones.
_NAME_LINKS = ("of", "and", "upon", "the", "de", "la")
_NAME = rf"[A-ZÀ-Þ][\w'’.-]*(?:\s+(?:(?:{'|'.join(_NAME_LINKS)})\s+)?[A-ZÀ-Þ][\w'’.-]*){{0,3}}"
_LINE_LABEL = re.compile(rf"\W*({_NAME})\s*:\s")
_BRACKETED = re.compile(rf"({_NAME})\s*\(\s*$")


def _label_holder(sentence: str, start: int, end: int, lex: Lexicon) -> str | None:
    """The name a tally or a results line gives its figures, across the colon or bracket that
    ends the words :func:`_holder` reads: "- Iran: 465", "India (101)", "West Lothian: Yes
    53,342 (45 per cent), ... with a turnout of 86.2 per cent"; not a label that says what is
    counted ("Killed: 446", "Deaths: 12") or what the line is ("UPDATE: ...")."""
    before = sentence[:start]
    line = _LINE_LABEL.match(before + " ")
    if line is not None:
        name = line.group(1)
    else:
        bracket = _BRACKETED.search(before)
        if bracket is None or not sentence[end:].lstrip().startswith(")"):
            return None
        name = bracket.group(1)
    words = _phrase(name)
    if (
        not words
        or words in lex.outcomes
        or any(
            w in lex.not_names or w in lex.people_nouns or w in lex.person_units or w in MONTHS
            for w in words
            if w not in _NAME_LINKS
        )
    ):
        return None
    return " ".join(words)


def _find(
    words: Sequence[str], phrases: Phrases, longest: int, reverse: bool = False
) -> list[tuple[int, tuple[str, ...]]]:
    """(distance, phrase) of each phrase found in ``words`` (``reverse``: the words run away
    from the figure backwards, so phrases are matched reversed)."""
    found = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            chunk = tuple(words[i : i + size])
            key = tuple(reversed(chunk)) if reverse else chunk
            if key in phrases:
                found.append((i, key))
                i += size - 1
                break
        i += 1
    return found


def _nearest(ctx: Context, phrases: Mapping[tuple[str, ...], str], longest: int) -> str | None:
    """The class of the phrase in the figure itself ("63 dead"), else nearest it in its clause
    (after it wins a tie: English puts the outcome of a count after it, '58 people are
    missing'), else further back."""
    # In "Sixteen of the victims" the words after "of" are the whole's, not this figure's.
    head = ctx.inside[: ctx.inside.index("of")] if "of" in ctx.inside[1:] else ctx.inside
    own = _find(head, phrases, longest)
    if own:
        return phrases[own[0][1]]  # "55 injured", "21 still missing": said in the figure
    breaks = ctx.after_breaks or (0,) * len(ctx.after)
    # A word after a comma or a conjunction is in the next clause: "killed nearly 180 people,
    # injured over 6,000" gives 180 to "killed"; "death toll climbs to 355, missing 500"
    # gives 355 to the toll two words back.
    after = [(d + 3 * breaks[d], 0, phrases[p]) for d, p in _find(ctx.after, phrases, longest)]
    for before in (ctx.clause, ctx.before):
        options = [(d, 1, phrases[p]) for d, p in _find(before, phrases, longest, reverse=True)]
        if options or after:
            return min(options + after)[2]
    return None


def _estimated(clause: Sequence[str], lex: Lexicon) -> bool:
    """An estimate word before the figure in its clause (nearest first), not a poll that is
    the vote itself ("poll turnout of 67.11 percent")."""
    for d, _ in _find(clause, lex.estimate_words, lex.longest, reverse=True):
        if d == 0 or clause[d - 1] not in lex.voting_nouns:
            return True
    return False


def _has(words: Sequence[str], phrases: Phrases, longest: int, reverse: bool = False) -> bool:
    return bool(_find(words, phrases, longest, reverse))


def read_claims(claims: Sequence[QuantityClaim], settings: Settings) -> list[QuantityClaim]:
    """The claims with ``counted``, ``holder``, ``facets``, ``cues``, ``places`` and
    ``context_words`` read from their sentences (a new list, the input order)."""
    lex = counted_lexicon(settings.data_dir)
    by_sentence: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    sentence_places: dict[tuple[str, int], set[str]] = defaultdict(set)
    for c in claims:
        by_sentence[c.doc_id, c.sentence_start].append(
            (c.char_start - c.sentence_start, c.char_end - c.sentence_start)
        )
        sentence_places[c.doc_id, c.sentence_start] |= _places(c, lex, settings.data_dir)
    out = []
    for c in claims:
        span = (c.char_start - c.sentence_start, c.char_end - c.sentence_start)
        others = [x for x in by_sentence[c.doc_id, c.sentence_start] if x != span]
        shared = sentence_places[c.doc_id, c.sentence_start]
        out.append(c.model_copy(update=read(c, context(c, others, lex), shared, lex, settings)))
    return _breakdowns(_coordinated(out, lex.listed_people))


def _breakdowns(claims: list[QuantityClaim]) -> list[QuantityClaim]:
    """ "Sierra Leone has the most cases, 8,939, followed by Liberia with 7,830 and Guinea with
    2,571": a sentence giving one measure to two or more holders breaks a whole down, so each
    of its figures of that measure is a part (cue ``breakdown``)."""

    def measured(c: QuantityClaim) -> tuple[str, int, str, str | None, str | None]:
        return c.doc_id, c.sentence_start, c.kind, c.measure, c.counted

    holders: dict[tuple[str, int, str, str | None, str | None], set[str]] = defaultdict(set)
    for c in claims:
        # "The Titanic lies roughly 3,800 meters beneath the surface, 400 nautical miles off
        # Newfoundland": two lengths of two things, no whole broken down.
        if c.holder and c.kind in _BROKEN_DOWN:
            holders[measured(c)].add(c.holder)
    return [
        c.model_copy(update={"cues": [*c.cues, "breakdown"]})
        if len(holders.get(measured(c), ())) >= 2
        else c
        for c in claims
    ]


def _coordinated(claims: list[QuantityClaim], people: frozenset[str]) -> list[QuantityClaim]:
    """ "227 passengers and 12 crew members", "the dead are 84 men, 85 women and 10 people":
    counts of two kinds of people next in a list are the parts of one whole (everyone
    aboard, everyone dead), each a part (cue ``part``). A general noun ("57 people and 12
    children") is left alone: it is mostly the whole itself."""
    by_sentence: dict[tuple[str, int], list[int]] = defaultdict(list)
    for k, c in enumerate(claims):
        if c.kind == "count":
            by_sentence[c.doc_id, c.sentence_start].append(k)
    parts: set[int] = set()
    for rows in by_sentence.values():
        rows.sort(key=lambda k: claims[k].char_start)
        for i, j in pairwise(rows):
            a, b = claims[i], claims[j]
            between = a.sentence[a.char_end - a.sentence_start : b.char_start - b.sentence_start]
            if not _AND.fullmatch(between):
                continue
            if a.measure == b.measure:
                # "39 gold, 41 silver and 33 bronze medals": one thing, told apart by a word
                kinds_of = _first_word(a.span), _first_word(b.span)
                if None not in kinds_of and kinds_of[0] != kinds_of[1]:
                    parts.update((i, j))
            elif all(c.measure in people and c.measure != "person" for c in (a, b)):
                parts.update((i, j))
    return [
        c.model_copy(update={"cues": [*c.cues, "part"]})
        if k in parts and "part" not in c.cues
        else c
        for k, c in enumerate(claims)
    ]


def _of_them_dead(after: Sequence[str], lex: Lexicon) -> bool:
    """Whether the words after a figure are 'of them fatal', 'of which died'."""
    if len(after) < 3 or after[0] != "of" or after[1] not in ("them", "which", "whom"):
        return False
    return any(lex.outcomes.get((w,)) == "dead" for w in after[2:4])


def _first_word(span: str) -> str | None:
    """The word after a count's digits ('gold' in '39 gold'), lower-cased."""
    found = _WORD_AFTER_NUMBER.search(span)
    return found.group(1).lower() if found else None


_WORD_AFTER_NUMBER = re.compile(r"\d[\d,.]*\s+([^\W\d_]+)")
_AND = re.compile(r",?\s+and\s+|,\s+")
_BROKEN_DOWN = frozenset({"count", "money", "percent"})  # kinds a sentence breaks down by holder
_PRESUMED_WITHIN = 12  # words after a figure: "missing since the fire are now assumed to be dead"


def read(
    c: QuantityClaim, ctx: Context, sentence_places: set[str], lex: Lexicon, settings: Settings
) -> dict[str, object]:
    """The reading of one claim, as field values."""
    data_dir = settings.data_dir
    measure = c.measure or measure_for(c.unit, data_dir) or ""
    outcome: str | None = None
    unit = (c.unit or "").lower()
    if unit in lex.unit_outcomes:
        outcome, measure = lex.unit_outcomes[unit], "person"
    elif measure in lex.outcome_measures:
        outcome, measure = lex.outcome_measures[measure], "person"
    elif measure in lex.person_units:
        measure = "person"
    # "36 cases, 11 of them fatal", "12 cases, three of which died": those cases are the dead.
    if outcome and _of_them_dead(ctx.after, lex):
        outcome, measure = "dead", "person"
    own: str | None = None
    if c.kind == "count" and measure in lex.people_nouns:
        own = _nearest(ctx, lex.outcomes, lex.longest)
        if own == "missing" and _has(ctx.after[:_PRESUMED_WITHIN], lex.presumed_dead, lex.longest):
            own = "dead"
        outcome = own or outcome
    facets = _facets(c.kind, ctx, lex)
    words = _terms(c, data_dir)
    stop = crosscheck_lexicon(data_dir).stopwords | lex.speech_verbs
    words |= {
        fold_word(w, data_dir)
        for w in (*ctx.clause[:5], *ctx.after[:5])
        if _content(w) and w not in stop
    }
    words -= {measure, outcome or ""}
    # "In Newcastle, 65,404 voted to stay and 63,598 to leave": the sentence's places are each
    # figure's when a figure names none of its own.
    places = _places(c, lex, data_dir) or sentence_places
    cues = []
    part = _has(ctx.clause[:4], lex.part_before, lex.longest, reverse=True) or _one_part_after(
        ctx.after, lex
    )
    # "Sixteen of the victims were taken to the mortuary": a part of the victims, unless an
    # outcome of its own follows ("174 of the 476 aboard ... were rescued").
    # "Of those deaths, 41 were in Wuhan": the outcome is the whole's; "Of those aboard,
    # 174 were rescued" names the figure's own.
    opens = _opens_with_whole(c) and not _has(
        (*ctx.inside, *ctx.after[:5]), lex.outcomes, lex.longest
    )
    # "104 of those killed were aged 70 or over": the outcome in the 'of' phrase is the
    # whole's, and none follows it.
    partitive = _partitive(ctx) and (
        own is None or _outcome_of_whole(ctx, lex) or _subgroup(ctx, lex)
    )
    if part or partitive or opens:
        cues.append("part")
    if c.change == "change" or _changed(ctx, lex):
        cues.append("change")
    forecast = _has(ctx.clause[:6], lex.projection_words, lex.longest, reverse=True)
    # "Amazon will cut more than 18,000 roles": a plan's figure, not a forecast of one.
    # "aiming for 10,000 job cuts": the plan's verb may be the counted noun's.
    planned = c.stance == "projected" and (
        _has(ctx.clause[:6], lex.plan_verbs, lex.longest, reverse=True)
        or _has(ctx.inside, lex.plan_verbs, lex.longest)
    )
    ahead = forecast or (c.stance == "projected" and not planned)
    if ahead or c.stance == "hypothetical" or _estimated(ctx.clause[:6], lex):
        cues.append("estimate")
    if ahead:
        cues.append("projection")
    # "With 84 results declared, Remain has edged back: Remain 2,877,575 votes (50.01%)":
    # a running count is said once for all the figures of its sentence.
    sentence = _words(c.sentence).words
    if _has(sentence, lex.provisional_words, lex.longest):
        cues.append("provisional")
    if _has(sentence, lex.periodic_series, lex.longest):
        cues.append("periodic")
    fixed = _fixed(c, measure, facets, ctx, lex)
    if fixed:
        cues.append("fixed")
    elif measure in lex.slow_measures or (outcome or "") in lex.slow_measures:
        cues.append("slow")
    year = _year(ctx)
    if year is not None:
        cues.append(f"year={year}")
    holder = ctx.holder
    if holder is None and c.kind == "count":
        holder = _nation(c, unit, data_dir)
    return {
        "counted": outcome,
        "holder": holder,
        "facets": sorted(f"{f}={v}" for f, v, d in facets if d <= lex.facet_distance),
        "cues": cues,
        "places": sorted(places),
        "context_words": sorted(words),
    }


def _nation(c: QuantityClaim, unit: str, data_dir: Path) -> str | None:
    """The country of a count of its people: "18 Canadians", "nine French nationals" are
    Canada's and France's, as "Canada 18" is (the anchor of a demonym, see demonyms)."""
    demonyms = crosscheck_lexicon(data_dir).demonyms
    if unit in demonyms:
        return demonyms[unit]
    for raw in c.key_terms:
        term = parse_key_term(raw, data_dir)
        if term is not None and term.label == "NORP" and term.text in demonyms:
            return demonyms[term.text]
    return None


def _opens_with_whole(c: QuantityClaim) -> bool:
    """'Of those deaths, 41 were in Wuhan', 'Among the 476 aboard, 174 were rescued': the
    clause opens with the whole, and the figure is its part."""
    prefix = c.sentence[: c.char_start - c.sentence_start]
    clause = re.split(r"[;:]", prefix)[-1]
    return _WHOLE_FIRST.match(clause) is not None


_WHOLE_FIRST = re.compile(
    r"(?i)^\W*(?:of|among)\s+(?:those|these|the|them|its|their|all)\b[^,;:]{0,60},\s*"
    r"(?:[a-z]+\s+){0,2}$"
)


def _outcome_of_whole(ctx: Context, lex: Lexicon) -> bool:
    """An outcome right after 'of those' / 'of the' ('of those killed', 'of the dead') and no
    other in the rest of the clause."""
    after = (*ctx.inside[1:], *ctx.after[: lex.window])
    for k, (a, b) in enumerate(pairwise(after)):
        if a == "of" and b in {"the", "those"}:
            found = [d for d, _ in _find(after[k + 2 :], lex.outcomes, lex.longest)]
            return bool(found) and found[0] == 0 and len(found) == 1
    return False


_COPULAS = frozenset({"is", "was", "are", "were", "be", "been", "being"})


def _one_part_after(after: Sequence[str], lex: Lexicon) -> bool:
    """A part's words within six words after the figure ("on Sunday alone", "416 of them
    children"), not a predicate ("the 28-year-old co-pilot was alone at the controls"); a
    group named among its whole anywhere in the clause ("five high school students, all from
    Seoul, were among the dead")."""
    for k, phrase in _find(after, lex.part_after, lex.longest):
        if phrase[0] == "among":
            return True
        if k < 6 and not (phrase == ("alone",) and k and after[k - 1] in _COPULAS):
            return True
    return False


def _subgroup(ctx: Context, lex: Lexicon) -> bool:
    """'154 people, 26 of them foreigners, have died': a kind of people right after 'of
    them' names a group within the whole, whose outcome is the whole's."""
    words = (*ctx.inside[1:], *ctx.after[:3])
    for a, b, c in zip(words, words[1:], words[2:], strict=False):
        if (a, b) == ("of", "them"):
            return any(w in lex.people_nouns for w in (c, *singulars(c)))
    return False


def _partitive(ctx: Context) -> bool:
    """'X of the Y', 'X of them', 'X of its Y' in or right after the figure."""
    words = (*ctx.inside[1:], *ctx.after[:2])
    return any(
        a == "of" and b in {"the", "them", "its", "their", "these", "those", "whom"}
        for a, b in pairwise(words)
    )


def _changed(ctx: Context, lex: Lexicon) -> bool:
    """'another 700', 'a further 28', 'up by 4%' just before the figure; 'three more bodies',
    '140 new deaths' in or just after it."""
    for distance, phrase in _find(ctx.clause[:3], lex.change_before, lex.longest, reverse=True):
        if distance == 0 or len(phrase) > 1:
            return True
    # After the numeral: a qualifier's own words ("no fewer than 1,453") say nothing of change.
    digits = [k for k, w in enumerate(ctx.inside) if any(ch.isdigit() for ch in w)]
    tail = (*ctx.inside[(digits[0] if digits else 0) + 1 :], *ctx.after[:1])
    return any(w in {p[0] for p in lex.change_after} for w in tail[:3])


def _facets(kind: str, ctx: Context, lex: Lexicon) -> frozenset[tuple[str, str, int]]:
    """Each facet's value nearest the figure ("Leave had 52 per cent against 48 per cent for
    Remain": 48 is Remain's), with its distance in words."""
    found: dict[str, tuple[int, int, str]] = {}
    sides = ((ctx.inside, False, 0), (ctx.after, False, 0), (ctx.before, True, 1))
    for words, reverse, side in sides:
        for distance, phrase in _find(words, lex.facets, lex.longest, reverse):
            facet, value = lex.facets[phrase]
            if kind not in lex.facet_kinds.get(facet, frozenset()):
                continue
            rank = (0 if words is ctx.inside else distance, side, value)
            if facet not in found or rank < found[facet]:
                found[facet] = rank
    return frozenset((facet, rank[2], rank[0]) for facet, rank in found.items())


def _content(word: str) -> bool:
    return word.isalpha() and len(word) >= 3


def _terms(c: QuantityClaim, data_dir: Path) -> set[str]:
    """The descriptive words of a claim's plain key terms and subject."""
    stop = crosscheck_lexicon(data_dir).stopwords
    words = set()
    for raw in c.key_terms:
        term = parse_key_term(raw, data_dir)
        if term is not None and term.label is None:
            words.add(term.word)
    for word in fold(c.subject or "").split():
        if _content(word) and word not in stop:
            words.add(fold_word(word, data_dir))
    return words


def _places(c: QuantityClaim, lex: Lexicon, data_dir: Path) -> set[str]:
    """The named places of a claim's key terms: written with a capital in its sentence (a
    locative noun such as 'the warehouse' is no place name) and not a word that tells
    quantities apart ('Leave', which a recogniser may take for a place)."""
    capitalised = {fold(w) for w in _CAPITALISED.findall(c.sentence)}
    out = set()
    for raw in c.key_terms:
        term = parse_key_term(raw, data_dir)
        if term is None or term.label not in _PLACE_LABELS:
            continue
        if (term.text,) in lex.facets or (term.text,) in lex.outcomes:
            continue
        if term.text.split()[0] in capitalised:
            out.add(term.anchor)
    return out


def _fixed(
    c: QuantityClaim,
    measure: str,
    facets: frozenset[tuple[str, str, int]],
    ctx: Context,
    lex: Lexicon,
) -> bool:
    """A tower's floors, a ship's tonnage, a fee, an age, a study's estimate: the same at any
    time it is reported."""
    if c.kind == "duration":
        near = (*ctx.inside, *ctx.after[:3], *ctx.clause[:2])
        return _has(near, lex.age_words, lex.longest) or any("year-old" in w for w in near)
    if c.kind == "date":
        return c.stance != "projected"  # a launch date moves until the launch; a landfall does not
    if c.kind in lex.fixed_kinds:
        unit = (c.unit or "").lower()
        return unit not in lex.moving_units and measure not in lex.moving_units
    if any(f == "basis" and v == "study" for f, v, _ in facets):
        return True  # a study's estimate is what it is, whenever it is reported
    if c.kind == "money":
        return any(f == "money" and v in lex.fixed_money for f, v, _ in facets)
    return measure in lex.fixed_measures


def _year(ctx: Context) -> int | None:
    """The year nearest the figure in its own clause, else in its sentence ("nearly 300 died
    when a ferry overturned off the west coast in 1993": eleven words on); whether it is the
    past is for cross-checking, which knows the document's date."""
    for word in ctx.around:
        if len(word) == 4 and word.isdigit() and 1800 <= int(word) <= 2200:
            return int(word)
    return None
