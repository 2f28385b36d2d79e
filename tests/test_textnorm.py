"""Text normalisation before reading: invisible controls out, hard-wrapped paragraphs joined.

Hypothesis checks the properties on generated text (nothing but the controls and the wrapped
line breaks changes; normalising twice changes nothing; every claim's offsets slice the stored
text); named cases check real shapes: wire copy wrapped at 70 characters, a markdown live blog,
and a number split by a right-to-left override.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from spacy.language import Language

from claims.extract import extract_document
from claims.ingest import ingest
from claims.models import Document
from claims.settings import Settings
from claims.textnorm import INVISIBLE, JOINERS, normalise, remove_invisible, unwrap

CONTROLS = [*INVISIBLE, *JOINERS]
WORDS = ["the", "toll", "rose", "to", "58", "12,000", "people", "said", "police", "-", "—", "(c)"]
WORDS += ["# Title", "- item", "**11.10am**", "> quote", "| a | b |", "1.", "on", "Monday"]

piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(CONTROLS),
    st.sampled_from([" ", "\n", "\n\n", "  ", "\t", "\u00a0"]),
    st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=8),
)
texts = st.lists(piece, max_size=60).map("".join)


def fuzz(examples: int) -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


def squeeze(text: str) -> str:
    """The text without whitespace and without the removable controls."""
    return re.sub(r"\s", "", "".join(c for c in text if c not in CONTROLS))


@fuzz(400)
@given(texts)
def test_normalising_keeps_every_visible_character_in_order(text: str) -> None:
    """Only invisible controls and line breaks inside wrapped paragraphs change."""
    out, _ = normalise(text)
    assert squeeze(out) == squeeze(text)
    assert not any(c in out for c in INVISIBLE)


@fuzz(300)
@given(texts)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once, _ = normalise(text)
    twice, warnings = normalise(once)
    assert twice == once
    assert warnings == []


@fuzz(300)
@given(texts)
def test_a_warning_is_recorded_exactly_when_the_text_changed(text: str) -> None:
    out, warnings = normalise(text)
    assert bool(warnings) == (out != text)


def test_a_right_to_left_override_inside_a_number_is_removed_and_recorded() -> None:
    text, removed = remove_invisible("12\u202e000 houses and 5\u200b000 tents")
    assert text == "12000 houses and 5000 tents"
    assert removed == {"\u202e": 1, "\u200b": 1}
    _, warnings = normalise("12\u202e000 houses")
    assert warnings == ["removed 1 invisible characters (U+202E RIGHT-TO-LEFT OVERRIDE x1)"]


def test_a_joiner_inside_an_emoji_sequence_stays() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert remove_invisible(family)[0] == family


WIRE = """LONDON - Police have confirmed what families looking for survivors of the Grenfell Tower \
disaster dreaded most: the 58 people missing since the fire are now assumed to be dead.

Metropolitan Police Commander Stuart Cundy said that on top of the 30 bodies located, a \
further 28 people were also believed to have died. He was heckled by onlookers as he spoke \
outside a church in Notting Hill close to the tower."""


def test_wire_copy_wrapped_at_seventy_characters_is_read_as_paragraphs() -> None:
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in WIRE.split("\n\n"))
    assert wrapped.count("\n") > 4
    out, warnings = normalise(wrapped)
    assert out == WIRE
    assert warnings == [
        f"joined {wrapped.count(chr(10)) - 2} hard-wrapped line breaks into paragraphs"
    ]


def test_a_hyphen_at_a_wrap_joins_the_word_again() -> None:
    line = "The fire tore through the tower block in the early hours, and the 24-"
    text = f"{line}\nstorey building was gutted by the morning, police said on Wednesday night.\n"
    text += "Another line follows here to make the paragraph wrapped like wire copy is.\n"
    text += "And a last short one."
    out, _ = unwrap(text)
    assert "24-storey" in out


def test_copy_wrapped_by_hand_is_joined_where_a_sentence_carries_on() -> None:
    """The Bangkok Post's AP copy, broken by hand short of the width: '291 passengers and' /
    '16 crew members' is one sentence, so the two counts are read as the parts of 307."""
    text = (
        "Airport spokesman Doug Yakel said one person among the 307 passengers\n"
        "and crew had still not been accounted for, and that 181 people had been\n"
        "taken to local hospitals. The flight carried 291 passengers and\n"
        "16 crew members.\n"
        "\n"
        "At San Francisco General Hospital, five of the crash victims were in\n"
        "critical condition, spokeswoman Rachael Kagan told reporters.\n"
        "\n"
        "Asiana crash: what we know\n"
        "The jet was flying from Seoul."
    )
    out, _ = unwrap(text)
    assert "carried 291 passengers and 16 crew members." in out
    assert "were in critical condition" in out
    # A line that ends its sentence, or a next line that opens one with a capital, keeps its
    # break: the headline stays a line of its own.
    assert "Asiana crash: what we know\nThe jet" in out


def test_markdown_lists_headings_and_short_lines_keep_their_breaks() -> None:
    page = (
        "# Grenfell Tower fire: 'unknown numbers' of dead still inside\n\n"
        "**Key points, Thursday 15 June**\n\n"
        "- The Metropolitan Police says at least 17 people have now died.\n"
        "- NHS England says 78 people are being treated in hospitals across London.\n"
        "- Crews were first called to Latimer Road at 12.54am on Wednesday.\n"
    )
    assert normalise(page) == (page, [])


def test_a_text_with_one_paragraph_per_line_is_not_joined() -> None:
    lines = [
        "The National Disaster Management Authority reported 119 deaths over the previous 24 "
        "hours, which took the toll to 1,033 since the monsoon began in mid-June.",
        "Officials said more than 33 million people had been affected by the floods.",
        "The government declared a state of emergency on August 26.",
    ]
    text = "\n".join(lines)
    assert normalise(text) == (text, [])


def test_ingest_stores_the_normalised_text_and_says_what_it_did(tmp_path: Path) -> None:
    wrapped = "\n\n".join(textwrap.fill(p, 68) for p in WIRE.split("\n\n"))
    (tmp_path / "wire.txt").write_text(
        "---\npublished: 2017-06-19\n---\n" + wrapped.replace("58", "5\u200b8"), encoding="utf-8"
    )
    [doc] = ingest([tmp_path], Settings()).documents
    assert doc.text == WIRE
    assert any("invisible" in w for w in doc.warnings)
    assert any("hard-wrapped" in w for w in doc.warnings)


def test_a_sentence_cut_by_a_wrap_keeps_its_attribution(nlp: Language, tmp_path: Path) -> None:
    """The figure and its speaker sit on different lines of the file, in one sentence."""
    wrapped = "\n\n".join(textwrap.fill(p, 60) for p in WIRE.split("\n\n"))
    (tmp_path / "wire.txt").write_text(wrapped, encoding="utf-8")
    [doc] = ingest([tmp_path], Settings()).documents
    claims = extract_document(doc, Settings(), nlp).claims
    further = next(c for c in claims if c.span.startswith("28"))
    assert further.attributed_to == "Stuart Cundy"
    assert further.change == "change"


@fuzz(60)
@given(texts)
def test_claims_of_a_normalised_text_slice_it_at_their_offsets(nlp: Language, text: str) -> None:
    stored, _ = normalise(text)
    if not stored.strip():
        return
    doc = Document.build(doc_id="x", source_path="x", text=stored)
    for c in extract_document(doc, Settings(), nlp).claims:
        assert stored[c.char_start : c.char_end] == c.span
