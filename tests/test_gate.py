"""The validation gate: real GX suites over a real DuckDB staging state.

Each rule test starts from a valid state, breaks one row, and checks that the gate fails and
that the failure names the broken rule.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from claims.models import Document, Extraction, FactClaim, QuantityClaim, Relation
from claims.store import PUBLISHED_TABLES, Store
from expectations import TABLES, GateResult, run_gate
from expectations.suites import REQUIRED_COLUMNS

TEXT_A = "Over 50 allies pledged aid on Tuesday. Russia annexed Crimea in 2014, officials said."
TEXT_B = "Nearly 50 allies and partners met in Ramstein. Russia annexed Crimea in 2014."

Frames = dict[str, pd.DataFrame]


def doc(doc_id: str, text: str) -> Document:
    return Document.build(
        doc_id=doc_id, source_path=f"/in/{doc_id}.txt", text=text, published=date(2024, 1, 2)
    )


def quantity(d: Document, span: str, **fields: object) -> QuantityClaim:
    start = d.text.index(span)
    values: dict[str, object] = {
        "claim_id": QuantityClaim.make_id(d.sha256, start, start + len(span)),
        "doc_id": d.doc_id,
        "kind": "count",
        "span": span,
        "char_start": start,
        "char_end": start + len(span),
        "sentence": d.text.split(". ")[0],
        "sentence_start": 0,
        "value": 50.0,
        "low": 50.0,
        "high": None,
        "low_inclusive": False,
        "high_inclusive": True,
        "qualifier": "over",
        "unit": "ally",
        "measure": "country",
        "key_terms": ["ally"],
        "as_of_start": date(2024, 1, 2),
        "as_of_end": date(2024, 1, 2),
        "time_basis": "published",
    }
    return QuantityClaim(**{**values, **fields})


def fact(d: Document, span: str, **fields: object) -> FactClaim:
    start = d.text.index(span)
    values: dict[str, object] = {
        "fact_id": FactClaim.make_id(d.sha256, start, start + len(span), "annex"),
        "doc_id": d.doc_id,
        "span": span,
        "char_start": start,
        "char_end": start + len(span),
        "sentence": span,
        "subject": "Russia",
        "predicate": "annex",
        "object": "Crimea",
        "time": "2014",
    }
    return FactClaim(**{**values, **fields})


def relation(
    a: QuantityClaim | FactClaim, b: QuantityClaim | FactClaim, **fields: object
) -> Relation:
    id_a = a.claim_id if isinstance(a, QuantityClaim) else a.fact_id
    id_b = b.claim_id if isinstance(b, QuantityClaim) else b.fact_id
    values: dict[str, object] = {
        "relation_id": Relation.make_id(id_a, id_b, "agree"),
        "claim_a": id_a,
        "claim_b": id_b,
        "doc_a": a.doc_id,
        "doc_b": b.doc_id,
        "claim_type": "quantity" if isinstance(a, QuantityClaim) else "fact",
        "relation": "agree",
        "rule": "intervals_overlap",
        "reason": "Both count allies; (50, ∞) and [45, 50) do not overlap.",
        "score": 0.8,
        "shared_terms": ["ally"],
    }
    return Relation(**{**values, **fields})


class State:
    """A small valid staging state: two documents, a quantity and a fact in each, relations."""

    def __init__(self) -> None:
        self.a = doc("a", TEXT_A)
        self.b = doc("b", TEXT_B)
        self.claim_a = quantity(self.a, "Over 50 allies")
        # A repeat of the same figure points at its first mention.
        self.repeat_a = quantity(self.a, "50 allies", mention_of=self.claim_a.claim_id)
        # A vague claim: no stated value and an open upper bound must pass.
        self.claim_b = quantity(
            self.b, "Nearly 50 allies", value=None, low=45.0, high=50.0, qualifier="nearly"
        )
        self.fact_a = fact(self.a, "Russia annexed Crimea in 2014")
        self.fact_b = fact(self.b, "Russia annexed Crimea in 2014")
        self.documents = [self.a, self.b]
        self.claims = {"a": [self.claim_a, self.repeat_a], "b": [self.claim_b]}
        self.facts = {"a": [self.fact_a], "b": [self.fact_b]}
        self.relations = [
            relation(self.claim_a, self.claim_b, relation="conflict"),
            relation(self.fact_a, self.fact_b),
        ]

    def stage(self, path: Path, tweak_sql: str | None = None) -> Frames:
        """Write the state into ``staging`` of a real DuckDB file and read it back as frames."""
        extractions = [
            Extraction(
                doc_id=d.doc_id,
                sha256=d.sha256,
                claims=self.claims[d.doc_id],
                facts=self.facts[d.doc_id],
            )
            for d in self.documents
        ]
        with Store(path / "claims.duckdb") as store:
            store.reset_staging()
            store.stage_batch(self.documents, extractions, "run-1")
            store.stage_relations(self.relations)
            if tweak_sql:
                store.con.execute(tweak_sql)
            return store.staging_frames()


@pytest.fixture
def state() -> State:
    return State()


def failed_on(result: GateResult, *needles: str) -> list[str]:
    """The failure messages containing every needle; asserts the gate failed."""
    assert not result.passed
    hits = [f for f in result.failed if all(n in f for n in needles)]
    assert hits, f"no failure mentions {needles}: {result.failed}"
    return hits


def test_a_valid_state_passes_every_suite(tmp_path: Path, state: State) -> None:
    result = run_gate(state.stage(tmp_path))
    assert result.passed, result.failed
    assert result.failed == []
    assert set(result.results) == set(TABLES) == set(PUBLISHED_TABLES)
    assert all(r["success"] for r in result.results.values())
    assert result.data_docs is None
    json.dumps(result.results)  # the flow stores them as JSON


def test_an_empty_state_passes_so_a_first_run_can_have_no_relations(tmp_path: Path) -> None:
    with Store(tmp_path / "claims.duckdb") as store:
        store.reset_staging()
        frames = store.staging_frames()
    assert all(f.empty for f in frames.values())
    assert run_gate(frames).passed


def test_a_claim_whose_span_is_not_the_text_at_its_offsets_fails(
    tmp_path: Path, state: State
) -> None:
    bad = state.claim_a.model_copy(update={"char_end": state.claim_a.char_end - 1})
    state.claims["a"] = [bad]
    (message,) = failed_on(run_gate(state.stage(tmp_path)), "claims:", "span, text_at_offsets")
    assert "1 unexpected" in message
    assert bad.claim_id in message
    assert "'Over 50 allie'" in message


def test_a_fact_whose_span_is_not_the_text_at_its_offsets_fails(
    tmp_path: Path, state: State
) -> None:
    state.facts["b"] = [state.fact_b.model_copy(update={"char_start": 1})]
    failed_on(run_gate(state.stage(tmp_path)), "facts:", "span, text_at_offsets")


def test_a_duplicate_claim_id_fails_naming_the_id(tmp_path: Path, state: State) -> None:
    twin = quantity(state.a, "allies", claim_id=state.claim_a.claim_id)
    state.claims["a"].append(twin)
    (message,) = failed_on(
        run_gate(state.stage(tmp_path)), "expect_column_values_to_be_unique(claim_id)"
    )
    assert message.startswith(
        "claims: expect_column_values_to_be_unique(claim_id) — 2 unexpected, e.g. "
    )
    assert state.claim_a.claim_id in message


def test_a_duplicate_doc_id_fails(tmp_path: Path, state: State) -> None:
    frames = state.stage(
        tmp_path, "INSERT INTO staging.documents SELECT * FROM staging.documents WHERE doc_id = 'a'"
    )
    failed_on(run_gate(frames), "documents:", "to_be_unique(doc_id)")


def test_a_duplicate_fact_id_or_relation_id_fails(tmp_path: Path, state: State) -> None:
    state.facts["b"] = [state.fact_b.model_copy(update={"fact_id": state.fact_a.fact_id})]
    state.relations.append(state.relations[0])
    result = run_gate(state.stage(tmp_path))
    failed_on(result, "facts:", "to_be_unique(fact_id)")
    failed_on(result, "claim_relations:", "to_be_unique(relation_id)")


@pytest.mark.parametrize(
    ("fields", "columns"),
    [
        ({"value": 40.0, "low": 50.0, "high": 60.0}, "value, low"),
        ({"value": 70.0, "low": 50.0, "high": 60.0}, "high, value"),
        ({"value": None, "low": 60.0, "high": 50.0}, "high, low"),
    ],
    ids=["value-below-low", "value-above-high", "low-above-high"],
)
def test_a_value_outside_its_interval_fails(
    tmp_path: Path, state: State, fields: dict[str, object], columns: str
) -> None:
    state.claims["a"] = [state.claim_a.model_copy(update=fields)]
    failed_on(run_gate(state.stage(tmp_path)), "claims:", f"greater_than_b({columns})")


def test_a_time_scope_that_ends_before_it_starts_fails(tmp_path: Path, state: State) -> None:
    state.claims["a"] = [state.claim_a.model_copy(update={"as_of_start": date(2024, 3, 1)})]
    failed_on(run_gate(state.stage(tmp_path)), "claims:", "greater_than_b(as_of_end, as_of_start)")


def test_a_mention_of_an_unknown_claim_fails_naming_it(tmp_path: Path, state: State) -> None:
    state.claims["b"] = [state.claim_b.model_copy(update={"mention_of": "q_gone"})]
    (message,) = failed_on(run_gate(state.stage(tmp_path)), "to_be_null(unknown_mention_of)")
    assert "unknown_mention_of='q_gone'" in message


def test_a_date_claim_whose_days_are_not_its_dates_fails(tmp_path: Path, state: State) -> None:
    """A date's low/high are days since 1970-01-01 of its as_of_start/as_of_end."""
    first = (date(2024, 3, 1) - date(1970, 1, 1)).days
    good = {"kind": "date", "measure": "date", "unit": "day", "as_of_start": date(2024, 3, 1)}
    good |= {"as_of_end": date(2024, 3, 1), "value": first, "low": first, "high": first}
    state.claims["a"] = [state.claim_a.model_copy(update=good)]
    assert run_gate(state.stage(tmp_path)).passed
    state.claims["a"] = [state.claim_a.model_copy(update={**good, "high": first + 1.0})]
    bad = tmp_path / "bad"
    bad.mkdir()
    failed_on(run_gate(state.stage(bad)), "in_set(date_days_match_as_of)")


