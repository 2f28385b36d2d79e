"""Cross-document checking of facts, the interval arithmetic, and the merging of a figure's
repeats within a document.

Claims are built by hand with the fields a competent extractor gives the sentences quoted
(../shared/gold/seed_claims.json and typical news wording), so each rule is tested alone. The
quantity relations are tested on real extracted text in tests/test_crosscheck.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from claims.crosscheck import cross_check, intervals_overlap, merge_mentions
from claims.crosscheck.facts import fact_time_range
from claims.formats import format_days, format_interval
from claims.lexicon import measure_for, normalize_name
from claims.models import Document, FactClaim, QuantityClaim, Relation, Rule
from claims.settings import Settings

SETTINGS = Settings()
INF = float("inf")

PUBLISHED = {
    "000": date(2021, 9, 2),
    "001": date(2024, 7, 2),
    "002": date(2021, 5, 7),
    "003": date(2024, 8, 31),
    "004": date(2020, 12, 23),
}


def documents(*extra: tuple[str, date]) -> dict[str, Document]:
    pairs = [*PUBLISHED.items(), *extra]
    return {
        d: Document.build(doc_id=d, source_path=f"/in/{d}.txt", text=d, published=p)
        for d, p in pairs
    }


def qc(
    doc: str,
    span: str,
    *,
    low: float | None,
    high: float | None,
    unit: str,
    terms: list[str],
    value: float | None = None,
    lo_inc: bool = True,
    hi_inc: bool = True,
    kind: str = "count",
    qualifier: str | None = None,
    subject: str | None = None,
    as_of: tuple[date, date] | None = None,
    basis: str = "published",
    scope: str = "state",
    start: int = 0,
    time_text: str | None = None,
) -> QuantityClaim:
    """A quantity claim as the extractor would store it; as_of defaults to the publication date."""
    start_day, end_day = as_of or (PUBLISHED.get(doc, date(2024, 1, 1)),) * 2
    return QuantityClaim(
        claim_id=f"q_{doc}_{start}_{span[:12]}",
        doc_id=doc,
        kind=kind,
        span=span,
        char_start=start,
        char_end=start + len(span),
        sentence=span,
        sentence_start=start,
        value=value if value is not None else (low if low == high or high is None else None),
        low=low,
        high=high,
        low_inclusive=lo_inc,
        high_inclusive=hi_inc,
        qualifier=qualifier,
        unit=unit,
        measure=measure_for(unit),
        subject=subject or span,
        key_terms=terms,
        as_of_start=start_day,
        as_of_end=end_day,
        time_basis=basis,
        time_text=time_text,
        scope_type=scope,
    )


def fact(doc: str, span: str, s: str, p: str, o: str, **kw: object) -> FactClaim:
    return FactClaim(
        fact_id=f"f_{doc}_{span[:16]}",
        doc_id=doc,
        span=span,
        char_start=0,
        char_end=len(span),
        sentence=span,
        subject=s,
        predicate=p,
        object=o,
        **kw,
    )


def check(*claims: QuantityClaim, facts: tuple[FactClaim, ...] = ()) -> list[Relation]:
    return cross_check(list(claims), list(facts), documents(("100", date(2023, 3, 1))), SETTINGS)


def only(relations: list[Relation], rule: Rule) -> Relation:
    """The single relation, checked to be decided by ``rule`` and to say so in its reason."""
    assert len(relations) == 1, relations
    [r] = relations
    assert r.rule == rule.value and r.relation == rule.relation, r
    assert r.reason.startswith(f"{rule.value}:"), r.reason
    assert 0 <= r.score <= 1
    return r


PACKAGE_000 = qc(
    "000",
    "a new USD 60 million security assistance package",
    low=60e6,
    high=60e6,
    kind="money",
    unit="USD",
    scope="event",
    subject="new security assistance package to Ukraine",
    terms=["GPE:ukraine", "GPE:united states", "term:security", "term:assistance"],
    start=10,
)
PACKAGE_001 = qc(
    "001",
    "a substantial new security assistance package exceeding $2.3 billion",
    low=2.3e9,
    high=None,
    lo_inc=False,
    value=2.3e9,
    qualifier="exceeding",
    kind="money",
    unit="USD",
    scope="event",
    subject="new security assistance package for Ukraine",
    terms=["GPE:ukraine", "term:security", "term:assistance"],
)


TROOPS_002 = qc(
    "002",
    "some 100,000 troops along Ukraine's borders",
    low=90000,
    high=110000,
    value=100000,
    qualifier="some",
    unit="troop",
    subject="troops massed along Ukraine's borders",
    terms=["GPE:russia", "GPE:ukraine", "LOC:border"],
    as_of=(date(2021, 4, 1), date(2021, 4, 30)),
    basis="explicit",
    time_text="last month",
)


def test_russia_annexed_crimea_agrees_across_documents_with_a_time_on_one_side() -> None:
    a = fact("000", "Russia's purported annexation of Crimea", "Russia", "annex", "Crimea")
    b = fact(
        "002", "Crimea, which Russia annexed in 2014", "Russia", "annex", "Crimea", time="2014"
    )
    r = only(check(facts=(a, b)), Rule.FACT_AGREE_TRIPLE)
    assert r.claim_type == "fact" and "time on one side only" in r.reason


def test_nato_enhanced_opportunities_partner_status_agrees() -> None:
    a = fact(
        "000",
        "Ukraine's status as a NATO Enhanced Opportunities Partner",
        "Ukraine",
        "has status",
        "NATO Enhanced Opportunities Partner",
    )
    b = fact(
        "004",
        "Ukraine's status of NATO Enhanced Opportunities Partner obtained in June",
        "Ukraine",
        "has status",
        "the NATO Enhanced Opportunities Partner",
        time="2020-06",
    )
    only(check(facts=(a, b)), Rule.FACT_AGREE_TRIPLE)


def troops(doc: str, span: str, low: float, high: float, terms: list[str], **kw: object):
    return qc(doc, span, low=low, high=high, unit="troop", terms=terms, **kw)  # type: ignore[arg-type]


# --- facts --------------------------------------------------------------------------------------


def test_defence_and_defense_contact_group_spellings_are_one_name() -> None:
    a = fact(
        "003",
        "meeting of the Ukraine Defence Contact Group at Ramstein",
        "the Ukraine Defence Contact Group",
        "meet at",
        "Ramstein Air Base",
        time="2024-09",
    )
    b = fact(
        "100",
        "the Ukraine Defense Contact Group will meet at Ramstein in September",
        "Ukraine Defense Contact Group",
        "meet at",
        "Ramstein Air Base",
        time="September 2024",
    )
    only(check(facts=(a, b)), Rule.FACT_AGREE_TRIPLE)
    assert normalize_name("Zelenskyy in Kiev") == normalize_name("Zelensky in Kyiv")


def test_a_one_off_event_dated_to_different_years_conflicts() -> None:
    a = fact(
        "002", "Crimea, which Russia annexed in 2014", "Russia", "annex", "Crimea", time="2014"
    )
    b = fact("100", "Russia annexed Crimea in 2015", "Russia", "annex", "Crimea", time="2015")
    r = only(check(facts=(a, b)), Rule.FACT_CONFLICT_TIME)
    assert "2014" in r.reason and "2015" in r.reason


def test_a_repeatable_event_at_different_times_is_not_a_conflict() -> None:
    a = fact("003", "the group meets at Ramstein", "UDCG", "meet at", "Ramstein", time="2024-09")
    b = fact("100", "the group met at Ramstein", "UDCG", "meet at", "Ramstein", time="2023-01")
    assert check(facts=(a, b)) == []


def test_asserted_and_denied_conflict_on_polarity() -> None:
    a = fact("000", "Germany will send troops to Ukraine", "Germany", "send", "troops")
    b = fact(
        "100", "Germany will not send troops", "Germany", "send", "troops", polarity="negative"
    )
    only(check(facts=(a, b)), Rule.FACT_CONFLICT_POLARITY)


def test_a_one_off_event_in_two_places_conflicts_on_place() -> None:
    a = fact(
        "000", "the treaty was ratified in Kyiv", "parliament", "ratify", "treaty", place="Kyiv"
    )
    b = fact(
        "100", "the treaty was ratified in Lviv", "parliament", "ratify", "treaty", place="Lviv"
    )
    only(check(facts=(a, b)), Rule.FACT_CONFLICT_PLACE)


def test_fact_times_are_read_as_day_ranges() -> None:
    assert fact_time_range("2020-06") == (
        date(2020, 6, 1).toordinal(),
        date(2020, 6, 30).toordinal(),
    )
    assert fact_time_range("June 2020") == fact_time_range("2020-06")
    assert fact_time_range("in 2014") == (
        date(2014, 1, 1).toordinal(),
        date(2014, 12, 31).toordinal(),
    )
    assert fact_time_range("last spring") is None
    june_2020 = fact_time_range("2020-06")
    assert fact_time_range("June", date(2020, 12, 23)) == june_2020
    assert fact_time_range("in June", date(2021, 3, 1)) == june_2020


# --- intervals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((50, INF, False, True), (45, 50, True, False), False),
        ((50, INF, True, True), (45, 50, True, True), True),
        ((50, INF, False, True), (45, 50, True, True), False),
        ((45, 50, True, True), (50, 60, True, True), True),
        ((-INF, 10, False, False), (10, INF, True, False), False),
        ((-INF, INF, False, False), (3, 3, True, True), True),
    ],
)
def test_interval_overlap_honours_inclusive_and_unbounded_ends(a, b, overlap) -> None:
    assert intervals_overlap(a, b) is overlap
    assert intervals_overlap(b, a) is overlap


def test_dates_are_written_as_days() -> None:
    sept_20 = float((date(2017, 9, 20) - date(1970, 1, 1)).days)
    assert format_days(sept_20, sept_20) == "2017-09-20"
    assert format_days(sept_20 - 19, sept_20 + 10) == "[2017-09-01, 2017-09-30]"
    assert format_days(sept_20, float("inf")) == "[2017-09-20, …]"


def test_intervals_are_written_with_brackets_for_closed_ends() -> None:
    assert format_interval(50, INF, False, True) == "(50, ∞)"
    assert format_interval(45, 50, True, False) == "[45, 50)"
    assert format_interval(2.25e9, 2.35e9, True, True) == "[2.25 billion, 2.35 billion]"


def test_every_rule_names_its_relation_and_meaning() -> None:
    for rule in Rule:
        assert rule.relation in ("agree", "conflict", "update") and rule.meaning


# --- merging repeats within a document ----------------------------------------------------------


def test_merge_marks_the_second_usd_60_million_as_a_mention_of_the_first() -> None:
    second = PACKAGE_000.model_copy(
        update={
            "claim_id": "q_000_900",
            "char_start": 900,
            "char_end": 940,
            "span": "a new USD 60 million security assistance package, including",
        }
    )
    merged = merge_mentions([second, PACKAGE_000], SETTINGS)
    assert merged[0].mention_of == PACKAGE_000.claim_id and merged[1].mention_of is None


def test_merge_keeps_some_100000_troops_and_tens_of_thousands_remaining_apart() -> None:
    remain = troops(
        "002",
        "tens of thousands remain",
        20000,
        99999,
        ["NORP:russian", "LOC:border", "term:remain"],
        qualifier="tens of thousands",
        start=900,
    )
    crimea = troops(
        "002",
        "tens of thousands of troops remain in Crimea",
        20000,
        99999,
        ["GPE:crimea", "term:remain"],
        qualifier="tens of thousands",
        start=500,
    )
    merged = merge_mentions([TROOPS_002, crimea, remain], SETTINGS)
    assert [c.mention_of for c in merged] == [None, None, None]
    # As the extractor writes them, the two vague amounts share only their unit.
    crimea = crimea.model_copy(update={"key_terms": ["GPE:crimea", "term:troop"]})
    remain = remain.model_copy(update={"key_terms": ["NORP:russian", "term:troop"]})
    assert [c.mention_of for c in merge_mentions([crimea, remain], SETTINGS)] == [None, None]


def test_merge_marks_a_vague_amount_repeated_about_the_same_place() -> None:
    first = troops(
        "002",
        "tens of thousands of troops",
        20000,
        99999,
        ["GPE:crimea", "term:troop"],
        qualifier="tens of thousands",
        start=100,
    )
    again = first.model_copy(update={"claim_id": "q_again", "char_start": 700, "char_end": 727})
    merged = merge_mentions([first, again], SETTINGS)
    assert merged[1].mention_of == first.claim_id


def test_the_arrow_schema_of_relations_is_relation_s_fields_in_order() -> None:
    from claims.crosscheck.quantities import RELATION_SCHEMA

    assert RELATION_SCHEMA.names == list(Relation.model_fields)
