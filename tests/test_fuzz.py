"""Property-based tests: no input file or text makes ingest, extraction or number parsing crash,
and every offset a claim or fact stores slices the document text to exactly its stored text.

Hypothesis generates the inputs; the failing inputs it found are kept as ``@example``s so they
are re-run every time. ``max_examples`` keeps the file to well under a minute on two cores.
"""

from __future__ import annotations

import json
import math
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from spacy.language import Language

from claims.errors import InputError
from claims.extract import extract_document
from claims.extract.numbers import find_numbers, interval, parse_number, rounding_tolerance
from claims.ingest import MANIFEST_NAME, decode, ingest
from claims.models import Document, Extraction, FactClaim, QuantityClaim, Rejection
from claims.settings import Settings


def fuzz(examples: int) -> hypothesis_settings:
    """Bounded runs; no deadline, since the first example also pays for warming spaCy up."""
    return hypothesis_settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


# Pieces of news text that the number and fact rules react to, plus characters that tend to
# break offset arithmetic (NUL is the number masker's own blank, NBSP and NNBSP are spaces to
# str.strip but not to every regex, CR is a line break to splitlines but not to "\n" splits).
NEWS_WORDS = [
    "more than", "over", "about", "nearly", "almost", "some", "up to", "at least", "around",
    "roughly", "just under", "troops", "soldiers", "allies", "people", "lives", "tanks",
    "million", "billion", "thousand", "hundreds", "tens of thousands", "dozens", "per cent",
    "percent", "percentage points", "%", "$", "€", "£", "USD", "EUR", "bn", "m", "one", "two",
    "three", "twenty-five", "a third", "half", "twice", "first", "24th", "1990s", "2014",
    "2022", "5-7", "10–20", "between", "and", "to", "from", "of", "the", "The", "a", "Russia",
    "Ukraine", "NATO", "Crimea", "Kyiv", "annexed", "invaded", "signed", "sent", "met",
    "pledged", "said", "according to", "Reuters", "in", "on Friday", "last year", "since",
    "this year", "in April", "March 3, 2024", "14,000", "2.3", "100,000", "60m", "$1.2bn",
    "No.", "page", "Updated", "?", "!", ":", ";", '"', "“", "”", "'", "(", ")", "—", "–", "-",
]  # fmt: skip
ODD_CHARS = ["\n", "\n\n", "\x00", "\r", "\t", "\u00a0", "\u202f", "\u2009", "🙂", "👍🏽", "\ufeff"]
ALPHABET = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Z", "Cc"))

piece = st.one_of(
    st.sampled_from(NEWS_WORDS),
    st.sampled_from(ODD_CHARS),
    st.integers(-(10**6), 10**12).map(lambda n: f"{n:,}"),
    st.floats(0, 1e6, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.text(ALPHABET, max_size=6),
)
news_text = st.lists(piece, max_size=40).flatmap(
    lambda parts: st.lists(
        st.sampled_from([" ", " ", " ", "", ". ", ", ", "\n"]),
        min_size=len(parts),
        max_size=len(parts),
    ).map(lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True)))
)
any_text = st.one_of(news_text, st.text(ALPHABET, max_size=200), st.text(max_size=200))

yamlish = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.tuples(
            st.sampled_from(["id", "url", "title", "outlet", "published", "x", "? [a]", "- "]),
            st.one_of(
                st.text(ALPHABET, max_size=20),
                st.sampled_from(
                    [
                        "2024-03-01",
                        "0000-01-01",
                        "2024-13-45",
                        "2024-01-01 25:00:00",
                        "9999-12-31",
                        "[unclosed",
                        "{a: b}",
                        "!!python/object:os.system",
                        "*anchor",
                        "&a [*a]",
                        "javascript:alert(1)",
                        "1" * 5000,
                        "1e400",
                        "~",
                        "|",
                    ]
                ),
            ),
        ),
        max_size=6,
    ).map(lambda kv: "\n".join(f"{k}: {v}" for k, v in kv)),
)
front_matter_file = st.tuples(yamlish, news_text, st.sampled_from(["\n", "\r\n", "\r"])).map(
    lambda t: f"---{t[2]}{t[0]}{t[2]}---{t[2]}{t[1]}".encode(errors="surrogatepass")
)

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
jsonl_record = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(news_text, json_value),
        "id": json_value,
        "published": st.one_of(json_value, st.sampled_from(["2024-02-30", "Z", "2023-05-01"])),
        "title": json_value,
        "url": json_value,
        "outlet": json_value,
    },
)
jsonl_line = st.one_of(
    jsonl_record.map(lambda r: json.dumps(r, allow_nan=True)),
    json_value.map(json.dumps),
    st.text(max_size=60),
    st.sampled_from(
        [
            '{"text": "lone \\ud800 surrogate with 5 troops"}',
            '{"text": "a paired \\ud83d\\ude00 emoji with 5 troops"}',
            '{"text": "x", "id": ' + "1" * 5000 + "}",
            "[" * 50_000,
        ]
    ),
)
jsonl_file = st.lists(jsonl_line, max_size=8).map(lambda lines: "\n".join(lines).encode())

