"""The whole flow on the real stack: spaCy model, DuckDB file, Prefect flow run, GX gate.

Judged against the hand annotation in ../shared/gold/seed_claims.json.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from corpora import corpus
from databases import published_rows, query

from claims.cli import main
from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """One real run of `claims run` over the seeds, shared by the read-only tests below."""
    workdir = tmp_path_factory.mktemp("seeded")
    db = workdir / "claims.duckdb"
    code = main(["run", str(SEEDS), "--db", str(db), "--reports", str(workdir / "reports")])
    assert code == 0
    return db


def claim_near(db: Path, doc_id: str, quote: str) -> list[tuple]:
    """Claims of doc_id whose span overlaps the first occurrence of quote in the stored text."""
    return query(
        db,
        f"""
        SELECT c.span, c.value, c.low, c.high, c.low_inclusive, c.high_inclusive, c.kind
        FROM claims c JOIN documents d USING (doc_id)
        WHERE c.doc_id = '{doc_id}'
          AND c.char_start < strpos(d.text, $${quote}$$) - 1 + length($${quote}$$)
          AND c.char_end > strpos(d.text, $${quote}$$) - 1
          AND strpos(d.text, $${quote}$$) > 0
        """,
    )


def test_gold_quantity_claims_are_extracted_with_value_and_interval(seeded: Path, gold) -> None:
    found, missing = 0, []
    for g in gold["quantity_claims"]:
        rows = claim_near(seeded, g["file"], g["quote"])
        ok = any(
            (g["value"] is None or r[1] == pytest.approx(g["value"]))
            and (r[2] is None if g["low"] is None else r[2] == pytest.approx(g["low"]))
            and (r[3] is None if g["high"] is None else r[3] == pytest.approx(g["high"]))
            for r in rows
        )
        found += ok
        if not ok:
            missing.append((g["id"], g["quote"], rows))
    recall = found / len(gold["quantity_claims"])
    assert recall >= 0.9, f"recall {recall:.0%}; missing: {missing}"


def test_no_listed_non_quantity_becomes_a_claim(seeded: Path, gold) -> None:
    for nq in gold["not_quantities"]:
        assert claim_near(seeded, nq["file"], nq["quote"]) == [], nq


def test_the_allies_conflict_is_flagged_and_the_packages_trap_is_not(seeded: Path) -> None:
    flagged = query(seeded, "SELECT doc_a, doc_b, span_a, span_b, reason FROM flagged_claims")
    pairs = {frozenset((a[:3], b[:3])) for a, b, *_ in flagged}
    assert frozenset(("001", "003")) in pairs, flagged
    packages = query(
        seeded,
        """
        SELECT r.relation FROM claim_relations r
        JOIN claims a ON a.claim_id = r.claim_a JOIN claims b ON b.claim_id = r.claim_b
        WHERE a.kind = 'money' AND b.kind = 'money'
          AND list_sort([left(a.doc_id, 3), left(b.doc_id, 3)]) = ['000', '001']
        """,
    )
    assert packages == []


def test_a_second_run_on_the_same_inputs_changes_nothing(seeded: Path, tmp_path: Path) -> None:
    db = tmp_path / "again.duckdb"
    shutil.copy(seeded, db)
    before = published_rows(db)
    assert main(["run", str(SEEDS), "--db", str(db), "--reports", str(tmp_path / "r")]) == 0
    assert published_rows(db) == before
    [(extracted, unchanged)] = query(
        db,
        "SELECT documents_extracted, documents_unchanged FROM runs "
        "ORDER BY started_at DESC LIMIT 1",
    )
    assert (extracted, unchanged) == (0, 5)


def test_an_unchanged_run_keeps_the_relations_until_a_setting_that_decides_them_changes(
    seeded: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "kept.duckdb"
    shutil.copy(seeded, db)
    before = published_rows(db)
    run = ["run", str(SEEDS), "--db", str(db), "--reports", str(tmp_path / "r")]
    last = "SELECT relations_recomputed, relations FROM runs ORDER BY started_at DESC LIMIT 1"
    # The seeded run computed its relations under these settings; nothing changed since.
    assert main(run) == 0
    out = capsys.readouterr().out
    assert "(kept: nothing changed)" in out
    assert "gate       not run: nothing changed, the published tables stay as they were" in out
    assert query(db, last) == [(False, len(before["claim_relations"]))]
    changed = "SELECT tables_changed FROM runs ORDER BY started_at DESC LIMIT 1"
    assert query(db, changed) == [(False,)]
    assert published_rows(db) == before
    # A stricter score threshold must not be answered with the relations kept from before.
    monkeypatch.setenv("CLAIMS_MIN_RELATION_SCORE", "0.9")
    assert main(run) == 0
    assert "(kept: nothing changed)" not in capsys.readouterr().out
    [(recomputed, relations)] = query(db, last)
    assert recomputed is True and relations < len(before["claim_relations"])
    assert query(db, changed) == [(True,)]
    assert query(db, "SELECT count(*) FROM claim_relations WHERE score < 0.9") == [(0,)]


def test_relations_recomputed_to_the_same_are_kept_by_the_next_unchanged_run(
    seeded: Path, tmp_path: Path
) -> None:
    db = tmp_path / "rekeyed.duckdb"
    shutil.copy(seeded, db)
    # As if the published relations came from older cross-check code: the key differs.
    con = duckdb.connect(str(db))
    con.execute("UPDATE runs SET crosscheck_key = 'older code' WHERE status = 'published'")
    con.close()
    run = ["run", str(SEEDS), "--db", str(db), "--reports", str(tmp_path / "r")]
    last = "SELECT status, relations_recomputed FROM runs ORDER BY started_at DESC LIMIT 1"
    assert main(run) == 0
    # Recomputed, found identical to the published ones: nothing to publish.
    assert query(db, last) == [("skipped", True)]
    # That run proved the published relations are what this code gives: kept from now on.
    assert main(run) == 0
    assert query(db, last) == [("skipped", False)]


def test_a_failed_gate_publishes_nothing_and_names_the_expectation(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "gate.duckdb"
    shutil.copy(seeded, db)
    # Corrupt one published claim: the next run carries it into staging, where the gate sees
    # that its span no longer matches its offsets.
    con = duckdb.connect(str(db))
    con.execute(
        "UPDATE claims SET span = 'tampered' WHERE claim_id = (SELECT min(claim_id) FROM claims)"
    )
    con.close()
    before = published_rows(db)
    inbox = corpus("later_article", tmp_path)
    code = main(["run", str(inbox), "--db", str(db), "--reports", str(tmp_path / "r")])
    assert code == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "span" in out
    assert published_rows(db) == before
    [(status, failed)] = query(
        db, "SELECT status, failed_expectations FROM runs ORDER BY started_at DESC LIMIT 1"
    )
    assert status == "gate_failed"
    assert any("span" in f for f in failed)


def test_the_report_is_written_with_the_conflict(seeded: Path) -> None:
    [(path,)] = query(
        seeded, "SELECT report_path FROM runs WHERE status = 'published' ORDER BY started_at DESC"
    )
    html = Path(path).read_text(encoding="utf-8")
    assert "conflict" in html.lower()
    assert (Path(path).parent / "latest.html").exists()


def test_a_review_decision_survives_two_further_runs(seeded: Path, tmp_path: Path) -> None:
    db = tmp_path / "reviews.duckdb"
    shutil.copy(seeded, db)
    [(flag,)] = query(
        db,
        "SELECT relation_id FROM flagged_claims WHERE list_sort([left(doc_a, 3), left(doc_b, 3)])"
        " = ['001', '003']",
    )
    assert main(["review", flag, "--dismiss", "--note", "checked by hand", "--db", str(db)]) == 0
    inbox = corpus("later_article", tmp_path)
    reports = str(tmp_path / "r")
    assert main(["run", str(SEEDS), "--db", str(db), "--reports", reports]) == 0
    assert main(["run", str(SEEDS), str(inbox), "--db", str(db), "--reports", reports]) == 0
    assert query(db, "SELECT count(*) FROM documents") == [(6,)]
    rows = query(db, f"SELECT status, note FROM review_queue WHERE relation_id = '{flag}'")
    assert rows == [("dismissed", "checked by hand")]


def test_a_run_where_nothing_changed_is_recorded_as_skipped_everywhere(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to be recorded as gate passed in runs, the HTML, the Markdown and the Prefect
    artifact while the CLI said "gate not run"; the README's "what changed in the last published
    run" query then found nothing."""
    from claims.report.artifacts import run_artifacts

    db = tmp_path / "again.duckdb"
    shutil.copy(seeded, db)
    reports = tmp_path / "r"
    assert main(["run", str(SEEDS), "--db", str(db), "--reports", str(reports)]) == 0
    assert "gate       not run: nothing changed" in capsys.readouterr().out
    [(status, gate_passed, changed)] = query(
        db, "SELECT status, gate_passed, tables_changed FROM runs ORDER BY started_at DESC LIMIT 1"
    )
    assert (status, gate_passed, changed) == ("skipped", None, False)
    words = "not run: nothing changed, the published tables stay as they were"
    html = (reports / "latest.html").read_text(encoding="utf-8")
    md = (reports / "latest.md").read_text(encoding="utf-8")
    assert words in html and ">passed<" not in html
    assert f"gate: **{words}**" in md
    summary = run_artifacts(db, reports_dir=reports).summary
    assert "# Claims run: skipped, nothing changed" in summary and "**passed**" not in summary
    # The README's query names the documents of the run that published them.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sql = readme[readme.index("What changed in the last published run:") :]
    sql = sql[sql.index("```sql") + 6 : sql.index("```", sql.index("```sql") + 6)]
    assert len(query(db, sql)) == 5


