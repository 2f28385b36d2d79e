"""Cross-document checking of figures, on text the real extractor reads.

Each test writes a few short articles in the wording news uses for one situation (a toll two
outlets agree on, a toll that rises, a part beside its whole, a rescue tally beside the day's
rescues, an undated wire copy, a fee in three currencies, a revised toll, a ship's complement
two outlets disagree on), extracts them with the real spaCy model and checks what the
cross-check relates. The places and names are made up, so no test leans on what the model
or the lexicons happen to know about a real story.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, NamedTuple

import pytest
from spacy.language import Language

from claims.crosscheck import CrossCheck, cross_check_run, merge_mentions, read_claims
from claims.crosscheck.pairs import candidates
from claims.crosscheck.profiles import build_profiles
from claims.crosscheck.quantities import fitted_thresholds
from claims.crosscheck.stories import group_stories
from claims.extract import extract_documents
from claims.models import Document, QuantityClaim
from claims.settings import Settings

SETTINGS = Settings(n_process=1)


class Article(NamedTuple):
    doc_id: str
    published: date | None
    outlet: str
    text: str  # headline, blank line, body


class Checked(NamedTuple):
    result: CrossCheck
    claims: list[QuantityClaim]
    documents: dict[str, Document]

    def relations(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.result.relations.to_dict("records")
        return records

    def between(self, span_a: str, span_b: str) -> list[dict]:
        """The relations between a claim whose span contains ``span_a`` and one whose span
        contains ``span_b`` (either order)."""
        spans = {c.claim_id: c.span for c in self.claims}
        out = []
        for r in self.relations():
            a, b = spans[r["claim_a"]], spans[r["claim_b"]]
            if (span_a in a and span_b in b) or (span_a in b and span_b in a):
                out.append(r)
        return out


def documents(*articles: Article) -> dict[str, Document]:
    return {
        a.doc_id: Document.build(
            doc_id=a.doc_id,
            source_path=f"/in/{a.doc_id}.md",
            text=a.text,
            published=a.published,
            outlet=a.outlet,
            title=a.text.split("\n", 1)[0],
        )
        for a in articles
    }


def read(nlp: Language, *articles: Article) -> tuple[list[QuantityClaim], dict[str, Document]]:
    """The claims of ``articles`` as a run stores them: extracted, repeats merged, read."""
    docs = documents(*articles)
    extracted = extract_documents(list(docs.values()), SETTINGS, nlp)
    claims = [c for e in extracted for c in e.claims]
    return read_claims(merge_mentions(claims, SETTINGS), SETTINGS), docs


def check(nlp: Language, *articles: Article) -> Checked:
    claims, docs = read(nlp, *articles)
    return Checked(cross_check_run(claims, [], docs, SETTINGS), claims, docs)


FERRY_MONDAY = Article(
    "harbour-1",
    date(2023, 3, 6),
    "Harbour Times",
    """Ferry sinks off Valmora coast, at least 41 dead

VALMORA, March 6 - A passenger ferry capsized off the coast of Valmora on Monday, killing at
least 41 people, the coastguard said. The ferry was carrying 212 passengers and crew when it
overturned in heavy seas near the port of Ostrel.
""",
)
FERRY_MONDAY_OTHER = Article(
    "coastal-1",
    date(2023, 3, 6),
    "Coastal Post",
    """Valmora ferry disaster: coastguard confirms 41 deaths

The coastguard confirmed on Monday that 41 people died when the ferry overturned near Ostrel.
Rescuers pulled 150 survivors from the water, and the search for the missing continues.
""",
)
FERRY_THURSDAY = Article(
    "harbour-2",
    date(2023, 3, 9),
    "Harbour Times",
    """Valmora ferry toll rises to 63 as divers reach the hull

The death toll from the ferry that capsized off Valmora rose to 63 on Thursday, the coastguard
said, after divers reached the hull near Ostrel.
""",
)
ELECTION = Article(
    "election-1",
    date(2023, 3, 7),
    "Election Daily",
    """Tarsen votes: turnout reaches 71 percent

