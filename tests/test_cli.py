"""The CLI edge: help everywhere, one-line errors, read-only queries, exports, reviews."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from claims.cli import COMMANDS, build_parser, main
from claims.models import Document, Relation
from claims.store import Store


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    """A published database with two documents and one relation (claims are not needed here)."""
    path = tmp_path / "c.duckdb"
    docs = [
        Document.build(doc_id=i, source_path=f"/in/{i}", text=t, published=date(2024, 7, 2))
        for i, t in (("a", "Over 50 allies."), ("b", "Nearly 50 allies."))
    ]
    relation = Relation(
        relation_id=Relation.make_id("q_a", "q_b", "conflict"),
        claim_a="q_a",
        claim_b="q_b",
        doc_a="a",
        doc_b="b",
        claim_type="quantity",
        relation="conflict",
        rule="CONFLICT",
        reason="(50, ∞) and [45, 50) do not overlap",
        score=0.9,
    )
    with Store(path) as store:
        store.reset_staging()
        store.stage_batch(docs, [], "r1")
        store.stage_relations([relation])
        store.publish()
    return path


def test_every_command_has_help_text_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    for name, command in COMMANDS.items():
        assert command.help and command.examples, name
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([name, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert "examples:" in out and f"claims {name}" in out


def test_query_prints_a_table_and_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "SELECT doc_id FROM documents ORDER BY 1", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "doc_id" in out and "(2 rows)" in out
    sql = "SELECT doc_id, published FROM documents ORDER BY 1"
    assert main(["query", sql, "--db", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0] == {"doc_id": "a", "published": "2024-07-02"}


def test_query_cannot_write(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "DELETE FROM documents", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("claims: error:") and "read-only" in err
    assert err.count("\n") == 1, "one line, no traceback"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)


def test_errors_are_one_line_naming_the_file(tmp_path: Path, capsys) -> None:
    assert main(["query", "SELECT 1", "--db", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "none.duckdb" in err and err.count("\n") == 1


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_export_writes_a_file_duckdb_can_read_back(db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"docs.{fmt}"
    assert (
        main(
            ["export", "--db", str(db), "--table", "documents", "--format", fmt, "--out", str(out)]
        )
        == 0
    )
    reader = {"parquet": "read_parquet", "csv": "read_csv", "jsonl": "read_json"}[fmt]
    assert duckdb.execute(f"SELECT count(*) FROM {reader}('{out}')").fetchone() == (2,)


def test_export_names_the_tables_when_given_an_unknown_one(db: Path, capsys) -> None:
    assert main(["export", "--db", str(db), "--table", "nope"]) == 2
    assert "flagged_claims" in capsys.readouterr().err


def test_a_review_closes_a_flag_by_id_prefix(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flags", "--db", str(db), "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == 2 and ",open," in rows[1]
    relation_id = rows[1].split(",")[0]
    assert (
        main(
            [
                "review",
                relation_id[:8],
                "--dismiss",
                "--note",
                "different coalitions",
                "--db",
                str(db),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip().startswith(f"{relation_id}: not a conflict (dismissed)")
    assert main(["flags", "--db", str(db), "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
    assert main(["flags", "--all", "--db", str(db), "--format", "json"]) == 0
    [flag] = json.loads(capsys.readouterr().out)
    assert flag["status"] == "dismissed"


def test_reviewing_an_unknown_flag_says_how_to_list_them(db: Path, capsys) -> None:
    assert main(["review", "r_nope", "--confirm", "--db", str(db)]) == 2
    assert "claims flags" in capsys.readouterr().err


def test_export_takes_the_format_from_the_extension_of_out(
    db: Path, tmp_path: Path, capsys
) -> None:
    """`--out x.csv` without --format used to write Parquet into x.csv."""
    out = tmp_path / "docs.csv"
    assert main(["export", "--db", str(db), "--table", "documents", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("doc_id,")
    assert "(csv)" in capsys.readouterr().out


def test_export_refuses_an_extension_it_cannot_read_or_that_contradicts_format(
    db: Path, tmp_path: Path, capsys
) -> None:
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "x.txt" in err and "--format" in err and err.count("\n") == 1
    clash = ["export", "--db", str(db), "--format", "parquet", "--out", str(tmp_path / "x.csv")]
    assert main(clash) == 2
    assert "x.parquet" in capsys.readouterr().err
    assert not (tmp_path / "x.txt").exists() and not (tmp_path / "x.csv").exists()


def test_export_into_a_folder_writes_table_dot_format_there(
    db: Path, tmp_path: Path, capsys
) -> None:
    """`--out DIR/` used to end in a traceback."""
    folder = tmp_path / "out"
    folder.mkdir()
    argv = ["export", "--db", str(db), "--table", "documents", "--format", "jsonl"]
    assert main([*argv, "--out", f"{folder}/"]) == 0
    assert duckdb.execute(
        f"SELECT count(*) FROM read_json('{folder}/documents.jsonl')"
    ).fetchone() == (2,)
    assert main([*argv, "--out", f"{tmp_path}/missing/"]) == 2
    err = capsys.readouterr().err
    assert "missing" in err and "no such folder" in err and "Traceback" not in err


def test_query_refuses_more_than_one_statement(db: Path, capsys) -> None:
    """`claims query 'a; b'` used to run both and show only the last."""
    assert main(["query", "SELECT 1; SELECT count(*) FROM documents", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "one SQL statement" in err and err.count("\n") == 1
    assert main(["query", "SELECT count(*) AS n FROM documents;", "--db", str(db)]) == 0


def test_a_typo_in_a_subcommand_flag_names_that_subcommand_in_one_line(db: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["flags", "--relaton", "conflict", "--db", str(db)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, "one line, like every other error"
    assert err.startswith("claims: error: ") and "--relaton" in err
    assert "`claims flags --help`" in err


@pytest.fixture()
def reviewed(tmp_path: Path) -> Path:
    """A published conflict between two outlets' claims, and an agreement."""
    from builders import publish_state, quantity_claim

    docs = [
        Document.build(
            doc_id=f"{i:03d}_9a6e5357df07f2d3.txt",
            source_path=f"/in/{i}.txt",
            text=text,
            outlet=outlet,
            published=date(2024, 7, i + 1),
        )
        for i, (outlet, text) in enumerate(
            (
                ("DOD", "Over 50 allied nations pledged help."),
                ("ANI", "Nearly 50 allies met."),
                ("UPI", "About 48 allies came."),
            )
        )
    ]
    a = quantity_claim(docs[0], "Over 50 allied nations", value=50, low=50, high=None)
    b = quantity_claim(docs[1], "Nearly 50 allies", value=50, low=45, high=50)
    c = quantity_claim(docs[2], "About 48 allies", value=48, low=43.2, high=52.8)
    long_reason = "the intervals are disjoint " + "and the time scopes overlap " * 5 + "END."
    relations = [
        Relation(
            relation_id=Relation.make_id(x.claim_id, y.claim_id, kind),
            claim_a=x.claim_id,
            claim_b=y.claim_id,
            doc_a=x.doc_id,
            doc_b=y.doc_id,
            claim_type="quantity",
            relation=kind,
            rule="RULE",
            reason=long_reason,
            score=score,
        )
        for x, y, kind, score in ((a, b, "conflict", 0.9), (b, c, "agree", 0.8))
    ]
    path = tmp_path / "flags.duckdb"
    publish_state(path, docs, [a, b, c], relations, run_id="r1")
    return path