def test_a_run_that_reads_no_document_publishes_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prefect_harness: None
) -> None:
    """A run over 0 documents used to say "gate passed" and exit 0; a PDF in the folder was
    skipped without a word."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.7 not an article")
    db = tmp_path / "empty.duckdb"
    assert main(["run", str(inbox), "--db", str(db), "--reports", str(tmp_path / "r")]) == 2
    captured = capsys.readouterr()
    assert "gate       not run: no document was read, nothing was published" in captured.out
    assert captured.err.startswith("claims: error: no document was read from")
    assert "1 rejected" in captured.err and captured.err.count("\n") == 1
    assert query(db, "SELECT status, gate_passed FROM runs") == [("skipped", None)]
    [(path, reason)] = query(db, "SELECT source_path, reason FROM rejected_documents")
    assert path.endswith("scan.pdf") and reason == "unsupported_type"
    assert query(db, "SELECT count(*) FROM documents") == [(0,)]


def test_a_deployment_whose_inbox_is_missing_records_a_failed_run_without_a_traceback(
    tmp_path: Path, prefect_harness: None, caplog: pytest.LogCaptureFixture
) -> None:
    from flows.verify_claims import verify_claims

    db = tmp_path / "claims.duckdb"
    missing = tmp_path / "inbox"
    state = verify_claims(paths=[str(missing)], settings=Settings(db=db), return_state=True)
    assert state.is_failed()
    assert (
        state.message
        and str(missing) in state.message
        and "no such file or directory" in state.message
    )
    [(status, error)] = query(db, "SELECT status, error FROM runs")
    assert status == "failed" and str(missing) in error
    assert "Traceback" not in caplog.text


def test_one_text_under_two_names_is_published_once_and_never_blocks_the_run(
    seeded: Path, tmp_path: Path
) -> None:
    """A wire story filed twice (another name, another folder) gives its claims the same ids:
    the copy already published is kept, a new copy is rejected with a row naming the kept one,
    and the run publishes. Before, the gate failed every run while both files stayed."""
    db = tmp_path / "copies.duckdb"
    shutil.copy(seeded, db)
    before = published_rows(db)
    first = sorted(SEEDS.glob("*.txt"))[0]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(first, inbox / f"wire-{first.name}")
    shutil.copy(first, inbox / f"zz-again-{first.name}")
    for other in sorted(SEEDS.glob("*.txt"))[1:]:
        shutil.copy(other, inbox / other.name)
    shutil.copy(SEEDS / "manifest.yaml", inbox / "manifest.yaml")
    reports = str(tmp_path / "r")
    # The original is not in this inbox: it is carried over as published and wins over both.
    assert main(["run", str(inbox), "--db", str(db), "--reports", reports]) == 0
    after = published_rows(db)
    # The same documents, claims, facts and relations; only where four of them were read moved.
    for table in ("claims", "facts", "claim_relations"):
        assert after[table] == before[table]
    assert [d[0] for d in after["documents"]] == [d[0] for d in before["documents"]]
    rejected = query(
        db,
        "SELECT source_path, reason, detail FROM rejected_documents WHERE run_id = "
        "(SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1) ORDER BY source_path",
    )
    assert [(Path(p).name, r) for p, r, _ in rejected] == [
        (f"wire-{first.name}", "duplicate_text"),
        (f"zz-again-{first.name}", "duplicate_text"),
    ]
    assert all(first.name in detail for _, _, detail in rejected)
    [(documents, rejected_n)] = query(
        db,
        "SELECT documents, documents_rejected FROM runs ORDER BY started_at DESC LIMIT 1",
    )
    assert (documents, rejected_n) == (4, 2)


def test_two_new_copies_of_one_text_publish_the_first_by_path(
    tmp_path: Path, prefect_harness: None
) -> None:
    first = sorted(SEEDS.glob("*.txt"))[0]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(first, inbox / "a.md")
    shutil.copy(first, inbox / "b.md")
    db = tmp_path / "c.duckdb"
    assert main(["run", str(inbox), "--db", str(db), "--reports", str(tmp_path / "r")]) == 0
    assert query(db, "SELECT DISTINCT doc_id FROM claims") == [("a.md",)]
    assert query(db, "SELECT reason FROM rejected_documents") == [("duplicate_text",)]
    [(unique,)] = query(db, "SELECT count(*) = count(DISTINCT claim_id) FROM claims")
    assert unique
