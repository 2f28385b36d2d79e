"""What a run leaves for the tools reviewers already use: Prefect artifacts (a Markdown summary
and a table of flags) and GX Data Docs next to the report, linked from it.

The flow test is a real flow run in an ephemeral Prefect API, read back through the Prefect
client; the others read a real DuckDB file built in tmp_path and run the real GX gate.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from builders import publish_state, quantity_claim
from corpora import corpus

from claims.models import Document, QuantityClaim, Relation, Rule
from claims.report import write_report
from claims.report.artifacts import FLAGS_KEY, SUMMARY_KEY, run_artifacts
from claims.settings import Settings
from claims.store import Store

HOSTILE = "<b>50</b> | [x](javascript:y)"

# --- a database built through the Store, with one conflict --------------------------------------


def quantity(d: Document, span: str, low: float, high: float | None) -> QuantityClaim:
    return quantity_claim(
        d,
        span,
        value=50,
        low=low,
        high=high,
        low_inclusive=high is not None,
        high_inclusive=False,
        unit="ally",
    )


@pytest.fixture()
def conflict_db(tmp_path: Path) -> Path:
    """Two documents whose figures conflict; one span carries Markdown and HTML."""
    a = Document.build(
        doc_id="wire",
        source_path="/in/wire.txt",
        text="Over 50 allied nations met.",
        outlet="Wire",
        published=date(2024, 7, 2),
    )
    b = Document.build(
        doc_id="daily",
        source_path="/in/daily.txt",
        text=f"Nearly {HOSTILE} allies met.",
        outlet="Daily",
        published=date(2024, 7, 3),
    )
    ca, cb = (
        quantity(a, "Over 50 allied nations", 50, None),
        quantity(b, f"Nearly {HOSTILE}", 45, 50),
    )
    rule = Rule.CONFLICT_DISJOINT_SAME_TIME
    relation = Relation(
        relation_id=Relation.make_id(ca.claim_id, cb.claim_id, rule.relation),
        claim_a=ca.claim_id,
        claim_b=cb.claim_id,
        doc_a="wire",
        doc_b="daily",
        claim_type="quantity",
        relation=rule.relation,
        rule=rule.value,
        reason="(50, ∞) and [45, 50) do not overlap.",
        score=0.9,
    )
    db = tmp_path / "claims.duckdb"
    publish_state(
        db,
        [a, b],
        [ca, cb],
        [relation],
        run_id="run-1",
        started_at=datetime(2024, 7, 3, 8, 0),
        seconds=30,
    )
    return db


def test_the_artifacts_summarise_the_run_and_list_its_conflict(conflict_db: Path) -> None:
    made = run_artifacts(conflict_db, "run-1")
    assert made.summary.startswith("# Claims run: published")
    assert "| gate | **passed** |" in made.summary and "| run time | 30.0 s |" in made.summary
    assert "| relations | 1 conflict, 0 updates, 0 agreements |" in made.summary
    assert "“Over 50 allied nations” (Wire, 2024-07-02) vs" in made.summary
    assert [row["relation"] for row in made.flags] == ["conflict"]
    row = made.flags[0]
    assert row["claim_a"] == "Over 50 allied nations" and row["interval_a"] == "(50, ∞)"
    assert row["source_b"] == "Daily, 2024-07-03" and row["interval_b"] == "[45, 50)"
    assert row["score"] == 0.9 and row["review"] == "open"
    assert row["relation_id"] in made.summary
    assert "Conflicts and updates to review (1)" in made.flags_description


def test_article_text_cannot_format_the_summary(conflict_db: Path) -> None:
    summary = run_artifacts(conflict_db).summary
    assert HOSTILE not in summary and "<b>" not in summary
    assert "\\<b\\>50\\</b\\> \\| \\[x\\](javascript:y)" in summary
    # the table holds the text as it is: Prefect's UI renders table cells as text
    assert run_artifacts(conflict_db).flags[0]["claim_b"] == f"Nearly {HOSTILE}"


def test_the_report_links_the_gx_data_docs_written_next_to_it(
    conflict_db: Path, tmp_path: Path
) -> None:
    from expectations import run_gate

    reports = tmp_path / "reports"
    html = write_report(conflict_db, reports).html.read_text(encoding="utf-8")
    assert "data_docs" not in html  # nothing to link yet
    assert "Data Docs" not in run_artifacts(conflict_db, reports_dir=reports).summary
    with Store(conflict_db, read_only=True) as store:
        frames = store.staging_frames()
    gate = run_gate(frames, data_docs_dir=reports / "data_docs")
    assert gate.passed and gate.data_docs == (reports / "data_docs" / "index.html").resolve()
    paths = write_report(conflict_db, reports)
    html = paths.html.read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+)" id="data-docs">', html)
    assert link is not None and link.group(1) == "data_docs/index.html"
    target = paths.html.parent / link.group(1)
    assert target.is_file() and "claims" in target.read_text(encoding="utf-8")
    markdown = paths.markdown.read_text(encoding="utf-8")
    assert "[validation results, GX Data Docs](data_docs/index.html)" in markdown
    assert "Data Docs" in run_artifacts(conflict_db, reports_dir=reports).summary


# --- a real flow run -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flow_run(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> dict[str, Any]:
    """One run of the verify-claims flow over tests/data/ramstein_conflict, in the session's
    ephemeral Prefect API (tests/conftest.py)."""
    from flows.verify_claims import verify_claims

    work = tmp_path_factory.mktemp("flow")
    inbox = corpus("ramstein_conflict", work)
    db, reports = work / "claims.duckdb", work / "reports"
    settings = Settings(db=db, reports_dir=reports)
    state = verify_claims(paths=[str(inbox)], settings=settings, return_state=True)
    summary = state.result()
    return {"summary": summary, "db": db, "reports": reports}


def read_artifacts(flow_run_id: str) -> dict[str, Any]:
    """This flow run's artifacts by key, read back through the Prefect client."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a for a in found if a.key}