Turnout in the Tarsen general election reached 71 percent, the electoral commission said, with
the ruling party ahead in 12 of 20 provinces.
""",
)


def test_reports_of_one_disaster_form_one_story_and_an_election_its_own() -> None:
    docs = documents(FERRY_MONDAY, FERRY_MONDAY_OTHER, FERRY_THURSDAY, ELECTION)
    stories = group_stories(docs, {}, SETTINGS)
    ferry = {stories.story_of[d] for d in ("harbour-1", "coastal-1", "harbour-2")}
    assert len(ferry) == 1 and stories.story_of["election-1"] not in ferry
    frame = stories.frame().set_index("story_id")
    [story] = ferry
    assert frame.loc[story, "documents"] == 3
    assert frame.loc[story, "first_published"] == date(2023, 3, 6)
    assert frame.loc[story, "last_published"] == date(2023, 3, 9)
    assert "valmora" in frame.loc[story, "label"].lower()


def test_one_toll_from_two_outlets_agrees_and_the_reason_names_both(nlp: Language) -> None:
    checked = check(nlp, FERRY_MONDAY, FERRY_MONDAY_OTHER)
    agree = checked.between("at least 41", "41 deaths")
    assert [r["relation"] for r in agree] == ["agree"]
    reason = agree[0]["reason"]
    for text in ("Harbour Times (2023-03-06)", "Coastal Post (2023-03-06)", "[41, ∞)", "overlap"):
        assert text in reason, text
    assert agree[0]["score"] >= fitted_thresholds().agree
    # The survivors, the ship's complement and the dead are three quantities.
    assert checked.between("150 survivors", "41") == []
    assert checked.between("212 passengers", "41") == []


def test_a_toll_that_rises_days_later_is_an_update_the_newer_supersedes(nlp: Language) -> None:
    checked = check(nlp, FERRY_MONDAY, FERRY_MONDAY_OTHER, FERRY_THURSDAY)
    updates = checked.between("41 deaths", "63")
    assert updates and {r["relation"] for r in updates} == {"update"}
    assert all(r["doc_b"] == "harbour-2" for r in updates)
    assert "the newer figure (Harbour Times (2023-03-09)) supersedes" in updates[0]["reason"]
    assert not [r for r in checked.relations() if r["relation"] == "conflict"]


def test_a_city_and_the_nation_on_one_night_are_a_part_and_its_whole(nlp: Language) -> None:
    checked = check(
        nlp,
        Article(
            "herald",
            date(2023, 5, 14),
            "Capital Herald",
            """Police arrest 2,100 across Norland as fuel protests spread

Police arrested 2,100 people nationwide on Saturday night as protests against fuel prices
spread to every region of Norland, the interior ministry said.
""",
        ),
        Article(
            "today",
            date(2023, 5, 14),
            "Norland Today",
            """Fuel protests: 300 arrested in the capital

In the capital alone, police arrested 300 protesters on Saturday night, the interior
ministry said, as fuel price protests spread across Norland.
""",
        ),
    )
    assert checked.between("300", "2,100") == []


def test_the_day_s_rescues_and_the_tally_so_far_are_a_change_and_a_level(nlp: Language) -> None:
    checked = check(
        nlp,
        Article(
            "harbour-3",
            date(2023, 3, 7),
            "Harbour Times",
            """Valmora ferry: another 700 rescued from flooded decks

Another 700 people were rescued on Tuesday from the ferry that capsized off Valmora, the
coastguard said.
""",
        ),
        Article(
            "coastal-3",
            date(2023, 3, 7),
            "Coastal Post",
            """Valmora ferry: 1,500 rescued so far

The coastguard said 1,500 people have been rescued so far from the ferry that capsized off
Valmora near Ostrel.
""",
        ),
    )
    assert checked.between("700", "1,500") == []


def test_an_undated_wire_copy_takes_its_date_from_its_dateline_and_says_so(
    nlp: Language,
) -> None:
    wire = Article(
        "wire",
        None,
        "Wire",
        """Valmora ferry capsizes near Ostrel, 41 dead

OSTREL, March 6 (Wire) - A ferry capsized off Valmora near the port of Ostrel, and 41 people
died, the coastguard said.
""",
    )
    checked = check(nlp, FERRY_MONDAY, wire)
    assert checked.result.stories.date("wire") == date(2023, 3, 6)
    agree = checked.between("41 people", "41")
    assert agree and {r["relation"] for r in agree} == {"agree"}
    assert "Wire (undated; 2023-03-06 from its dateline)" in agree[0]["reason"]


def test_two_outlets_dating_one_event_agree_on_the_date(nlp: Language) -> None:
    checked = check(
        nlp,
        Article(
            "harbour-4",
            date(2023, 3, 8),
            "Harbour Times",
            """Valmora ferry: what we know