def test_unbounded_intervals_pass_whichever_end_is_missing(tmp_path: Path, state: State) -> None:
    state.claims["a"] = [state.claim_a.model_copy(update={"low": None, "high": 60.0})]
    state.claims["b"] = [state.claim_b.model_copy(update={"low": None, "high": None})]
    assert run_gate(state.stage(tmp_path)).passed


@pytest.mark.parametrize(
    ("sql", "needle"),
    [
        (
            "UPDATE staging.claims SET kind = 'banana'",
            "claims: expect_column_values_to_be_in_set(kind)",
        ),
        ("UPDATE staging.claims SET time_basis = 'someday'", "(time_basis)"),
        (
            "UPDATE staging.facts SET polarity = 'maybe'",
            "facts: expect_column_values_to_be_in_set(polarity)",
        ),
        ("UPDATE staging.claim_relations SET relation = 'contradicts'", "in_set(relation)"),
        ("UPDATE staging.claim_relations SET claim_type = 'opinion'", "in_set(claim_type)"),
        ("UPDATE staging.claims SET change = 'sideways'", "in_set(change)"),
        ("UPDATE staging.claims SET stance = 'rumoured'", "in_set(stance)"),
        ("UPDATE staging.claims SET measure_factor = 0", "between(measure_factor)"),
        ("UPDATE staging.claims SET tolerance = -1", "between(tolerance)"),
    ],
    ids=[
        "kind",
        "time-basis",
        "polarity",
        "relation",
        "claim-type",
        "change",
        "stance",
        "measure-factor",
        "tolerance",
    ],
)
def test_a_value_outside_its_allowed_set_fails(
    tmp_path: Path, state: State, sql: str, needle: str
) -> None:
    failed_on(run_gate(state.stage(tmp_path, sql)), needle)


