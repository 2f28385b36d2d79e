"""claims.extract.numbers: finding number expressions in news text, their values and intervals."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.extract.numbers import (
    NumberMention,
    find_numbers,
    interval,
    parse_number,
    rounding_tolerance,
)
from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
INF = None  # an unbounded side


def mention(sentence: str, span: str) -> NumberMention:
    """The mention of ``sentence`` whose text is ``span``; fails listing what was found."""
    found = find_numbers(sentence)
    for m in found:
        if m.text == span:
            return m
    raise AssertionError(f"{span!r} not found in {sentence!r}: {[m.text for m in found]}")


def same(a: float | None, b: float | None) -> bool:
    return a is b if a is None or b is None else math.isclose(a, b, rel_tol=1e-9)


# (sentence, span, value, low, high, low_inclusive, high_inclusive, form, currency, qualifier)
# fmt: off
CASES = [
    # qualifiers before the number: the CLAIMS.md table
    ("Russia's war has claimed more than 14,000 Ukrainian lives.", "more than 14,000", 14000, 14000, INF, False, True, "number", None, "more than"),
    ("The alliance brought together over 50 allied nations.", "over 50", 50, 50, INF, False, True, "number", None, "over"),
    ("Washington unveiled a package exceeding $2.3 billion.", "exceeding $2.3 billion", 2.3e9, 2.3e9, INF, False, True, "money", "USD", "exceeding"),
    ("Temperatures stayed above 30 degrees.", "above 30", 30, 30, INF, False, True, "number", None, "above"),
    ("Losses were in excess of $500 million.", "in excess of $500 million", 5e8, 5e8, INF, False, True, "money", "USD", "in excess of"),
    ("Upwards of 1,000 people gathered in the square.", "Upwards of 1,000", 1000, 1000, INF, False, True, "number", None, "Upwards of"),
    ("At least 50 people were killed in the strike.", "At least 50", 50, 50, INF, True, True, "number", None, "At least"),
    ("No fewer than 30 vessels were seized.", "No fewer than 30", 30, 30, INF, True, True, "number", None, "No fewer than"),
    ("Less than 1% of the budget goes to defence.", "Less than 1%", 1, 0, 1, True, False, "percent", None, "Less than"),
    ("Children under 18 were evacuated first.", "under 18", 18, 0, 18, True, False, "number", None, "under"),
    ("Fewer than 100 soldiers remain in the town.", "Fewer than 100", 100, 0, 100, True, False, "number", None, "Fewer than"),
    ("Growth fell below 2 percent.", "below 2 percent", 2, 0, 2, True, False, "percent", None, "below"),
    ("Nissan plans to cut up to 700 contract workers.", "up to 700", 700, 0, 700, True, True, "number", None, "up to"),
    ("As many as 40 missiles were fired overnight.", "As many as 40", 40, 0, 40, True, True, "number", None, "As many as"),
    ("The talks will last at most 12 days.", "at most 12", 12, 0, 12, True, True, "number", None, "at most"),
    ("No more than 5,000 people may attend.", "No more than 5,000", 5000, 0, 5000, True, True, "number", None, "No more than"),
    ("Nearly 50 allies and partners will gather there.", "Nearly 50", 50, 45, 50, True, False, "number", None, "Nearly"),
    ("The shelling killed almost 200 civilians.", "almost 200", 200, 180, 200, True, False, "number", None, "almost"),
    ("Just under 40% of voters backed him.", "Just under 40%", 40, 36, 40, True, False, "percent", None, "Just under"),
    ("The fund is now close to $1 billion.", "close to $1 billion", 1e9, 9e8, 1e9, True, False, "money", "USD", "close to"),
    ("About 300 troops remain near the border.", "About 300", 300, 270, 330, True, True, "number", None, "About"),
    ("Shelling damaged around 1,200 homes.", "around 1,200", 1200, 1080, 1320, True, True, "number", None, "around"),
    ("Moscow amassed some 100,000 troops along the border.", "some 100,000", 100000, 90000, 110000, True, True, "number", None, "some"),
    ("approximately 3.5 million people fled", "approximately 3.5 million", 3.5e6, 3.15e6, 3.85e6, True, True, "number", None, "approximately"),
    ("Prices rose by roughly 20 percent.", "roughly 20 percent", 20, 18, 22, True, True, "percent", None, "roughly"),
    ("An estimated 10,000 protesters marched.", "An estimated 10,000", 10000, 9000, 11000, True, True, "number", None, "An estimated"),
    ("Kyiv says it downed ~500 drones.", "~500", 500, 450, 550, True, True, "number", None, "~"),
    ("The agency received just over 2,000 applications.", "just over 2,000", 2000, 2000, 2200, False, True, "number", None, "just over"),
    # qualifiers after the number
    ("The pact covers 50 or more countries.", "50 or more", 50, 50, INF, True, True, "number", None, "or more"),
    ("Families of five or fewer qualify.", "five or fewer", 5, 0, 5, True, True, "number", None, "or fewer"),
    # exact figures assert [X, X]; rounding is applied when comparing (rounding_tolerance)
    ("The US also announced a new USD 60 million security assistance package.", "USD 60 million", 6e7, 6e7, 6e7, True, True, "money", "USD", None),
    ("US Announces $2.3 Billion Security Assistance Package for Ukraine", "$2.3 Billion", 2.3e9, 2.3e9, 2.3e9, True, True, "money", "USD", None),
    ("The strategy launched the development of 15 drafts.", "15", 15, 15, 15, True, True, "number", None, None),
    ("Seven soldiers were wounded.", "Seven", 7, 7, 7, True, True, "number", None, None),
    ("Twenty-five villages lost power.", "Twenty-five", 25, 25, 25, True, True, "number", None, None),
    ("It delivered one hundred and forty tanks.", "one hundred and forty", 140, 140, 140, True, True, "number", None, None),
    ("The population is 1 414 021 100.", "1 414 021 100", 1414021100, 1414021100, 1414021100, True, True, "number", None, None),
    ("The scheme costs 1,50,000 rupees.", "1,50,000 rupees", 150000, 150000, 150000, True, True, "money", "INR", None),
    ("Nearly half a million refugees crossed.", "Nearly half a million", 5e5, 4.5e5, 5e5, True, False, "number", None, "Nearly"),
    ("A dozen countries signed.", "A dozen", 12, 12, 12, True, True, "number", None, None),
    ("A hundred villages were cut off.", "A hundred", 100, 100, 100, True, True, "number", None, None),
    ("They signed a seven-year extension of the Agreement.", "seven-year", 7, 7, 7, True, True, "number", None, None),
    # ranges: [X, Y], scale and currency distribute
    ("Russia deployed between 5 and 7 million rounds.", "between 5 and 7 million", None, 5e6, 7e6, True, True, "range", None, "between"),
    ("Congress weighs a $5-7 billion package.", "$5-7 billion", None, 5e9, 7e9, True, True, "range", "USD", None),
    ("Kyiv asked for 10–15 more batteries.", "10–15", None, 10, 15, True, True, "range", None, None),
    ("Officials expect from 200 to 300 soldiers.", "from 200 to 300", None, 200, 300, True, True, "range", None, "from"),
    ("The repairs will take 2 to 3 weeks.", "2 to 3", None, 2, 3, True, True, "range", None, None),
    ("Tariffs of 10-20% were discussed.", "10-20%", None, 10, 20, True, True, "range", None, None),
    # a one-sided hedge on a range bounds both ends; an approximate one is the range itself
    ("Up to 10,000 to 15,000 troops could be deployed.", "Up to 10,000 to 15,000", None, 0, 15000, True, True, "range", None, "Up to"),
    ("As many as 10,000-15,000 troops could be deployed.", "As many as 10,000-15,000", None, 0, 15000, True, True, "range", None, "As many as"),
    ("Fewer than 5-6 people were hurt.", "Fewer than 5-6", None, 0, 6, True, False, "range", None, "Fewer than"),
    ("More than 10 to 15 percent of the budget went to defence.", "More than 10 to 15 percent", None, 10, INF, False, True, "range", None, "More than"),
    ("Officials counted about 10-15 tanks.", "10-15", None, 10, 15, True, True, "range", None, None),
    # vague amounts (qualifier is the vague wording as written)
    ("But tens of thousands of troops remain in Crimea.", "tens of thousands", None, 20000, 99999, True, True, "vague", None, "tens of thousands"),
    ("Hundreds of thousands of refugees fled west.", "Hundreds of thousands", None, 200000, 999999, True, True, "vague", None, "Hundreds of thousands"),
    ("Dozens of drones hit the city.", "Dozens", None, 24, 99, True, True, "vague", None, "Dozens"),
    ("We have launched hundreds of new businesses.", "hundreds", None, 200, 999, True, True, "vague", None, "hundreds"),
    ("Thousands of homes lost power.", "Thousands", None, 2000, 9999, True, True, "vague", None, "Thousands"),
    ("The war displaced millions of people.", "millions", None, 2e6, 999e6, True, True, "vague", None, "millions"),
    ("Fighting resumed a few days later.", "a few", None, 2, 4, True, True, "vague", None, "a few"),
    ("Several towns were shelled.", "Several", None, 3, 9, True, True, "vague", None, "Several"),
    ("Only a handful of tanks arrived.", "a handful of", None, 2, 5, True, True, "vague", None, "a handful of"),
    ("A few hundred people protested.", "A few hundred", None, 200, 400, True, True, "vague", None, "A few hundred"),
    ("Several thousand troops withdrew.", "Several thousand", None, 3000, 9000, True, True, "vague", None, "Several thousand"),
    # percentages
    ("Inflation hit 3.5% in May.", "3.5%", 3.5, 3.5, 3.5, True, True, "percent", None, None),
    ("Turnout was 40 percent.", "40 percent", 40, 40, 40, True, True, "percent", None, None),
    ("Unemployment stands at 12 per cent.", "12 per cent", 12, 12, 12, True, True, "percent", None, None),
    ("The bank made a 0.25 percentage point cut.", "0.25 percentage point", 0.25, 0.25, 0.25, True, True, "percentage_point", None, None),
    # ordinals
    ("The meeting is the 24th iteration of the coalition.", "24th", 24, 24, 24, True, True, "ordinal", None, None),
    ("The 1st Brigade moved north.", "1st", 1, 1, 1, True, True, "ordinal", None, None),
    ("It was the eighth round of talks.", "eighth", 8, 8, 8, True, True, "ordinal", None, None),
    ("a threat of the twenty-first century", "twenty-first", 21, 21, 21, True, True, "ordinal", None, None),
    # money and scales
    ("The IMF approved US$5m in aid.", "US$5m", 5e6, 5e6, 5e6, True, True, "money", "USD", None),
    ("The EU pledged €1.2bn.", "€1.2bn", 1.2e9, 1.2e9, 1.2e9, True, True, "money", "EUR", None),
    # 'm' before a currency word is million (BBC Sport, Neymar's release clause)
    ("Nothing less than his 222m euro (£198m) fee will do.", "222m euro", 2.22e8, 2.22e8, 2.22e8, True, True, "money", "EUR", None),
    ("The house sold for £300,000.", "£300,000", 3e5, 3e5, 3e5, True, True, "money", "GBP", None),
    ("Kyiv allocated 1.5 billion hryvnias for drones.", "1.5 billion hryvnias", 1.5e9, 1.5e9, 1.5e9, True, True, "money", "UAH", None),
    ("The budget adds UAH 2 billion for shelters.", "UAH 2 billion", 2e9, 2e9, 2e9, True, True, "money", "UAH", None),
    ("Moscow spent 10 billion rubles.", "10 billion rubles", 1e10, 1e10, 1e10, True, True, "money", "RUB", None),
    ("Oil revenue fell by 2 trillion roubles.", "2 trillion roubles", 2e12, 2e12, 2e12, True, True, "money", "RUB", None),
    ("The state will invest Rs 1,500 crore.", "Rs 1,500 crore", 1.5e10, 1.5e10, 1.5e10, True, True, "money", "INR", None),
    ("Debt reached $1.2tn.", "$1.2tn", 1.2e12, 1.2e12, 1.2e12, True, True, "money", "USD", None),
    ("Fares rose by 50 cents.", "50 cents", 0.5, 0.5, 0.5, True, True, "money", "USD", None),
    ("The race drew 10k runners.", "10k", 1e4, 1e4, 1e4, True, True, "number", None, None),
    ("About 60m people watched.", "About 60m", 6e7, 5.4e7, 6.6e7, True, True, "number", None, "About"),
    # fractions and multipliers
    ("A two-thirds majority is needed.", "two-thirds", 2 / 3, 2 / 3, 2 / 3, True, True, "fraction", None, None),
    ("More than half of the 1,200 respondents agreed.", "More than half", 0.5, 0.5, INF, False, True, "fraction", None, "More than"),
    ("About one in five Americans owns a gun.", "About one in five", 0.2, 0.18, 0.22, True, True, "fraction", None, "About"),
    ("Russia fired twice as many shells.", "twice", 2, 2, 2, True, True, "multiplier", None, None),
    # a Markdown heading's '#' is no 'number' sign (bench/news, kanjuruhan-2022)
    ("# 127 People Killed In Indonesia Football Fan Riot", "127", 127, 127, 127, True, True, "number", None, None),
    # a scale hyphenated into a modifier (North American style, from bench/news)
    ("Britain will not allow its $69-billion takeover of Activision.", "$69-billion", 69e9, 69e9, 69e9, True, True, "money", "USD", None),
    ("He signed a 10-million-dollar contract.", "10-million-dollar", 1e7, 1e7, 1e7, True, True, "money", "USD", None),
    ("a 1.2-million-strong army", "1.2-million", 1.2e6, 1.2e6, 1.2e6, True, True, "number", None, None),
    # years: a bare year is a year, for the extractor to decide what it dates
    ("The agreement was signed in 1993.", "1993", 1993, 1993, 1993, True, True, "year", None, None),
    ("Aid has grown since 2014.", "2014", 2014, 2014, 2014, True, True, "year", None, None),
    ("Violence peaked in the 1990s.", "1990s", 1990, 1990, 1999, True, True, "year", None, None),
]
# fmt: on


@pytest.mark.parametrize(
    (
        "sentence",
        "span",
        "value",
        "low",
        "high",
        "low_inc",
        "high_inc",
        "form",
        "currency",
        "qualifier",
    ),
    CASES,
    ids=[c[1] for c in CASES],
)
def test_it_reads_value_interval_form_and_currency(
    sentence, span, value, low, high, low_inc, high_inc, form, currency, qualifier
):
    m = mention(sentence, span)
    assert sentence[m.start : m.end] == m.text == span
    assert same(m.value, value), m
    assert same(m.low, low) and same(m.high, high), m
    assert (m.low_inclusive, m.high_inclusive) == (low_inc, high_inc), m
    assert (m.form, m.currency, m.qualifier) == (form, currency, qualifier), m


@pytest.mark.parametrize(
    ("sentence", "span", "numeral"),
    [
        (
            "announced a new USD 60 million security assistance package",
            "USD 60 million",
            "60 million",
        ),
        ("has claimed more than 14,000 Ukrainian lives", "more than 14,000", "14,000"),
        ("The EU pledged €1.2bn.", "€1.2bn", "1.2bn"),
        ("Tariffs of 10-20% were discussed.", "10-20%", "10-20"),
    ],
)
def test_number_offsets_cover_the_numeral_only(sentence, span, numeral):
    m = mention(sentence, span)
    assert sentence[m.number_start : m.number_end] == numeral


@pytest.mark.parametrize(
    ("sentence", "span", "suffix", "value"),
    [
        ("They agreed a seven-year extension.", "seven-year", "year", 7),
        ("The 40-day siege ended.", "40-day", "day", 40),
        ("Troops advanced along a 10km front.", "10km", "km", 10),
        ("A 28-year-old man was detained.", "28-year-old", "year-old", 28),
        ("The 100m sprint was won in 9.9 seconds.", "100m", "m", 100),
    ],
)
def test_a_glued_unit_becomes_the_unit_suffix(sentence, span, suffix, value):
    m = mention(sentence, span)
    assert (m.unit_suffix, m.value) == (suffix, value)


@pytest.mark.parametrize(
    "sentence",
    [
        "maintaining a secure 24/7 communications link",
        "approved by Presidential Decree № 392 of the same day",
        "under No. 392 of the register",
        "endorsed by UN Security Council Resolution 2202",
        "invoking Article 5 of the treaty",
        "Kyiv wants F-16 fighter jets",
        "Su-30 and MiG-29 aircraft",
        "Russia's S-400 systems",
        "the COVID-19 pandemic",
        "the G7 summit",
        "updated at 19:59",
        "the briefing at 7:30 a.m.",
        "the curfew starts at 10 pm",
        "call +380 44 123 4567 for help",
        "published on September 14, 2020",
        "published on 23 December 2020",
        "date 2021-09-02 Washington",
        "one of the soldiers was hurt",
        "no one was hurt",
        "they helped one another",
        "the Group of Seven nations",
        "a 5G network",
        "in the first half of the season",
        "First, we must stop the war.",
        'the exercise "Joint Efforts - 2020"',
        "Arsenal won 3-1 on Sunday.",
        "a one-off payment",
        "It was a tough year, an awful one.",
        "The president met his counterpart.",
        "The war has lasted a year and a half.",
        "The talks ran for an hour and a half.",
    ],
)
def test_it_finds_no_quantity_in_identifiers_dates_times_and_idioms(sentence):
    assert find_numbers(sentence) == []


def test_a_change_from_one_figure_to_another_is_two_figures_not_a_range():
    found = find_numbers("Inflation rose from 5% to 7% in March.")
    assert [(m.text, m.form) for m in found] == [("5%", "percent"), ("7%", "percent")]


def test_a_vote_tally_is_two_figures_and_a_match_score_none():
    """AP's 'voted 314-117' and Reuters' 'a slim 222-213 majority' give each side's count;
    'won 3-1' stays a score."""
    found = find_numbers("The House voted 314-117 to send the bill to the Senate.")
    assert [m.value for m in found] == [314, 117]
    assert [m.value for m in find_numbers("Republicans hold a slim 222-213 majority.")] == [
        222,
        213,
    ]
    assert find_numbers("Argentina beat France 4-2 on penalties.") == []


def test_a_year_inside_a_date_is_not_a_mention_but_a_bare_year_is():
    found = find_numbers("Decree № 392 of September 14, 2020 launched work for 2021.")
    assert [(m.text, m.form) for m in found] == [("2021", "year")]


def test_a_round_four_digit_count_before_a_plural_noun_is_not_a_year():
    found = find_numbers("About 2000 troops and 1550 people left in 2014.")
    assert [(m.text, m.form) for m in found] == [
        ("About 2000", "number"),
        ("1550", "number"),
        ("2014", "year"),
    ]


def test_over_with_a_span_of_time_is_not_more_than():
    assert mention("Prices doubled over 3 years.", "3").qualifier is None
    assert mention("The siege lasted for over 30 days.", "over 30").qualifier == "over"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14,000", 14000), ("14 000", 14000), ("2.5 billion", 2.5e9), ("$1.2bn", 1.2e9),
        ("60m", 6e7), ("10k", 1e4), ("seven", 7), ("twenty-five", 25),
        ("one hundred and forty", 140), ("a dozen", 12), ("half", 0.5), ("a third", 1 / 3),
        ("three quarters", 0.75), ("twice", 2), ("24th", 24), ("eighth", 8),
        ("two and a half", 2.5), ("3/4", 0.75), ("½", 0.5), ("-3.5", -3.5),
        ("three lakh crore", 3e12), ("half a million", 5e5), ("3.5 Cr", 3.5e7), ("500 cr", 5e9),
    ],
)  # fmt: skip
def test_parse_number_reads_one_number(text, value):
    parsed = parse_number(text)
    assert parsed is not None and math.isclose(parsed, value, rel_tol=1e-9)


@pytest.mark.parametrize("text", ["hundreds", "a", "an", "the war", "", "between 5 and 7"])
def test_parse_number_is_none_for_what_is_not_one_number(text):
    assert parse_number(text) is None


def test_interval_factors_come_from_settings():
    wide = Settings(approx_low=0.8, approx_high=1.2, nearly_low=0.5, just_over_high=1.5)
    assert interval(100, "about", wide) == (80, 120, True, True)
    assert interval(100, "nearly", wide) == (50, 100, True, False)
    assert interval(100, "just over", wide) == (100, 150, False, True)
    assert interval(100, "More Than", wide) == (100, None, False, True)


def test_interval_widens_exact_figures_by_their_precision_only_when_asked():
    on, off = Settings(), Settings(rounding_tolerance=False)
    assert interval(14000, None, on) == (14000, 14000, True, True)
    assert interval(14000, None, on, precision_text="14,000") == (13500, 14500, True, True)
    assert interval(2.3e9, None, on, precision_text="$2.3 billion") == (2.25e9, 2.35e9, True, True)
    assert interval(14000, None, off, precision_text="14,000") == (14000, 14000, True, True)
    assert interval(14000, "more than", on, precision_text="14,000") == (14000, None, False, True)


@pytest.mark.parametrize(
    ("value", "text", "half"),
    [
        (14000, "more than 14,000 Ukrainian lives", 500),
        (2.3e9, "a $2.3 billion package", 5e7),
        (6e7, "a new USD 60 million package", 5e6),
        (15, "15 drafts", 0.5),
        (7, "a seven-year extension", 0.5),
        (12.5, "12.5%", 0.05),
        (24, "the 24th iteration", 0),
        (1993, "signed in 1993", 0),
        (99, "no such number here", 0),
    ],
)
def test_rounding_tolerance_is_half_a_unit_of_the_last_significant_digit(value, text, half):
    assert math.isclose(rounding_tolerance(value, text), half, abs_tol=1e-12)


# -- properties -----------------------------------------------------------------------------------

_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def to_words(n: int, british: bool = False) -> str:
    """English words for 0 <= n < 10**12 ('one hundred and forty-two thousand ...')."""
    if n < 20:
        return _UNITS[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _UNITS[n % 10])
    if n < 1000:
        rest = n % 100
        head = _UNITS[n // 100] + " hundred"
        return head if rest == 0 else head + (" and " if british else " ") + to_words(rest)
    for scale, name in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand")):
        if n >= scale:
            count, rest = divmod(n, scale)
            words = to_words(count, british) + " " + name
            if rest:
                words += (" and " if british and rest < 100 else " ") + to_words(rest, british)
            return words
    raise AssertionError(n)


@given(st.integers(min_value=-(10**12), max_value=10**15))
def test_integers_written_in_digits_parse_back(n):
    assert parse_number(str(n)) == n


@given(st.integers(min_value=1000, max_value=10**15))
def test_integers_with_thousands_separators_parse_back(n):
    assert parse_number(f"{n:,}") == n


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=9),
    st.sampled_from([("thousand", 1e3), ("million", 1e6), ("billion", 1e9), ("trillion", 1e12)]),
)
def test_numbers_with_a_scale_word_parse_back(whole, tenth, scale):
    word, factor = scale
    parsed = parse_number(f"{whole}.{tenth} {word}")
    assert parsed is not None and math.isclose(parsed, (whole + tenth / 10) * factor)


@given(st.integers(min_value=0, max_value=10**12 - 1), st.booleans())
def test_integers_written_in_words_parse_back(n, british):
    assert parse_number(to_words(n, british)) == n


_PIECES = st.sampled_from(
    [
        "more than", "some", "between", "and", "to", "-", "–", "$", "€", "USD", "million", "bn",
        "%", "percent", "one", "two", "twenty", "hundred", "thousand", "a", "half", "third",
        "first", "24th", "14,000", "2.5", "3/4", "24/7", "F-16", "in", "2014", "1990s", "of",
        "tens", "thousands", "dozen", "or more", "up to", "№", "392", "May", "7", ":", "30",
        "10km", "seven-year", "twice", "out of", "five", "½", ",", ".", "(", ")", "\n", "m",
    ]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=14), st.sampled_from([" ", ""]))
def test_find_numbers_never_raises_and_offsets_slice_the_text(pieces, sep):
    text = sep.join(pieces)
    found = find_numbers(text)
    previous_end = 0
    for m in found:
        assert text[m.start : m.end] == m.text
        assert m.start <= m.number_start <= m.number_end <= m.end
        assert m.start >= previous_end
        assert m.form in {
            "number", "money", "percent", "percentage_point", "ordinal", "range", "vague",
            "fraction", "multiplier", "year",
        }  # fmt: skip
        previous_end = m.end


@given(st.text(max_size=80))
def test_find_numbers_never_raises_on_arbitrary_unicode(text):
    for m in find_numbers(text):
        assert text[m.start : m.end] == m.text


# -- the gold annotation of the seed corpus -------------------------------------------------------


def _line_of(quote: str, file: str) -> tuple[str, int]:
    """The line of the seed text holding ``quote``, and where the quote starts in it."""
    text = (REPO / "seeds" / file).read_text(encoding="utf-8")
    for line in text.splitlines():
        if quote in line:
            return line, line.index(quote)
    raise AssertionError(f"{quote!r} is not in {file}")


def test_every_gold_quantity_is_found_in_its_paragraph_with_gold_value_and_interval(gold):
    for claim in gold["quantity_claims"]:
        line, at = _line_of(claim["quote"], claim["file"])
        inside = [
            m for m in find_numbers(line) if at <= m.start and m.end <= at + len(claim["quote"])
        ]
        wanted = (claim["low"], claim["high"], claim["low_inclusive"], claim["high_inclusive"])
        hits = [
            m
            for m in inside
            if (m.low, m.high, m.low_inclusive, m.high_inclusive) == wanted
            and (m.value == claim["value"] if claim["value"] is not None else m.form == "vague")
        ]
        assert hits, f"{claim['id']}: {inside}"
        m = hits[0]
        assert (m.qualifier or "").lower() == (claim["qualifier"] or "").lower(), claim["id"]
        if claim["kind"] == "money":
            assert m.currency == claim["unit"], claim["id"]


# 'two fronts: One, that': 'two' counts the fronts, a genuine figure; 'One' is the list marker
# the gold file means, and it yields nothing.
ALLOWED_IN_NOT_QUANTITIES = {"two fronts: One, that": {"two"}}


def test_gold_non_quantities_yield_no_mention(gold):
    for item in gold["not_quantities"]:
        line, at = _line_of(item["quote"], item["file"])
        end = at + len(item["quote"])
        inside = {m.text for m in find_numbers(line) if m.start < end and at < m.end}
        assert inside <= ALLOWED_IN_NOT_QUANTITIES.get(item["quote"], set()), item["quote"]