The ferry capsized off Valmora on March 6, and divers reached the hull near Ostrel on
Tuesday.
""",
        ),
        Article(
            "coastal-4",
            date(2023, 3, 10),
            "Coastal Post",
            """Valmora ferry inquiry opens

An inquiry opened into why the ferry capsized near Ostrel on March 6, the transport ministry
said.
""",
        ),
    )
    [agree] = checked.between("March 6", "March 6")
    assert agree["relation"] == "agree" and "2023-03-06" in agree["reason"]


FEE = "Paris Saint-Germain paid Barcelona a fee of {} for the forward Idris Kallo, a record."


def test_one_fee_in_euros_pounds_and_dollars_agrees_and_never_conflicts(nlp: Language) -> None:
    def article(doc_id: str, day: int, amount: str) -> Article:
        body = FEE.format(amount)
        return Article(doc_id, date(2017, 8, day), doc_id.title(), f"Kallo joins PSG\n\n{body}\n")

    checked = check(
        nlp,
        article("sports", 3, "€222m"),
        article("football", 3, "£198m"),
        article("ball", 4, "$150m"),
    )
    [agree] = checked.between("€222m", "£198m")
    assert agree["relation"] == "agree"
    assert "(from GBP at the ECB rate of its day)" in agree["reason"]
    # $150m is a third less: two outlets' conversions never differ by that, so it is not the
    # same fee, and a sum in another currency is never flagged as a conflict.
    assert checked.between("$150m", "m") == []


def test_a_toll_revised_down_is_an_update_presented_as_a_revision(nlp: Language) -> None:
    checked = check(
        nlp,
        Article(
            "valley-1",
            date(2018, 11, 26),
            "Valley News",
            """Ridge Fire death toll climbs to 88

The death toll from the Ridge Fire in Butte County rose to 88 on Monday, the sheriff said.
""",
        ),
        Article(
            "valley-2",
            date(2018, 12, 3),
            "Valley News",
            """Ridge Fire death toll revised down to 85

The sheriff revised the Ridge Fire death toll down to 85 from 88 on Monday after DNA tests in
Butte County.
""",
        ),
    )
    revised = [r for r in checked.between("88", "85") if r["doc_a"] != r["doc_b"]]
    assert [r["rule"] for r in revised] == ["UPDATE_REVISED"]
    assert "presented as a revision" in revised[0]["reason"]


def test_two_counts_of_one_ship_s_complement_on_one_day_conflict(nlp: Language) -> None:
    def article(doc_id: str, outlet: str, aboard: int, source: str) -> Article:
        return Article(
            doc_id,
            date(2023, 3, 6),
            outlet,
            f"""Valmora ferry capsizes near Ostrel

