"""The DuckDB schema is a public interface: every table, view and column says what it holds, the
report's own views stay out of the analyst's way, and the README lists what is there."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from claims.store import Store

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    db = tmp_path / "claims.duckdb"
    Store(db).close()
    return duckdb.connect(str(db), read_only=True)


def public_relations(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    rows = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT internal"
    ).fetchall()
    return dict(rows)


def test_every_public_table_view_and_column_has_a_comment(con) -> None:
    relations = public_relations(con)
    assert {"documents", "claims", "facts", "runs", "reviews", "flagged_claims"} <= set(relations)
    assert [name for name, comment in relations.items() if not comment] == []
    missing = con.execute(
        "SELECT table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND NOT internal AND (comment IS NULL OR comment = '') "
        "ORDER BY 1"
    ).fetchall()
    assert missing == []


def test_the_reports_views_live_in_their_own_schema(con) -> None:
    main_views = {
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
        ).fetchall()
    }
    assert not [v for v in main_views if v.startswith("report_")]
    report_views = {
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'report'"
        ).fetchall()
    }
    assert {"claims", "facts", "relation_sides", "runs", "totals"} <= report_views


def test_an_older_database_loses_its_report_views_from_main(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with Store(db) as store:
        store.con.execute("DELETE FROM schema_migrations WHERE version = 7")
        store.con.execute("CREATE VIEW report_totals AS SELECT 1 AS x")
    with Store(db) as store:
        assert "report_totals" not in {
            r[0] for r in store.con.execute("SELECT view_name FROM duckdb_views()").fetchall()
        }


def test_the_readme_lists_every_public_table_and_view(con) -> None:
    section = README[README.index("## The DuckDB tables") :]
    section = section[: section.index("\n## ", 4)]
    listed = set(re.findall(r"^\| `(\w+)`", section, re.M))
    assert listed == set(public_relations(con))


def test_the_readme_states_the_duckdb_version_and_a_read_only_way_in() -> None:
    major_minor = ".".join(duckdb.__version__.split(".")[:2])
    assert f"DuckDB {major_minor}" in README
    assert "read_only=True" in README and "-readonly" in README
