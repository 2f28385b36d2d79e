"""The classes of figures real news states, each with sentences of the kind seen in the
real-news corpus (bench/news): measures with units, durations, event dates, changes,
revisions and denials, headlines, appositions, and what is no figure at all."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from claims.extract import extract_document
from claims.extract.dates import days
from claims.extract.numbers import find_numbers
from claims.models import Document, QuantityClaim
from claims.settings import Settings

PUBLISHED = date(2022, 10, 28)  # a Friday


def claims_of(text: str, nlp: Language, settings: Settings) -> list[QuantityClaim]:
    doc = Document.build(doc_id="t", source_path="t", text=text, published=PUBLISHED)
    return extract_document(doc, settings, nlp).claims


def one(text: str, span: str, nlp: Language, settings: Settings) -> QuantityClaim:
    found = [c for c in claims_of(text, nlp, settings) if c.span == span]
    assert found, f"no claim {span!r} in {[c.span for c in claims_of(text, nlp, settings)]}"
    return found[0]


# -- measures: units normalised to SI through pint ------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "unit", "measure", "factor"),
    [
        ("Orion flew about 268,553 miles from Earth.", "about 268,553 miles", "mile", "metre", 1609.344),
        ("It came within 130 km of the moon's surface.", "130 km", "km", "metre", 1000.0),
        ("Winds of 120 km/h lashed the coast.", "120 km/h", "km/h", "metre / second", 0.277777777778),
        ("The storm brought winds of 155 mph.", "155 mph", "mph", "metre / second", 0.44704),
        ("The ship carried 2,750 tonnes of ammonium nitrate.", "2,750 tonnes", "tonne", "kilogram", 1000.0),
        ("The ship carried 2,750 tons of ammonium nitrate.", "2,750 tons", "tonne", "kilogram", 1000.0),
        ("A 200,000-tonne ship ran aground.", "200,000-tonne", "tonne", "kilogram", 1000.0),
        ("The vessel can carry 20,000 TEU.", "20,000 TEU", "TEU", "TEU", 1.0),
        ("The fire burned 153,336 acres.", "153,336 acres", "acre", "metre ** 2", 4046.87260987),
        ("Pakistan received 391 mm of rain.", "391 mm", "mm", "metre", 0.001),
    ],
)  # fmt: skip
def test_a_measure_carries_its_unit_and_the_factor_to_its_si_base_unit(
    nlp, settings, text, span, unit, measure, factor
) -> None:
    c = one(text, span, nlp, settings)
    assert (c.kind, c.unit, c.measure) == ("measure", unit, measure)
    assert c.measure_factor == pytest.approx(factor)


def test_miles_and_kilometres_meet_in_metres(nlp, settings) -> None:
    miles = one("The wildfire spread 5 miles overnight.", "5 miles", nlp, settings)
    km = one("The wildfire spread 8 km overnight.", "8 km", nlp, settings)
    assert miles.measure == km.measure == "metre"
    assert (miles.value or 0) * miles.measure_factor == pytest.approx(8046.72)
    assert (km.value or 0) * km.measure_factor == 8000


def test_magnitudes_and_hurricane_categories_are_their_own_scales(nlp, settings) -> None:
    quake = one("A magnitude 6.1 quake struck the region.", "6.1", nlp, settings)
    assert (quake.kind, quake.unit, quake.value) == ("measure", "magnitude", 6.1)
    storm = one("Maria made landfall as a Category 4 hurricane.", "4", nlp, settings)
    assert (storm.kind, storm.measure) == ("measure", "Saffir-Simpson category")


@pytest.mark.parametrize(
    "text",
    ["Militants fired a 120mm mortar at the base.", "The army used 155 mm shells."],
)
def test_calibres_are_not_measurements(nlp, settings, text) -> None:
    assert claims_of(text, nlp, settings) == []


# -- durations in days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "value", "low", "high", "unit", "factor"),
    [
        ("The boys were trapped for almost two weeks.", "almost two weeks", 2, 1.8, 2, "week", 7.0),
        ("The search went on for more than a fortnight.", "more than a fortnight", 1, 1, None, "fortnight", 14.0),
        ("It caps a week of uncertainty at the company.", "a week", 1, 1, 1, "week", 7.0),
        ("The mission lasted 25 days, 10 hours and 54 minutes.", "25 days, 10 hours and 54 minutes",
         25.454166666667, 25.454166666667, 25.454166666667, "day", 1.0),
    ],
)  # fmt: skip
def test_a_duration_is_stated_in_its_unit_and_measured_in_days(
    nlp, settings, text, span, value, low, high, unit, factor
) -> None:
    c = one(text, span, nlp, settings)
    assert (c.kind, c.unit, c.measure, c.measure_factor) == ("duration", unit, "day", factor)
    assert (c.value, c.low) == (pytest.approx(value), pytest.approx(low))
    assert c.high == (None if high is None else pytest.approx(high))


def test_a_rate_per_unit_of_time_is_no_duration(nlp, settings) -> None:
    spans = [c.span for c in claims_of("He earns £775,477 a week.", nlp, settings)]
    assert spans == ["£775,477"]


def test_an_age_in_apposition_is_a_duration_in_years(nlp, settings) -> None:
    c = one("The diver, Saman Kunan, 38, died on Friday.", "38", nlp, settings)
    assert (c.kind, c.unit, c.value, c.measure_factor) == ("duration", "year", 38, 365.25)


# -- event dates ----------------------------------------------------------------------------


def test_the_date_of_an_event_is_a_claim_with_its_own_precision(nlp, settings) -> None:
    day = one("Hurricane Maria struck Puerto Rico on Sept. 20.", "Sept. 20", nlp, settings)
    assert (day.kind, day.unit, day.as_of_start, day.as_of_end) == (
        "date", "day", date(2022, 9, 20), date(2022, 9, 20)
    )  # fmt: skip
    assert day.value == day.low == day.high == days(date(2022, 9, 20))
    month = one("A refurbishment of the tower was finished in May 2016.", "May 2016", nlp, settings)
    assert (month.unit, month.as_of_start, month.as_of_end) == (
        "month", date(2016, 5, 1), date(2016, 5, 31)
    )  # fmt: skip
    year = one("Grenfell Tower was built in 1974.", "1974", nlp, settings)
    assert (year.unit, year.low, year.high) == (
        "year",
        days(date(1974, 1, 1)),
        days(date(1974, 12, 31)),
    )


def test_two_outlets_dating_one_summit_differently_give_two_date_claims(nlp, settings) -> None:
    a = one("The summit was held on 12 March in Brussels.", "12 March", nlp, settings)
    b = one("The summit was held on 21 March in Brussels.", "21 March", nlp, settings)
    assert (a.measure, b.measure) == ("date", "date")
    assert a.high is not None and b.low is not None and a.high < b.low


def test_a_record_since_a_year_is_a_date_claim(nlp, settings) -> None:
    c = one(
        "Inflation hit 9.4%, its highest rate since February 1982.", "February 1982", nlp, settings
    )
    assert (c.kind, c.as_of_start) == ("date", date(1982, 2, 1))


@pytest.mark.parametrize(
    "text",
    [
        "LONDON, June 24 (Reuters) - Britain voted to leave the European Union.",
        "Police said on August 28 that the toll had risen.",
        "By Aug. 1 the toll had reached 1,603.",
        "Growth has been strong since 2014.",
    ],
)
def test_a_date_that_only_dates_something_else_is_no_claim(nlp, settings, text) -> None:
    assert [c for c in claims_of(text, nlp, settings) if c.kind == "date"] == []


def test_a_planned_date_is_projected(nlp, settings) -> None:
    c = one("The transaction is expected to close in 2022.", "2022", nlp, settings)
    assert (c.kind, c.stance) == ("date", "projected")


# -- changes and levels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "change"),
    [
        ("Three more bodies were found on Saturday.", "Three more bodies", "change"),
        ("Another 2,500 people were evacuated.", "2,500 people", "change"),
        ("The death toll has risen to 40.", "40", "new_level"),
        ("Beirut Death Toll Rises To 137", "137", "new_level"),
        ("The toll has gone up to 34.", "34", "new_level"),
        ("The Bank lifted its key rate by 0.5% to 1.75%.", "0.5%", "change"),
        ("The Bank lifted its key rate by 0.5% to 1.75%.", "1.75%", "new_level"),
        ("Sterling was down 6% against the dollar.", "6%", "change"),
        ("Police said 58 people died in the fire.", "58 people", "level"),
    ],
)
def test_a_change_is_told_from_a_level(nlp, settings, text, span, change) -> None:
    assert one(text, span, nlp, settings).change == change


def test_a_change_is_never_read_as_a_total(nlp, settings) -> None:
    c = one("Rescuers pulled another 700 from the rubble.", "700", nlp, settings)
    assert (c.change, c.value) == ("change", 700)


# -- revisions, denials, projections, conditions ---------------------------------------------


def test_a_revision_keeps_the_figure_it_replaces(nlp, settings) -> None:
    c = one("The toll was revised down to 85 from 88.", "85", nlp, settings)
    assert (c.stance, c.revises, c.change) == ("revised", 88, "new_level")


def test_a_denied_figure_is_marked_denied(nlp, settings) -> None:
    c = one("The ministry denied reports of 5,000 dead.", "5,000 dead", nlp, settings)
    assert c.stance == "denied"


@pytest.mark.parametrize(
    ("text", "span", "stance"),
    [
        ("The number of dead could reach 100.", "100", "projected"),
        ("Containing it will cost at least $490 million.", "at least $490 million", "projected"),
        (
            "If 5,000 people were evacuated, the camps would overflow.",
            "5,000 people",
            "hypothetical",
        ),
        ("Officials said 5,000 people were evacuated.", "5,000 people", "asserted"),
        # Pragativadi: in British and Indian English "poll" is also the vote itself.
        (
            "Lok Sabha poll turnout of 67.11 percent is the highest on record",
            "67.11 percent",
            "asserted",
        ),
        ("The exit poll gives the NDA 49 percent of the vote.", "49 percent", "projected"),
    ],
)
def test_projections_and_conditions_are_not_assertions(nlp, settings, text, span, stance) -> None:
    assert one(text, span, nlp, settings).stance == stance


# -- text shape: headlines, appositions, digit groups --------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "unit"),
    [
        ("London fire: 12 dead at Grenfell Tower", "12 dead", "dead"),
        ("21 still missing, ministry says", "21 still missing", "missing"),
        ("5,000 Troops Deployed To The Border", "5,000 Troops", "troop"),
        ("Around 2,975 died in Puerto Rico after the storm.", "Around 2,975", "people"),
        ("Paradise, a town of 27,000, burned.", "27,000", "people"),
    ],
)
def test_headline_and_elided_counts_find_what_they_count(nlp, settings, text, span, unit) -> None:
    c = one(text, span, nlp, settings)
    assert (c.kind, c.unit) == ("count", unit)


def test_a_count_in_a_partitive_apposition_is_a_claim(nlp, settings) -> None:
    text = "NHS England says 78 people are being treated, 18 of them in critical care."
    assert one(text, "18", nlp, settings).value == 18


@pytest.mark.parametrize(
    "text", ["12 345 houses were damaged.", "12\u202f345 houses were damaged."]
)
def test_digits_grouped_with_spaces_are_one_number(nlp, settings, text) -> None:
    c = claims_of(text, nlp, settings)[0]
    assert (c.value, c.unit) == (12345, "house")


def test_vote_tallies_after_a_name_are_counts_not_labels(nlp, settings) -> None:
    text = "Swindon counted its votes: Leave 61,745 (54.7%) and Remain 51,220 (45.3%)."
    spans = {c.span for c in claims_of(text, nlp, settings)}
    assert {"61,745", "51,220", "54.7%", "45.3%"} <= spans


# -- not claims -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Macron topped the first round of the election.",
        "Most bodies came from the third and fourth floors.",
        "His buddy tried to administer first aid.",
        "NASA's rocket is due to fly for the first time next week.",
        "Speaking outside 10 Downing Street, he said he would go.",
        "A casualty bureau is open on 0800 0961 233.",
        "Names from 911 calls were added to the list.",
        "Another 2,503 people who had at one time been reported missing were found.",
        "The Artemis 1 capsule hit the water.",
        "The lounge is one big open space.",
        "Several media reports said the toll was higher.",
    ],
)
def test_designations_idioms_and_agents_are_no_figures(nlp, settings, text) -> None:
    spans = [c.span for c in claims_of(text, nlp, settings)]
    assert all(
        not any(
            w in s.lower() for w in ("first", "third", "10", "0800", "911", "one", "1 ", "several")
        )
        for s in spans
    ), spans


# -- money: ISO 4217 names, symbols and minor units from Babel ------------------------------


@pytest.mark.parametrize(
    ("text", "span", "value", "currency"),
    [
        ("an exchange rate of 4,000 Lebanese pounds to the dollar", "4,000 Lebanese pounds", 4000, "LBP"),
        ("tickets cost 1,000 Egyptian pounds", "1,000 Egyptian pounds", 1000, "EGP"),
        ("a meal costs Rp 15,000 in Jakarta", "Rp 15,000", 15000, "IDR"),
        ("fined RM 200 by the court", "RM 200", 200, "MYR"),
        ("paid 5,000 Thai baht", "5,000 Thai baht", 5000, "THB"),
        ("the bill came to 2 EUR 50 cents", "2 EUR 50 cents", 2.5, "EUR"),
        ("it costs $5 and 20 cents", "$5 and 20 cents", 5.2, "USD"),
        ("a stamp at 50¢", "50¢", 0.5, "USD"),
        ("petrol now costs 161.8p a litre", "161.8p", 1.618, "GBP"),
        ("it sold for a dollar", "a dollar", 1, "USD"),
        ("a salary of just under £3million a month", "just under £3million", 3e6, "GBP"),
    ],
)  # fmt: skip
def test_money_is_read_in_its_iso_currency(text, span, value, currency) -> None:
    found = [m for m in find_numbers(text) if m.text == span]
    assert found, [m.text for m in find_numbers(text)]
    assert (found[0].value, found[0].currency) == (pytest.approx(value), currency)


@pytest.mark.parametrize("text", ["FC Barcelona 3", "ALL 5 victims", "TOP 10 stories", "KM 12"])
def test_codes_and_symbols_that_are_words_are_no_currency(text) -> None:
    assert all(m.currency is None for m in find_numbers(text))


def test_an_abbreviation_with_dots_is_no_scale(nlp, settings) -> None:
    c = one("The shelter is 2 k.m. away from the camp.", "2 k.m", nlp, settings)
    assert (c.value, c.unit, c.measure) == (2, "km", "metre")


def test_half_a_unit_of_time_is_a_duration_not_a_percentage(nlp, settings) -> None:
    c = one(
        "Britain left after nearly half a century as a member.",
        "nearly half a century",
        nlp,
        settings,
    )
    assert (c.kind, c.unit, c.value, c.low, c.high) == ("duration", "century", 0.5, 0.45, 0.5)
    assert [x.kind for x in claims_of("Half a century ago, rockets flew.", nlp, settings)] == [
        "duration"
    ]


@pytest.mark.parametrize(
    ("text", "claimed"),
    [
        ("The official would not comment on the gap between the two sets of figures.", False),
        ("Macron and Le Pen, the two leading candidates, will meet.", False),
        ("Ebola hit the four countries caught up in the worst outbreak.", True),
        ("Officials met the three West African countries.", True),
    ],
)
def test_a_small_number_after_the_counts_only_a_set_its_words_define(
    nlp, settings, text, claimed
) -> None:
    assert bool(claims_of(text, nlp, settings)) is claimed