@pytest.mark.slow
def test_a_flow_run_publishes_a_summary_and_a_flags_table(flow_run: dict[str, Any]) -> None:
    import json

    summary = flow_run["summary"]
    artifacts = read_artifacts(summary.run_id)
    assert set(artifacts) >= {SUMMARY_KEY, FLAGS_KEY}
    text = artifacts[SUMMARY_KEY]
    assert text.type == "markdown" and str(text.flow_run_id) == summary.run_id
    markdown = text.data
    assert f"| run | `{summary.run_id}` |" in markdown and "| gate | **passed** |" in markdown
    assert (
        f"| documents | {summary.documents} read ({summary.documents_extracted} extracted, "
        f"{summary.documents_unchanged} unchanged), {summary.documents_rejected} rejected |"
    ) in markdown
    assert f"| claims | {summary.claims} quantity, {summary.facts} factual |" in markdown
    assert f"- Report: `{summary.report_path}`" in markdown
    table = artifacts[FLAGS_KEY]
    assert table.type == "table" and str(table.flow_run_id) == summary.run_id
    rows = json.loads(table.data)
    con = duckdb.connect(str(flow_run["db"]), read_only=True)
    try:
        flagged = con.execute(
            "SELECT relation_id FROM claim_relations WHERE relation IN ('conflict', 'update') "
            "ORDER BY relation_id"
        ).fetchall()
    finally:
        con.close()
    assert sorted(r["relation_id"] for r in rows) == [r[0] for r in flagged]
    assert all(r["relation"] in ("conflict", "update") for r in rows)


@pytest.mark.slow
def test_a_flow_run_writes_data_docs_beside_the_report_and_links_them(
    flow_run: dict[str, Any],
) -> None:
    reports: Path = flow_run["reports"]
    assert (reports / "data_docs" / "index.html").is_file()
    html = (reports / "latest.html").read_text(encoding="utf-8")
    assert '<a href="data_docs/index.html" id="data-docs">' in html
    assert (
        f"`{reports / 'data_docs' / 'index.html'}`"
        in read_artifacts(flow_run["summary"].run_id)[SUMMARY_KEY].data
    )