def test_a_relation_to_a_missing_claim_fails_naming_the_claim(tmp_path: Path, state: State) -> None:
    state.relations[0] = state.relations[0].model_copy(update={"claim_b": "q_nowhere"})
    (message,) = failed_on(run_gate(state.stage(tmp_path)), "claim_relations:", "(claim_b_exists)")
    assert "claim_b='q_nowhere'" in message


def test_a_relation_within_one_document_fails(tmp_path: Path, state: State) -> None:
    state.relations.append(relation(state.claim_a, state.repeat_a))
    (message,) = failed_on(
        run_gate(state.stage(tmp_path)), "claim_relations:", "(docs_differ)", "doc_a != doc_b"
    )
    assert f"claim_b='{state.repeat_a.claim_id}'" in message


def test_a_relation_whose_documents_are_not_its_claims_documents_fails(
    tmp_path: Path, state: State
) -> None:
    state.documents.append(doc("c", "A third article with no claims in it."))
    state.claims["c"], state.facts["c"] = [], []
    state.relations[0] = state.relations[0].model_copy(update={"doc_b": "c"})
    failed_on(run_gate(state.stage(tmp_path)), "claim_relations:", "(doc_b, doc_of_claim_b)")


def test_a_relation_whose_type_is_not_its_claims_table_fails(tmp_path: Path, state: State) -> None:
    state.relations[1] = state.relations[1].model_copy(update={"claim_type": "quantity"})
    failed_on(run_gate(state.stage(tmp_path)), "claim_relations:", "(claim_type, type_of_claim_a)")


