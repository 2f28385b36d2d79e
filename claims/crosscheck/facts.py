"""Cross-document checks of factual claims: the same normalised (subject, predicate, object)
triple in two documents agrees, or conflicts on its time, place or polarity.

Triples are grouped by their normalised form (names folded and aliased, ``claims/data``), so
only statements of the same fact are compared; within a group each is compared with at most
``Settings.crosscheck_window`` later ones. The rules are ``crosscheck.Rule``'s ``FACT_*``.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from claims.crosscheck.columns import DocRow
from claims.crosscheck.quantities import settled_thresholds
from claims.lexicon import CrosscheckLexicon, crosscheck_lexicon, fold, normalize_name
from claims.models import Document, FactClaim, Relation, Rule
from claims.settings import Settings


@dataclass(frozen=True)
class _Fact:
    fact: FactClaim
    triple: tuple[str, str, str]
    time: str | None
    days: tuple[int, int] | None
    place: str | None
    published: int


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_ISO = re.compile(r"(?:in |on |since )?(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_WORDY = re.compile(r"(?:in |on )?(?:(\d{1,2}) )?([a-z]+)\.?(?: (\d{1,2}),?)? (\d{4})")
_MONTH_ONLY = re.compile(r"(?:in |on |since )?([a-z]+)\.?")


def fact_time_range(text: str, published: date | None = None) -> tuple[int, int] | None:
    """Days (ordinals) a fact's time covers: "2014", "2020-06", "June 2020", "14 June 2020";
    a month alone ("in June") is the last such month up to ``published``."""
    t = " ".join(fold(text).replace(",", " ").split())
    year = month = day = None
    if m := _ISO.fullmatch(t):
        year, month, day = (int(x) if x else None for x in m.groups())
    elif (m := _WORDY.fullmatch(t)) and m.group(2) in _MONTHS:
        year, month = int(m.group(4)), _MONTHS[m.group(2)]
        day = int(m.group(1) or m.group(3)) if (m.group(1) or m.group(3)) else None
    elif (m := _MONTH_ONLY.fullmatch(t)) and m.group(1) in _MONTHS and published:
        month = _MONTHS[m.group(1)]
        year = published.year if month <= published.month else published.year - 1
    if year is None:
        return None
    try:
        if month is None:
            return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1).toordinal(), date(year, month, last).toordinal()
        return (date(year, month, day).toordinal(),) * 2
    except ValueError:
        return None


def _fact_rule(x: _Fact, y: _Fact, lex: CrosscheckLexicon) -> Rule | None:
    """The rule for two facts with the same triple; None when they may be different occasions
    or cannot be compared."""
    once = x.triple[1] in lex.once_predicates
    same_polarity = x.fact.polarity == y.fact.polarity
    time_ok: bool | None = None
    if x.time and y.time:
        if x.days and y.days:
            time_ok = max(x.days[0], y.days[0]) <= min(x.days[1], y.days[1])
        elif x.time != y.time:
            return None
    if time_ok is False:
        return Rule.FACT_CONFLICT_TIME if once and same_polarity else None
    if (
        x.place
        and y.place
        and not (f" {x.place} " in f" {y.place} " or f" {y.place} " in f" {x.place} ")
    ):
        same_day = x.days == y.days and x.days is not None and x.days[0] == x.days[1]
        return Rule.FACT_CONFLICT_PLACE if (once or same_day) and same_polarity else None
    return Rule.FACT_AGREE_TRIPLE if same_polarity else Rule.FACT_CONFLICT_POLARITY


def _fact_detail(f: _Fact) -> str:
    parts = [f"time {f.fact.time}" if f.fact.time else "no time"]
    if f.fact.place:
        parts.append(f"place {f.fact.place}")
    parts.append(f.fact.polarity)
    return ", ".join(parts)


def _fact_relation(x: _Fact, y: _Fact, rule: Rule, lex: CrosscheckLexicon) -> Relation:
    s, p, o = x.triple
    why = {
        Rule.FACT_AGREE_TRIPLE: "time, place and polarity do not contradict"
        + ("; a time on one side only is no contradiction" if bool(x.time) != bool(y.time) else ""),
        Rule.FACT_CONFLICT_TIME: f'"{p}" happens once, and {x.fact.time} and {y.fact.time} do not overlap',
        Rule.FACT_CONFLICT_PLACE: f"the same event is placed in {x.fact.place} and in {y.fact.place}",
        Rule.FACT_CONFLICT_POLARITY: "one document asserts it and the other denies it",
    }[rule]
    w = lex.score
    score = (
        w["fact_base"]
        + w["fact_time"] * bool(x.time and y.time)
        + w["fact_place"] * bool(x.place and y.place)
        + w["fact_specific"] * (len(s.split()) + len(o.split()) > 2)
    )
    a, b = x.fact, y.fact
    return Relation(
        relation_id=Relation.make_id(a.fact_id, b.fact_id, rule.relation),
        claim_a=a.fact_id,
        claim_b=b.fact_id,
        doc_a=a.doc_id,
        doc_b=b.doc_id,
        claim_type="fact",
        relation=rule.relation,
        rule=rule.value,
        reason=(
            f'{rule.value}: both state ({s}, {p}, {o}). {a.doc_id} says "{a.span}" '
            f'({_fact_detail(x)}); {b.doc_id} says "{b.span}" ({_fact_detail(y)}); {why}.'
        ),
        score=round(min(score, 1.0), 3),
        shared_terms=[s, o],
    )


def check_facts(
    facts: Sequence[FactClaim],
    documents: Mapping[str, Document] | Mapping[str, DocRow],
    settings: Settings,
) -> list[Relation]:
    lex = crosscheck_lexicon(settings.data_dir)
    threshold = settled_thresholds(settings).relation
    groups: dict[tuple[str, str, str], list[_Fact]] = defaultdict(list)
    seen: set[tuple[object, ...]] = set()
    for f in sorted(facts, key=lambda f: (f.doc_id, f.char_start, f.fact_id)):
        subject, predicate, obj = (
            normalize_name(x, settings.data_dir) for x in (f.subject, f.predicate, f.object)
        )
        triple = (subject, predicate, obj)
        if not all(triple) or triple[0] in lex.pronouns or triple[2] in lex.pronouns:
            continue
        place = normalize_name(f.place, settings.data_dir) if f.place else None
        time = " ".join(fold(f.time).split()) if f.time else None
        variant = (f.doc_id, triple, time, place, f.polarity)
        if variant in seen:  # the same statement repeated within a document
            continue
        seen.add(variant)
        doc = documents.get(f.doc_id)
        published = doc.published.toordinal() if doc and doc.published else 0
        days = fact_time_range(f.time, doc.published if doc else None) if f.time else None
        groups[triple].append(_Fact(f, triple, time, days, place, published))
    out = []
    for members in groups.values():
        members.sort(key=lambda m: (m.published, m.fact.doc_id, m.fact.fact_id))
        for i, x in enumerate(members):
            for y in members[i + 1 : i + 1 + settings.crosscheck_window]:
                if x.fact.doc_id == y.fact.doc_id:
                    continue
                rule = _fact_rule(x, y, lex)
                if rule is not None:
                    relation = _fact_relation(x, y, rule, lex)
                    if relation.score >= threshold:
                        out.append(relation)
    return out
