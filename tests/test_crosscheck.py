"""Cross-document checking: gold seed pairs, one test per matching rule, merge of repeats.

Claims are built by hand with the fields a competent extractor gives the sentences quoted
(../shared/gold/seed_claims.json and typical news wording), so each rule is tested alone.
"""

from __future__ import annotations

import random
from datetime import date
from operator import attrgetter

import pytest

from claims.crosscheck import (
    Rule,
    cross_check,
    format_interval,
    half_unit,
    intervals_overlap,
    merge_mentions,
)
from claims.crosscheck.facts import fact_time_range
from claims.extract.numbers import rounding_tolerance
from claims.lexicon import measure_for, normalize_name
from claims.models import Document, FactClaim, QuantityClaim, Relation
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
    assert SETTINGS.min_relation_score <= r.score <= 1
    return r


# --- gold pairs from the seed corpus ----------------------------------------------------------

ALLIES_001 = qc(
    "001",
    "over 50 allied nations",
    low=50,
    high=None,
    lo_inc=False,
    value=50,
    qualifier="over",
    unit="allied nation",
    subject="allied nations bolstering Ukraine's defenses",
    terms=["GPE:ukraine", "term:bolster", "term:defense"],
)
ALLIES_003 = qc(
    "003",
    "Nearly 50 allies and partners",
    low=45,
    high=50,
    hi_inc=False,
    value=50,
    qualifier="nearly",
    unit="ally",
    subject="allies and partners committed to the defense of Ukraine",
    terms=["GPE:ukraine", "ORG:Ukraine Defence Contact Group", "term:defense", "term:commit"],
)
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
LIVES_000 = qc(
    "000",
    "more than 14,000 Ukrainian lives",
    low=14000,
    high=None,
    lo_inc=False,
    qualifier="more than",
    unit="life",
    subject="Ukrainian lives claimed by Russia's aggression",
    terms=["NORP:ukrainian", "term:life"],
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


def test_over_50_allied_nations_conflicts_with_nearly_50_allies_two_months_later() -> None:
    r = only(check(ALLIES_001, ALLIES_003), Rule.CONFLICT_DISJOINT_SAME_TIME)
    assert (r.doc_a, r.doc_b) == ("001", "003")
    assert "GPE:ukraine" in r.shared_terms
    for text in ("(50, ∞)", "[45, 50)", "2024-07-02", "2024-08-31", "disjoint", "60 days apart"):
        assert text in r.reason, text


def test_two_packages_with_the_same_words_years_apart_are_unrelated() -> None:
    assert check(PACKAGE_000, PACKAGE_001) == []


def test_lives_lost_and_troops_massed_are_different_quantities() -> None:
    assert check(LIVES_000, TROOPS_002) == []


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


# --- one test per matching rule ------------------------------------------------------------------


def troops(doc: str, span: str, low: float, high: float, terms: list[str], **kw: object):
    return qc(doc, span, low=low, high=high, unit="troop", terms=terms, **kw)  # type: ignore[arg-type]


def test_troops_in_crimea_and_troops_on_the_border_are_different_quantities() -> None:
    crimea = troops(
        "002",
        "tens of thousands of troops remain in Crimea",
        20000,
        99999,
        ["NORP:russian", "GPE:crimea", "term:remain"],
        qualifier="tens of thousands",
    )
    border = troops(
        "100",
        "about 80,000 troops on the border",
        72000,
        88000,
        ["NORP:russian", "LOC:border"],
        qualifier="about",
        value=80000,
        as_of=(date(2021, 5, 1), date(2021, 5, 31)),
        basis="explicit",
    )
    assert check(crimea, border) == []


def test_russian_and_ukrainian_troops_are_different_quantities() -> None:
    russian = troops(
        "002", "some 100,000 Russian troops", 90000, 110000, ["NORP:russian", "term:mass"]
    )
    ukrainian = troops(
        "100",
        "40,000 Ukrainian troops",
        40000,
        40000,
        ["NORP:ukrainian", "term:mass"],
        as_of=(date(2021, 5, 7),) * 2,
    )
    assert check(russian, ukrainian) == []


def test_soldiers_and_troops_in_one_place_meet_and_agree() -> None:
    a = troops(
        "002",
        "some 100,000 troops along Ukraine's borders",
        90000,
        110000,
        ["GPE:ukraine", "LOC:border"],
        qualifier="some",
        value=100000,
    )
    b = qc(
        "100",
        "about 95,000 soldiers near the Ukrainian border",
        low=85500,
        high=104500,
        value=95000,
        qualifier="about",
        unit="soldier",
        terms=["NORP:ukrainian", "term:border"],
        as_of=(date(2021, 5, 3),) * 2,
    )
    r = only(check(a, b), Rule.AGREE_OVERLAP)
    assert "ukraine" in " ".join(r.shared_terms).lower()


def test_more_than_14000_lives_agrees_with_14400_people_killed() -> None:
    """'killed' and 'lives' share the death class; the exact 14,400 keeps its rounding."""
    killed = qc(
        "100",
        "14,400 people killed",
        low=14400,
        high=14400,
        unit="people killed",
        subject="people killed in the war in eastern Ukraine",
        terms=["GPE:ukraine", "term:person", "term:kill", "term:war"],
        as_of=(date(2021, 8, 20),) * 2,
    )
    r = only(check(LIVES_000, killed), Rule.AGREE_OVERLAP)
    assert "(14,000, ∞)" in r.reason and "[14,350, 14,450]" in r.reason
    assert "intervals overlap" in r.reason


def test_exact_14000_and_14400_agree_within_rounding() -> None:
    a = qc("000", "14,000 deaths", low=14000, high=14000, unit="death", terms=["GPE:ukraine"])
    b = qc(
        "100",
        "14,400 dead",
        low=14400,
        high=14400,
        unit="dead",
        terms=["GPE:ukraine"],
        as_of=(date(2021, 9, 20),) * 2,
    )
    r = only(check(a, b), Rule.AGREE_OVERLAP)
    assert "[13,500, 14,500]" in r.reason


def test_per_cent_and_percent_sign_meet() -> None:
    a = qc(
        "000",
        "63 per cent of Ukrainians",
        low=63,
        high=63,
        kind="percent",
        unit="per cent",
        terms=["NORP:ukrainian", "term:support"],
        subject="Ukrainians who support joining NATO",
    )
    b = qc(
        "100",
        "41% of Ukrainians",
        low=41,
        high=41,
        kind="percent",
        unit="%",
        terms=["NORP:ukrainian", "term:support"],
        subject="Ukrainians supporting NATO membership",
        as_of=(date(2021, 9, 10),) * 2,
    )
    r = only(check(a, b), Rule.CONFLICT_DISJOINT_SAME_TIME)
    assert "percent" in r.reason


def test_a_running_total_and_a_total_for_this_year_are_never_compared() -> None:
    since = qc(
        "000",
        "USD 2.5 billion in support of Ukraine's forces since 2014",
        low=2.5e9,
        high=2.5e9,
        kind="money",
        unit="USD",
        scope="cumulative",
        basis="explicit",
        terms=["GPE:ukraine", "term:support"],
        as_of=(date(2014, 1, 1), date(2021, 9, 2)),
    )
    year = qc(
        "100",
        "more than USD 400 million this year",
        low=4e8,
        high=None,
        lo_inc=False,
        kind="money",
        unit="USD",
        scope="period",
        basis="explicit",
        qualifier="more than",
        terms=["GPE:ukraine", "term:support"],
        as_of=(date(2021, 1, 1), date(2021, 12, 31)),
    )
    assert check(since, year) == []


def test_a_state_at_disjoint_times_is_an_update_naming_the_newer_figure() -> None:
    april = troops(
        "002",
        "some 100,000 troops along Ukraine's borders",
        90000,
        110000,
        ["GPE:ukraine", "LOC:border"],
        value=100000,
        qualifier="some",
        as_of=(date(2021, 4, 1), date(2021, 4, 30)),
        basis="explicit",
    )
    later = troops(
        "100",
        "about 35,000 troops along Ukraine's border",
        31500,
        38500,
        ["GPE:ukraine", "LOC:border"],
        value=35000,
        qualifier="about",
        as_of=(date(2021, 11, 1), date(2021, 11, 30)),
        basis="explicit",
    )
    r = only(check(later, april), Rule.UPDATE_DIFFERENT_TIME)
    assert (r.claim_a, r.claim_b) == (april.claim_id, later.claim_id)
    assert "newer figure (100, 2021-11-30) supersedes" in r.reason
    assert "do not overlap" in r.reason


def test_a_running_total_that_grew_within_the_tolerance_is_an_update() -> None:
    a = qc(
        "000",
        "USD 2.5 billion since 2014",
        low=2.5e9,
        high=2.5e9,
        kind="money",
        unit="USD",
        scope="cumulative",
        terms=["GPE:ukraine"],
        as_of=(date(2014, 1, 1), date(2021, 9, 2)),
    )
    b = qc(
        "100",
        "USD 2.7 billion since 2014",
        low=2.7e9,
        high=2.7e9,
        kind="money",
        unit="USD",
        scope="cumulative",
        terms=["GPE:ukraine"],
        as_of=(date(2014, 1, 1), date(2021, 10, 20)),
    )
    r = only(check(a, b), Rule.UPDATE_CUMULATIVE_GROWTH)
    assert "running total only grows" in r.reason


def test_event_figures_relate_only_as_the_same_event() -> None:
    same = qc(
        "100",
        "a USD 60 million package",
        low=60e6,
        high=60e6,
        kind="money",
        unit="USD",
        scope="event",
        terms=["GPE:ukraine", "term:assistance"],
        as_of=(date(2021, 9, 3),) * 2,
    )
    r = only(check(PACKAGE_000, same), Rule.AGREE_OVERLAP)
    assert "[55 million, 65 million]" in r.reason
    later = same.model_copy(
        update={
            "doc_id": "001",
            "claim_id": "q_late",
            "as_of_start": date(2022, 6, 1),
            "as_of_end": date(2022, 6, 1),
        }
    )
    assert check(PACKAGE_000, later) == []


def test_civilian_deaths_and_all_deaths_are_different_quantities() -> None:
    a = qc(
        "000",
        "3,000 civilian deaths",
        low=3000,
        high=3000,
        unit="death",
        terms=["GPE:ukraine", "term:civilian"],
    )
    b = qc(
        "100",
        "14,000 deaths",
        low=14000,
        high=14000,
        unit="death",
        terms=["GPE:ukraine"],
        as_of=(date(2021, 9, 1),) * 2,
    )
    assert check(a, b) == []


def test_claims_sharing_no_key_term_are_not_compared() -> None:
    a = qc("000", "50 countries", low=50, high=50, unit="country", terms=["ORG:nato"])
    b = qc(
        "100",
        "30 countries",
        low=30,
        high=30,
        unit="country",
        terms=["ORG:african union"],
        as_of=(date(2021, 9, 1),) * 2,
    )
    assert check(a, b) == []


def test_repeated_mentions_and_same_document_pairs_do_not_take_part() -> None:
    repeat = ALLIES_003.model_copy(update={"claim_id": "q_rep", "mention_of": "q_first"})
    assert check(ALLIES_001, repeat) == []
    same_doc = ALLIES_003.model_copy(update={"doc_id": "001", "claim_id": "q_same"})
    assert check(ALLIES_001, same_doc) == []


def test_one_common_word_months_apart_scores_below_the_threshold() -> None:
    a = qc(
        "000",
        "50 partners",
        low=50,
        high=50,
        unit="partner",
        terms=["term:defense", "term:security", "term:zone"],
        as_of=(date(2021, 6, 3),) * 2,
    )
    b = qc(
        "100",
        "30 nations",
        low=30,
        high=30,
        unit="nation",
        terms=["term:defense", "term:rebuild", "term:industry"],
        as_of=(date(2021, 11, 30),) * 2,
    )
    assert check(a, b) == []
    # The same pair described alike and in the same week is a conflict.
    b = b.model_copy(
        update={
            "key_terms": a.key_terms,
            "as_of_start": date(2021, 6, 5),
            "as_of_end": date(2021, 6, 5),
        }
    )
    only(check(a, b), Rule.CONFLICT_DISJOINT_SAME_TIME)


def test_output_is_sorted_and_stable_whatever_the_input_order() -> None:
    claims = [ALLIES_001, ALLIES_003, PACKAGE_000, PACKAGE_001, LIVES_000, TROOPS_002]
    first = check(*claims)
    random.Random(7).shuffle(claims)
    assert check(*claims) == first
    key = attrgetter("claim_type", "doc_a", "doc_b", "claim_a", "claim_b")
    assert first == sorted(first, key=key)
    assert [r.relation_id for r in first] == [
        Relation.make_id(r.claim_a, r.claim_b, r.relation) for r in first
    ]


def test_troops_in_eastern_ukraine_meet_troops_in_ukraine() -> None:
    """A place contained in another, word by word, is compatible with it."""
    a = troops(
        "002",
        "some 100,000 Russian troops in eastern Ukraine",
        90000,
        110000,
        ["NORP:russian", "GPE:eastern ukraine"],
        value=100000,
        qualifier="some",
    )
    b = troops(
        "100",
        "about 95,000 Russian troops in Ukraine",
        85500,
        104500,
        ["NORP:russian", "GPE:Ukraine"],
        value=95000,
        qualifier="about",
        as_of=(date(2021, 5, 10),) * 2,
    )
    only(check(a, b), Rule.AGREE_OVERLAP)


def test_two_aid_packages_a_month_apart_are_two_events_not_one() -> None:
    """Events get a week's tolerance around a publication date, states the full one."""
    kw = {"kind": "money", "unit": "USD", "terms": ["GPE:ukraine", "term:security", "term:package"]}
    first = qc("000", "a USD 60 million package", low=60e6, high=60e6, scope="event", **kw)
    second = qc(
        "100",
        "a USD 150 million package",
        low=150e6,
        high=150e6,
        scope="event",
        as_of=(date(2021, 10, 2),) * 2,
        **kw,
    )
    assert check(first, second) == []
    as_states = [c.model_copy(update={"scope_type": "state"}) for c in (first, second)]
    only(check(*as_states), Rule.CONFLICT_DISJOINT_SAME_TIME)


def test_a_package_and_a_loan_in_the_same_week_are_not_compared() -> None:
    """Both describe what they count, with no word in common: different quantities."""
    package = qc(
        "000",
        "a USD 60 million security package",
        low=60e6,
        high=60e6,
        kind="money",
        unit="USD",
        terms=["GPE:ukraine", "term:security", "term:package"],
    )
    loan = qc(
        "100",
        "a USD 500 million loan",
        low=500e6,
        high=500e6,
        kind="money",
        unit="USD",
        terms=["GPE:ukraine", "term:loan"],
        as_of=(date(2021, 9, 4),) * 2,
    )
    assert check(package, loan) == []


def test_the_unit_given_as_a_key_term_is_not_a_shared_term() -> None:
    """'troops' vs 'soldiers' with nothing else said: the measure alone is not a quantity."""
    a = troops(
        "002",
        "tens of thousands of troops",
        20000,
        99999,
        ["term:troop"],
        qualifier="tens of thousands",
    )
    b = troops("100", "5,000 soldiers", 5000, 5000, ["term:soldier"], as_of=(date(2021, 5, 8),) * 2)
    assert check(a, b) == []
    place = ["GPE:crimea"]
    a, b = (c.model_copy(update={"key_terms": [*c.key_terms, *place]}) for c in (a, b))
    only(check(a, b), Rule.CONFLICT_DISJOINT_SAME_TIME)


def test_a_series_of_figures_becomes_a_chain_of_updates() -> None:
    """Each figure is linked to the next one in time only, not to every later one."""
    months = [(date(2021, m, 1), date(2021, m, 28)) for m in (2, 4, 6)]
    figures = [
        troops(
            f"10{k}",
            f"{n:,} troops at the border",
            n,
            n,
            ["GPE:ukraine", "LOC:border"],
            as_of=scope,
            basis="explicit",
        )
        for k, (n, scope) in enumerate(zip((40000, 100000, 60000), months, strict=True))
    ]
    relations = check(*figures)
    assert [(r.doc_a, r.doc_b, r.rule) for r in relations] == [
        ("100", "101", Rule.UPDATE_DIFFERENT_TIME.value),
        ("101", "102", Rule.UPDATE_DIFFERENT_TIME.value),
    ]
    assert all("supersedes" in r.reason for r in relations)


def test_a_claim_without_a_time_scope_is_dated_by_its_document() -> None:
    undated = ALLIES_003.model_copy(update={"as_of_start": None, "as_of_end": None})
    only(check(ALLIES_001, undated), Rule.CONFLICT_DISJOINT_SAME_TIME)


def test_blocking_bounds_the_work_for_many_reports_of_one_figure() -> None:
    """300 reports of one figure give at most a window of relations per claim, in order."""
    same = [
        qc(f"d{k % 100:03d}", "50 allies", low=50, high=50, unit="ally", terms=["GPE:ukraine"])
        # Claim ids in another order than their documents', as hashes are.
        .model_copy(update={"claim_id": f"q_{k * 7919 % 1009:04d}"})
        for k in range(300)
    ]
    relations = cross_check(same, [], {}, SETTINGS)
    assert 0 < len(relations) <= 300 * SETTINGS.crosscheck_window * 2
    assert {r.rule for r in relations} == {Rule.AGREE_OVERLAP.value}
    key = attrgetter("claim_type", "doc_a", "doc_b", "claim_a", "claim_b")
    assert relations == sorted(relations, key=key)
    random.Random(3).shuffle(same)
    assert cross_check(same, [], {}, SETTINGS) == relations


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


@pytest.mark.parametrize(
    ("value", "span"),
    [
        (14000, "14,000"),
        (2.3e9, "$2.3 billion"),
        (60e6, "USD 60 million"),
        (2.5, "2.5 per cent"),
        (1.2e9, "1.2bn"),
        (7, "seven-year"),
        (14400, "14,400 people"),
    ],
)
def test_rounding_tolerance_is_the_one_claims_numbers_defines(value, span) -> None:
    """half_unit reads digits itself for speed and must agree with claims.numbers."""
    assert half_unit(value, span) == rounding_tolerance(value, span)


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
    assert check(*merged, PACKAGE_001) == []


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