The ferry that capsized off Valmora on Monday was carrying {aboard} passengers and crew,
the {source} said.
""",
        )

    checked = check(
        nlp,
        article("harbour-5", "Harbour Times", 212, "coastguard"),
        article("coastal-5", "Coastal Post", 180, "ferry company"),
    )
    [conflict] = checked.between("212", "180")
    assert conflict["relation"] == "conflict"
    assert conflict["rule"] == "CONFLICT_DISJOINT_SAME_TIME"
    for text in ("[211.5, 212.5)", "[175, 185)", "disjoint", "both cannot be true"):
        assert text in conflict["reason"], text
    assert conflict["score"] >= fitted_thresholds().conflict


def test_relations_are_sorted_and_the_same_whatever_the_input_order(nlp: Language) -> None:
    claims, docs = read(nlp, FERRY_MONDAY, FERRY_MONDAY_OTHER, FERRY_THURSDAY, ELECTION)
    first = cross_check_run(claims, [], docs, SETTINGS).relations
    assert len(first) > 0
    keys = ["claim_type", "doc_a", "doc_b", "claim_a", "claim_b"]
    assert first[keys].values.tolist() == first.sort_values(keys)[keys].values.tolist()
    shuffled = list(claims)
    random.Random(7).shuffle(shuffled)
    again = cross_check_run(shuffled, [], dict(reversed(docs.items())), SETTINGS).relations
    assert again.equals(first)


@pytest.mark.parametrize("reports", [30, 300])
def test_blocking_bounds_the_pairs_for_many_reports_of_one_figure(
    nlp: Language, reports: int
) -> None:
    """Every outlet repeating one toll gives pairs linear in the reports, not quadratic."""
    [claim] = [c for c in read(nlp, FERRY_MONDAY_OTHER)[0] if c.span == "41 deaths"]
    docs, claims = {}, []
    for k in range(reports):
        doc_id = f"d{k:03d}"
        docs[doc_id] = documents(FERRY_MONDAY_OTHER)["coastal-1"].model_copy(
            update={"doc_id": doc_id}
        )
        claims.append(claim.model_copy(update={"doc_id": doc_id, "claim_id": f"q{k:03d}"}))
    stories = group_stories(docs, {}, SETTINGS)
    pairs = candidates(build_profiles(claims, stories, SETTINGS), SETTINGS.crosscheck_window)
    assert 0 < len(pairs) <= reports * SETTINGS.crosscheck_window


def test_a_hedge_s_own_words_make_no_change(nlp: Language) -> None:
    """AP's count (CBS, hajj-2015): 'no fewer than 1,453 people were killed': 'fewer' hedges
    the figure, it is no fall of 1,453."""
    claims, _ = read(
        nlp,
        Article(
            "tally-1",
            date(2015, 10, 9),
            "CBS News",
            "The count kept by The Associated Press showed on Friday that no fewer than 1,453 "
            "people were killed on Sept. 24 in Mina.\n",
        ),
    )
    [tally] = claims
    assert "change" not in tally.cues


@pytest.mark.parametrize("rounding", [True, False])
def test_intervals_read_as_columns_are_the_intervals_read_claim_by_claim(rounding: bool) -> None:
    """Profiles read a million claims' intervals as columns: the same floats as the rule for
    one claim, with open ends, hedges, rounding and missing factors."""
    from builders import quantity_claim

    from claims.crosscheck.columns import claim_table, read_rows
    from claims.crosscheck.intervals import claim_interval, claim_intervals

    rng = random.Random(7)
    settings = Settings(rounding_tolerance=rounding)
    d = Document(doc_id="d", source_path="d.txt", text="About 14,000 fled.", sha256="0" * 64)
    claims = []
    for _ in range(400):
        value = rng.choice([0.0, 1.0, 14_000.0, 2.5, 1e9 + 1])
        fields = {
            "value": value,
            "low": rng.choice([value, None, value * 0.9]),
            "high": rng.choice([value, None, value * 1.1]),
            "low_inclusive": rng.random() < 0.8,
            "high_inclusive": rng.random() < 0.8,
            "qualifier": rng.choice([None, "about", "at least", ""]),
            "tolerance": rng.choice([0.0, 0.5, 500.0]),
            "measure_factor": rng.choice([None, 0.0, 1.0, 1609.344]),
        }
        claims.append(quantity_claim(d, "About 14,000").model_copy(update=fields))
    table = claim_table(claims)
    columns = {name: table[name].combine_chunks() for name in table.column_names}
    lo, hi, lo_inc, hi_inc, factor = claim_intervals(columns, settings)
    for k, c in enumerate(read_rows(table)):
        assert (lo[k], hi[k], lo_inc[k], hi_inc[k]) == claim_interval(c, settings)
        assert factor[k] == (c.measure_factor or 1.0)


def test_shared_weights_compared_as_columns_are_the_expanded_lists_floats() -> None:
    """Pairs' shared word weights, compared item against item in columns (short lists) or by
    expanding and searching the lists (long ones): the same floats, bit for bit."""
    import numpy as np

    from claims.crosscheck.pairs import Columns, _shared_weight, _shared_weight_columns
    from claims.crosscheck.profiles import Lists

    rng = np.random.default_rng(3)
    rows = [
        rng.choice(40, size=rng.choice([0, 1, 3, 5, 8, 9, 15]), replace=False).tolist()
        for _ in range(300)
    ]
    lists = Lists.of(rows)
    weight = rng.normal(size=40) * 7  # negative weights too: the order of adding matters
    a, b = rng.integers(0, 300, size=(2, 5000))
    expected = _shared_weight(lists, a, b, weight)
    got = _shared_weight_columns(lists, Columns.of(lists), a, b, weight)
    assert got.tobytes() == expected.tobytes()
    assert Columns.of(lists).longer.any()  # both ways taken


def test_candidate_pairs_deduplicated_by_ranges_of_keys_keep_each_pair_s_first() -> None:
    """Entry pairs deduplicated a range of pair keys at a time keep what one sort of all the
    keys keeps: each pair of claims once, from its earliest entry pair, in order."""
    import numpy as np

    from claims.crosscheck.pairs import _first_of_each

    rng = np.random.default_rng(5)
    n = 50
    row = rng.integers(0, n, size=400)
    ea = rng.integers(0, 400, size=3000).astype(np.int32)
    eb = rng.integers(0, 400, size=3000).astype(np.int32)
    x, y = row[ea], row[eb]
    _, first = np.unique(np.minimum(x, y) * n + np.maximum(x, y), return_index=True)
    first.sort()
    got_a, got_b = _first_of_each(row, ea, eb, n)
    assert np.array_equal(got_a, ea[first]) and np.array_equal(got_b, eb[first])
    # By claims: the same entry pairs, ordered by their claims' rows (lower, then higher).
    by_a, by_b = _first_of_each(row, ea, eb, n, by_claims=True)
    low, high = np.minimum(row[by_a], row[by_b]), np.maximum(row[by_a], row[by_b])
    assert np.all(np.diff(low * n + high) > 0)
    entries = np.sort(by_a.astype(np.int64) * len(row) + by_b)
    assert np.array_equal(entries, np.sort(got_a.astype(np.int64) * len(row) + got_b))


def test_shared_words_compared_as_columns_are_the_expanded_lists_words() -> None:
    """The words two claims share, written in alphabetical order, found by comparing short
    lists as columns and longer ones by expanding them: the lists that expanding all gives."""
    import numpy as np

    from claims.crosscheck.profiles import Lists
    from claims.crosscheck.quantities import _shared_expanded, _shared_lists, _Words

    rng = np.random.default_rng(11)
    codes = [f"s_{k % 3}\x1fw{rng.integers(1000)}" if k % 5 else f"w{k}" for k in range(60)]
    rows = [
        rng.choice(60, size=rng.choice([0, 1, 2, 4, 8, 9, 20]), replace=False).tolist()
        for _ in range(200)
    ]
    lists = Lists.of(rows)
    words = _Words(codes, lists)
    a, b = rng.integers(0, 200, size=(2, 3000))
    pair, word = _shared_expanded(lists, a, b, words)
    names = words.names.to_pylist()
    expected: list[list[str]] = [[] for _ in range(len(a))]
    for k, w in zip(pair.tolist(), word.tolist(), strict=True):
        expected[k].append(names[w])
    assert _shared_lists(lists, a, b, words).to_pylist() == expected
    assert any(expected) and words.columns.longer.any()


def test_story_words_split_without_a_regular_expression_are_the_expression_s() -> None:
    """Stories split ASCII texts where ``[^\\w'-]+`` matches and start each word at its first
    letter by translating and splitting their bytes: the words the expressions give, on every
    ASCII character, nulls, a slice and texts that are not ASCII."""
    import re

    import numpy as np
    import pyarrow as pa

    from claims.crosscheck.stories import _WORD, _raw_words
    from claims.lexicon import fold

    rng = np.random.default_rng(3)
    texts: list[str | None] = [
        "".join(chr(c) for c in rng.integers(0, 128, size=int(rng.integers(0, 30))))
        for _ in range(3000)
    ]
    texts += [None, "", "Élan vital, naïve", "--'9ab_c d-e", "A fire's 3-day run"]
    given = pa.array(texts, pa.string()).slice(3)
    # The ASCII texts' words first, then the others'.
    expected: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
    for row, text in enumerate(given.to_pylist()):
        if text is None:
            continue
        if text.isascii():
            runs = re.split(r"[^\w'-]+", text.lower(), flags=re.ASCII)
            found = [re.sub(r"^[0-9_'-]+", "", w, flags=re.ASCII) for w in runs]
        else:
            found = _WORD.findall(fold(text))
        expected[text.isascii()] += [(row, w) for w in found if w]
    owner, words, _ = _raw_words(given)
    assert list(zip(owner.tolist(), words.to_pylist(), strict=True)) == [
        *expected[True],
        *expected[False],
    ]