def test_flags_show_outlets_claims_and_the_whole_reason_not_agreements(reviewed, capsys) -> None:
    assert main(["flags", "--db", str(reviewed)]) == 0
    out = capsys.readouterr().out
    assert "“Over 50 allied nations” (DOD, 2024-07-01)" in out
    assert "“Nearly 50 allies” (ANI, 2024-07-02)" in out
    assert "9a6e5357df07f2d3" not in out, "outlets, not hashed file names"
    assert "END." in out, "the reason is not cut"
    assert "About 48 allies" not in out and "(1 flag)" in out, "an agreement is not a flag"
    assert main(["flags", "--relation", "agree", "--db", str(reviewed)]) == 0
    assert "About 48 allies" in capsys.readouterr().out


def test_flags_csv_has_notes_and_reviewers_and_the_reviewer_is_never_null(
    reviewed, capsys, monkeypatch
) -> None:
    for name in ("USER", "LOGNAME", "CLAIMS_REVIEWER"):
        monkeypatch.delenv(name, raising=False)
    assert main(["flags", "--db", str(reviewed), "--format", "json"]) == 0
    [flag] = json.loads(capsys.readouterr().out)
    assert (
        main(
            [
                "review",
                flag["relation_id"],
                "--verdict",
                "needs_context",
                "--note",
                "which coalition?",
                "--db",
                str(reviewed),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["flags", "--all", "--db", str(reviewed), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["status"] == "needs_context" and rows[0]["note"] == "which coalition?"
    assert rows[0]["reviewer"], "the login name when $USER is unset"
    assert rows[0]["span_a"] == "Over 50 allied nations" and rows[0]["outlet_b"] == "ANI"
    monkeypatch.setenv("CLAIMS_REVIEWER", "Ada")
    assert main(["review", flag["relation_id"], "--confirm", "--db", str(reviewed)]) == 0
    capsys.readouterr()
    assert main(["flags", "--all", "--db", str(reviewed), "--format", "json"]) == 0
    [flag] = json.loads(capsys.readouterr().out)
    assert (flag["status"], flag["reviewer"]) == ("confirmed", "Ada")
