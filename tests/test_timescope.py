"""Time words resolve against the publication date, and only the claim's own clause dates it."""

from __future__ import annotations

from datetime import date

import pytest

from claims.extract.timescope import attached, find_time_expressions, lead_expression

THU = date(2021, 9, 2)  # a Thursday
FRI = date(2021, 5, 7)  # a Friday


@pytest.mark.parametrize(
    ("text", "published", "expected", "start", "end", "scope"),
    [
        (
            "troops massed there last month",
            FRI,
            "last month",
            date(2021, 4, 1),
            date(2021, 4, 30),
            None,
        ),
        (
            "USD 400 million this year alone",
            THU,
            "this year alone",
            date(2021, 1, 1),
            THU,
            "period",
        ),
        ("exports grew this year", THU, "this year", date(2021, 1, 1), THU, None),
        ("spent so far this year", THU, "so far this year", date(2021, 1, 1), THU, "period"),
        ("the deal signed last year", THU, "last year", date(2020, 1, 1), date(2020, 12, 31), None),
        ("Biden on Monday met", THU, "on Monday", date(2021, 8, 30), date(2021, 8, 30), None),
        ("Biden on Thursday met", THU, "on Thursday", THU, THU, None),
        ("told reporters Wednesday", THU, "Wednesday", date(2021, 9, 1), date(2021, 9, 1), None),
        ("talks resume next Monday", THU, "next Monday", date(2021, 9, 6), date(2021, 9, 6), None),
        ("said yesterday", THU, "yesterday", date(2021, 9, 1), date(2021, 9, 1), None),
        ("the Pentagon today", THU, "today", THU, THU, None),
        ("USD 2.5 billion since 2014", THU, "since 2014", date(2014, 1, 1), THU, "cumulative"),
        (
            "deaths since February 2022",
            THU,
            "since February 2022",
            date(2022, 2, 1),
            THU,
            "cumulative",
        ),
        ("arrivals since March", FRI, "since March", date(2021, 3, 1), FRI, "cumulative"),
        ("growth in 2020", THU, "in 2020", date(2020, 1, 1), date(2020, 12, 31), None),
        (
            "all troops to return home by May 1",
            FRI,
            "by May 1",
            date(2021, 5, 1),
            date(2021, 5, 1),
            None,
        ),
        (
            "approved on September 14, 2020",
            THU,
            "on September 14, 2020",
            date(2020, 9, 14),
            date(2020, 9, 14),
            None,
        ),
        (
            "posted 23 December 2020",
            THU,
            "23 December 2020",
            date(2020, 12, 23),
            date(2020, 12, 23),
            None,
        ),
        (
            "status obtained in June",
            date(2020, 12, 23),
            "in June",
            date(2020, 6, 1),
            date(2020, 6, 30),
            None,
        ),
        ("in the June 2021 summit", THU, "June 2021", date(2021, 6, 1), date(2021, 6, 30), None),
        (
            "the leaders met on August 30",
            date(2024, 8, 31),
            "on August 30",
            date(2024, 8, 30),
            date(2024, 8, 30),
            None,
        ),
        (
            "a meeting on September 6",
            date(2024, 8, 31),
            "on September 6",
            date(2024, 9, 6),
            date(2024, 9, 6),
            None,
        ),
        (
            "Over the past two years, we launched",
            date(2024, 8, 31),
            "Over the past two years",
            date(2022, 8, 31),
            date(2024, 8, 31),
            "period",
        ),
        ("in the last 30 days", THU, "in the last 30 days", date(2021, 8, 3), THU, "period"),
        ("three years ago", THU, "three years ago", date(2018, 9, 2), date(2018, 9, 2), None),
        ("earlier this week", THU, "earlier this week", date(2021, 8, 30), THU, None),
        (
            "ahead of next week's meeting",
            date(2024, 8, 31),
            "next week's",
            date(2024, 9, 2),
            date(2024, 9, 8),
            None,
        ),
        ("dated 2021-09-02", None, "2021-09-02", THU, THU, None),
    ],
)
def test_each_time_expression_resolves_against_the_publication_date(
    text: str, published: date | None, expected: str, start: date, end: date, scope: str | None
) -> None:
    [expr] = find_time_expressions(text, published)
    assert (expr.text, expr.as_of_start, expr.as_of_end, expr.scope) == (
        expected,
        start,
        end,
        scope,
    )
    assert text[expr.start : expr.end] == expr.text


def test_relative_words_without_a_publication_date_stay_unresolved() -> None:
    [expr] = find_time_expressions("troops massed there last month", None)
    assert expr.text == "last month"
    assert (expr.as_of_start, expr.as_of_end) == (None, None)