html_fragment = st.one_of(
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<style>p{}</style>",
            '<img src=x onerror="alert(1)">',
            '<a href="javascript:alert(1)">link</a>',
            "<svg onload=alert(1)>",
            "<!-- comment",
            "<![CDATA[ x ]]>",
            "<p>",
            "</p>",
            "<div>",
            "<nav>Home | News</nav>",
            '<meta property="article:published_time" content="2024-13-45">',
            '<meta property="og:title" content="<script>">',
            "<title>Title</title>",
            "<html>",
            "<body>",
            "&amp;",
            "&#0;",
            "&#xD800;",
            "&bogus;",
        ]
    ),
    news_text.map(lambda t: f"<p>{t}</p>"),
    st.text(max_size=30),
)
html_file = st.lists(html_fragment, max_size=20).map(lambda parts: "".join(parts).encode())

BINARY_EXAMPLES = [b"%PDF-1.4", b"\xef\xbb\xbf", b"\x00" * 40, b"\x81\x8d\x8f\x90\x9d", b"\r\n\r"]


def read_one(name: str, raw: bytes, settings: Settings, manifest: bytes | None = None) -> list:
    """Ingest one file named ``name`` holding ``raw``, in a folder of its own."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        if manifest is not None:
            (Path(folder) / MANIFEST_NAME).write_bytes(manifest)
        result = ingest([folder], settings)
    items = [*result.documents, *result.rejected]
    for item in items:
        assert isinstance(item, Document | Rejection)
    for doc in result.documents:
        # Stored text must survive a round trip to UTF-8: DuckDB and the report both need it.
        doc.model_dump_json()
        assert doc.text.strip() and "\r" not in doc.text
    for rejection in result.rejected:
        assert rejection.source_path.startswith(str(path)) and rejection.detail
    return result.documents


# --- ingest ------------------------------------------------------------------------------------


@fuzz(150)
@given(raw=st.one_of(st.binary(max_size=400), st.sampled_from(BINARY_EXAMPLES)))
@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.jsonl"])
def test_any_bytes_in_a_text_file_give_documents_or_rejections(name, raw, settings) -> None:
    docs = read_one(name, raw, settings)
    if name != "a.jsonl":
        assert len(docs) <= 1


@fuzz(60)
@given(raw=st.one_of(st.binary(max_size=400), html_file))
@example(raw=b"<svg><a><a>!")
def test_any_bytes_in_an_html_file_give_a_document_or_a_rejection(raw, settings) -> None:
    assert len(read_one("a.html", raw, settings)) <= 1


@fuzz(200)
@given(raw=front_matter_file)
@example(raw=b"---\npublished: 0000-01-01\n---\nSome 5 troops.")
@example(raw=b"---\ntitle: 2024-13-45\n---\nSome 5 troops.")
@example(raw=b"---\n0: &0 [*0]\n---\nSome 5 troops.")
@example(raw=b"---\nid: " + b"1" * 5000 + b"\n---\nSome 5 troops.")
def test_front_matter_of_any_yaml_gives_a_document_or_a_rejection(raw, settings) -> None:
    assert len(read_one("a.md", raw, settings)) <= 1


@fuzz(200)
@given(raw=jsonl_file)
@example(raw=b'{"text": "x", "id": ' + b"1" * 5000 + b"}")
@example(raw=b'{"text": "lone \\ud800 surrogate with 5 troops"}')
@example(raw=b"[" * 50_000)
@example(raw=b"0\r0")
def test_any_jsonl_lines_give_one_document_or_rejection_each(raw, settings) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.jsonl"
        path.write_bytes(raw)
        result = ingest([folder], settings)
    text, _ = decode(raw, "a.jsonl")  # one newline convention, as the reader sees the lines
    nonblank = [line for line in text.split("\n") if line.strip()]
    assert len(result.documents) + len(result.rejected) == len(nonblank)
    for doc in result.documents:
        doc.model_dump_json()
        assert doc.text.encode("utf-8")


@fuzz(60)
@given(manifest=st.one_of(st.binary(max_size=200), yamlish.map(str.encode)))
@example(manifest=b"a.txt:\n  published: 2024-13-45\n")
def test_a_broken_manifest_stops_the_run_with_an_input_error_naming_it(manifest, settings) -> None:
    try:
        read_one("a.txt", b"Some 5 troops arrived.", settings, manifest=manifest)
    except InputError as e:
        assert MANIFEST_NAME in str(e)


# --- extraction --------------------------------------------------------------------------------


def check_offsets(doc: Document, extraction: Extraction) -> None:
    """Every stored offset slices ``doc.text`` to the stored text; intervals are ordered."""
    assert (extraction.doc_id, extraction.sha256) == (doc.doc_id, doc.sha256)
    text = doc.text
    for c in extraction.claims:
        assert isinstance(c, QuantityClaim)
        assert 0 <= c.char_start <= c.char_end <= len(text)
        assert text[c.char_start : c.char_end] == c.span
        end = c.sentence_start + len(c.sentence)
        assert text[c.sentence_start : end] == c.sentence
        assert "\n" not in c.span, "a claim never runs across a line break"
        assert c.claim_id == QuantityClaim.make_id(doc.sha256, c.char_start, c.char_end)
        for x in (c.value, c.low, c.high):
            assert x is None or math.isfinite(x)
        if c.low is not None and c.high is not None:
            assert c.low <= c.high
        if c.as_of_start is not None and c.as_of_end is not None:
            assert c.as_of_start <= c.as_of_end
    for f in extraction.facts:
        assert isinstance(f, FactClaim)
        assert 0 <= f.char_start <= f.char_end <= len(text)
        assert text[f.char_start : f.char_end] == f.span
        assert f.span in f.sentence and f.sentence in text
        assert "\n" not in f.span
        assert f.fact_id == FactClaim.make_id(doc.sha256, f.char_start, f.char_end, f.predicate)


@fuzz(300)
@given(
    text=any_text,
    published=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31))),
)
@example(
    text="Russia annexed Crimea in 2014.\n\x00More than 14,000 troops\u00a0died.", published=None
)
@example(text="\u00a0 About 5 troops\u202f\n", published=date(2024, 1, 1))
@example(text="9" * 400 + " troops arrived.", published=None)
def test_extraction_of_any_text_keeps_offsets_exact(
    text: str, published: date | None, settings: Settings, nlp: Language
) -> None:
    doc = Document.build(doc_id="fuzz", source_path="fuzz.txt", text=text, published=published)
    check_offsets(doc, extract_document(doc, settings, nlp))


@fuzz(60)
@given(raw=st.one_of(front_matter_file, news_text.map(str.encode)))
@example(raw=b"---\n0: &0 [*0]\n---\nSome 5 troops.")
def test_ingested_files_extract_with_offsets_into_the_stored_text(raw, settings, nlp) -> None:
    for doc in read_one("a.md", raw, settings):
        check_offsets(doc, extract_document(doc, settings, nlp))


# --- numbers -----------------------------------------------------------------------------------


@fuzz(400)
@given(text=any_text)
@example(text="9" * 400)
@example(text="$" + "9" * 310 + " billion")
@example(text="about " + "9" * 308)
def test_finding_numbers_in_any_text_gives_finite_ordered_mentions(text, settings) -> None:
    last_end = 0
    for m in find_numbers(text, settings):
        assert text[m.start : m.end] == m.text
        assert m.start <= m.number_start <= m.number_end <= m.end
        assert m.start >= last_end, "mentions do not overlap"
        last_end = m.end
        for x in (m.value, m.low, m.high):
            assert x is None or math.isfinite(x)
        if m.low is not None and m.high is not None:
            assert m.low <= m.high


@fuzz(300)
@given(text=any_text)
@example(text="9" * 400)
def test_parsing_any_string_as_a_number_gives_a_finite_value_or_none(text) -> None:
    value = parse_number(text)
    assert value is None or math.isfinite(value)


@fuzz(300)
@given(
    value=st.floats(-1e300, 1e300, allow_nan=False),
    qualifier=st.one_of(st.none(), st.sampled_from(NEWS_WORDS), st.text(max_size=12)),
    precision=st.one_of(st.none(), any_text),
)
def test_the_interval_of_any_finite_value_is_finite_and_ordered(
    value, qualifier, precision, settings
) -> None:
    low, high, _, _ = interval(value, qualifier, settings, precision_text=precision)
    for x in (low, high):
        assert x is None or math.isfinite(x)
    if low is not None and high is not None:
        assert low <= high


@fuzz(300)
@given(value=st.floats(allow_nan=True), text=any_text)
@example(value=math.inf, text="9" * 400)
def test_rounding_tolerance_of_anything_is_finite_and_not_negative(value, text) -> None:
    tolerance = rounding_tolerance(value, text)
    assert math.isfinite(tolerance) and tolerance >= 0