def test_a_score_outside_zero_to_one_fails(tmp_path: Path, state: State) -> None:
    frames = state.stage(tmp_path, "UPDATE staging.claim_relations SET score = 1.5")
    failed_on(run_gate(frames), "expect_column_values_to_be_between(score)")


@pytest.mark.parametrize("text", ["", "  \n "], ids=["empty", "blank"])
def test_a_document_with_empty_text_fails(tmp_path: Path, state: State, text: str) -> None:
    state.documents.append(doc("empty", text))
    state.claims["empty"], state.facts["empty"] = [], []
    (message,) = failed_on(run_gate(state.stage(tmp_path)), "documents:", "match_regex(text)")
    assert "doc_id='empty'" in message


def test_a_sha256_that_is_not_64_hex_characters_or_not_the_texts_hash_fails(
    tmp_path: Path, state: State
) -> None:
    frames = state.stage(tmp_path, "UPDATE staging.documents SET sha256 = 'abc' WHERE doc_id = 'a'")
    result = run_gate(frames)
    failed_on(result, "documents:", "match_regex(sha256)")
    failed_on(result, "documents:", "(sha256, text_sha256)")


def test_a_claim_of_an_unknown_document_fails(tmp_path: Path, state: State) -> None:
    frames = state.stage(tmp_path, "UPDATE staging.claims SET doc_id = 'ghost'")
    (message,) = failed_on(run_gate(frames), "claims:", "(doc_id_in_documents)")
    assert "doc_id='ghost'" in message


def test_offsets_that_are_negative_or_not_a_range_fail(tmp_path: Path, state: State) -> None:
    frames = state.stage(
        tmp_path,
        "UPDATE staging.facts SET char_end = char_start; "
        "UPDATE staging.claims SET char_start = -1 WHERE doc_id = 'a'",
    )
    result = run_gate(frames)
    failed_on(result, "facts:", "greater_than_b(char_end, char_start)")
    failed_on(result, "claims:", "to_be_between(char_start)")


def test_a_null_in_a_required_column_fails(tmp_path: Path, state: State) -> None:
    # Staging tables are copies without constraints: the gate is what refuses the NULL.
    frames = state.stage(tmp_path, "UPDATE staging.facts SET subject = NULL WHERE doc_id = 'a'")
    (message,) = failed_on(run_gate(frames), "facts: expect_column_values_to_not_be_null(subject)")
    assert f"fact_id={state.fact_a.fact_id!r}" in message


def test_a_missing_table_or_column_fails_naming_it(tmp_path: Path, state: State) -> None:
    frames = state.stage(tmp_path)
    frames["claims"] = frames["claims"].drop(columns=["kind"])
    del frames["claim_relations"]
    result = run_gate(frames)
    failed_on(result, "claims: expect_table_columns_to_match_set", "kind")
    failed_on(result, "claim_relations: expect_table_columns_to_match_set", "relation_id")


def test_required_columns_are_the_not_null_columns_of_the_public_tables(tmp_path: Path) -> None:
    with Store(tmp_path / "claims.duckdb") as store:
        store.reset_staging()
        rows = store.con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' AND is_nullable = 'NO'"
        ).fetchall()
    not_null: dict[str, set[str]] = {}
    for table, column in rows:
        if table in PUBLISHED_TABLES:
            not_null.setdefault(table, set()).add(column)
    assert {t: set(c) for t, c in REQUIRED_COLUMNS.items()} == not_null


def test_the_gate_leaves_its_input_frames_unchanged(tmp_path: Path, state: State) -> None:
    frames = state.stage(tmp_path)
    before = {t: list(f.columns) for t, f in frames.items()}
    run_gate(frames)
    assert {t: list(f.columns) for t, f in frames.items()} == before


def test_data_docs_go_only_into_the_given_folder(
    tmp_path: Path, state: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames = state.stage(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert run_gate(frames).data_docs is None
    docs = tmp_path / "docs"
    result = run_gate(frames, data_docs_dir=docs)
    assert result.data_docs == docs.resolve() / "index.html"
    assert result.data_docs.is_file()
    assert "claims" in result.data_docs.read_text(encoding="utf-8")
    assert list(cwd.iterdir()) == []


def test_a_warm_gate_validates_a_small_state_in_well_under_three_seconds(
    tmp_path: Path, state: State
) -> None:
    frames = state.stage(tmp_path)
    run_gate(frames)
    start = time.perf_counter()
    run_gate(frames)
    assert time.perf_counter() - start < 3.0


def test_the_gate_prints_nothing_so_the_cli_summary_stays_clean(
    tmp_path: Path, state: State, capfd: pytest.CaptureFixture[str]
) -> None:
    frames = state.stage(tmp_path)
    capfd.readouterr()
    run_gate(frames)
    assert capfd.readouterr() == ("", "")