def test_the_modal_may_is_not_a_month() -> None:
    assert find_time_expressions("Russia may send 5 ships", FRI) == []


def test_the_longer_of_two_overlapping_expressions_wins() -> None:
    texts = [
        e.text for e in find_time_expressions("more than USD 400 million this year alone", THU)
    ]
    assert texts == ["this year alone"]


def test_the_lead_date_comes_from_day_words_of_the_opening_paragraphs_not_the_dateline() -> None:
    lines = [
        "Washington [US], September 2 (ANI): US President Joe Biden on Wednesday (local time) met "
        "with his Ukrainian counterpart and said that he reaffirmed support.",
    ]
    lead = lead_expression(lines, THU)
    assert lead is not None
    assert (lead.text, lead.as_of_start) == ("on Wednesday", date(2021, 9, 1))


def test_time_words_in_a_relative_clause_do_not_date_the_main_clause(nlp) -> None:
    text = "Tens of thousands of troops remain in Crimea, which Russia annexed in 2014."
    sdoc = nlp(text)
    exprs = find_time_expressions(text, FRI)
    assert [e.text for e in exprs] == ["in 2014"]
    assert attached(sdoc[2], exprs, sdoc) is None


def time_of(nlp, text: str, figure: str, published: date) -> str | None:
    """The text of the time expression ``attached`` gives the token ``figure`` of ``text``,
    after checking ``text`` has some."""
    sdoc = nlp(text)
    exprs = find_time_expressions(text, published)
    assert exprs, text
    found = attached(next(t for t in sdoc if t.text == figure), exprs, sdoc)
    return None if found is None else found.text


def test_time_words_of_the_governing_verb_date_the_claim(nlp) -> None:
    text = "Russia had amassed some 100,000 troops along Ukraine's borders last month."
    assert time_of(nlp, text, "100,000", FRI) == "last month"


def test_time_words_inside_the_verbs_subject_date_the_subject_not_the_claim(nlp) -> None:
    text = "The strategy approved on September 14, 2020 launched the development of 15 drafts."
    assert time_of(nlp, text, "15", THU) is None


def test_the_nearest_time_words_in_the_smallest_enclosing_phrase_win(nlp) -> None:
    text = (
        "The United States has committed USD 2.5 billion since 2014, including more than "
        "USD 400 million this year alone."
    )
    sdoc = nlp(text)
    exprs = find_time_expressions(text, THU)
    first = next(t for t in sdoc if t.text == "billion")
    second = next(t for t in sdoc if t.text == "million")
    assert attached(first, exprs, sdoc).text == "since 2014"  # type: ignore[union-attr]
    assert attached(second, exprs, sdoc).text == "this year alone"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("Turnout was 61.2 percent, the highest since 1992.", "61.2"),
        ("Russia launched 90 missiles, the most since March.", "90"),
        ("Unemployment rose to 4.1%, its highest level since 2021.", "4.1"),
        ("The index fell 3% to its lowest since 2009.", "3"),
    ],
)
def test_time_words_of_a_superlative_date_the_record_not_the_figure(nlp, text, figure) -> None:
    assert time_of(nlp, text, figure, THU) is None


def test_the_comparison_of_a_superlative_on_the_figures_path_is_skipped_too(nlp) -> None:
    text = "The largest package since 2022, 50 tanks, arrived last week."
    assert time_of(nlp, text, "50", THU) == "last week"


def test_a_superlatives_point_in_time_still_dates_the_figure(nlp) -> None:
    text = "The largest delivery on Monday, 50 tanks, arrived in Poland."
    assert time_of(nlp, text, "50", THU) == "on Monday"


def test_a_patterns_needs_only_skip_texts_it_cannot_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each pattern's ``needs`` (claims/data/time.json) let a text without a month, a year or
    a key word skip it; on every paragraph of the seeds and the real-news corpus the time
    words found are the same as with every pattern run on every text."""
    from dataclasses import replace
    from pathlib import Path

    from claims.extract import split_passages, timescope

    repo = Path(__file__).resolve().parents[1]
    files = sorted((repo / "seeds").glob("*.txt")) + sorted((repo / "bench/news").glob("*/[0-9]*"))
    texts = [p for f in files for _, p in split_passages(f.read_text())]
    texts += ["since 2014", "in May alone", "three years ago", "over the past 2 weeks", "5 Jan"]
    guarded = [find_time_expressions(t, THU) for t in texts]
    assert sum(map(len, guarded)) > 400
    assert any(p.needs for p in timescope._patterns())
    every = tuple(replace(p, needs=()) for p in timescope._patterns())
    monkeypatch.setattr(timescope, "_patterns", lambda data_dir=None: every)
    assert [find_time_expressions(t, THU) for t in texts] == guarded
