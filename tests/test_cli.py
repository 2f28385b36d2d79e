"""The CLI edge: help everywhere, one-line errors, read-only queries, exports, reviews."""

from __future__ import annotations

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
