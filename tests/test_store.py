"""The DuckDB store: migrations, staging, carry-over, atomic publish, locks, foreign files."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from builders import quantity_claim

from claims.errors import LockedError, StoreError
from claims.models import Document, Extraction, QuantityClaim
from claims.store import PUBLISHED_TABLES, Store, migrations, run_lock


def doc(doc_id: str, text: str) -> Document:
    return Document.build(
        doc_id=doc_id, source_path=f"/in/{doc_id}", text=text, published=date(2024, 1, 2)
    )


def claim_for(d: Document, span: str) -> QuantityClaim:
    return quantity_claim(
        d,
        span,
        value=50,
        low=50,
        low_inclusive=False,
        qualifier="over",
        unit="ally",
        measure="country",
        key_terms=["GPE:ukraine"],
    )


def run_once(path: Path, docs: list[Document], extracted: list[Extraction], run_id: str) -> None:
    with Store(path) as store:
        store.reset_staging()
        store.stage_batch(docs, extracted, run_id)
        store.stage_carry_over()
        store.publish()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    with Store(path, read_only=True) as store:
        return {
            t: store.con.execute(f"SELECT * FROM main.{t} ORDER BY ALL").fetchall()
            for t in PUBLISHED_TABLES
        }


def test_migrations_are_recorded_and_rerunning_them_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    with Store(path) as store:
        versions = store.con.execute("SELECT version FROM schema_migrations").fetchall()
        assert versions == [(v,) for v, _, _ in migrations()]
        assert len(versions) >= 2
        assert store.migrate() == []


def test_an_older_database_keeps_its_relations_when_their_reasons_move_to_zstd(
    tmp_path: Path,
) -> None:
    """Migration 11 makes ``claim_relations`` again with its reasons stored by zstd (DuckDB
    cannot change a column's compression in place): rows, comments and views survive, and the
    staged copy a run writes into is declared the same way."""
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER, name VARCHAR, applied_at TIMESTAMP)"
    )
    for version, name, sql in migrations():
        if version < 11:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
    row = ("r1", "c1", "c2", "d1", "d2", "quantity", "conflict", "R", "Two figures.", 0.5, ["x"])
    con.execute("INSERT INTO claim_relations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
    con.close()

    zstd = "reason VARCHAR USING COMPRESSION ZSTD"
    with Store(db) as store:
        assert store.con.execute("SELECT * FROM claim_relations").fetchall() == [row]
        store.reset_staging()
        ddl = dict(
            store.con.execute(
                "SELECT schema_name, sql FROM duckdb_tables() WHERE table_name = 'claim_relations'"
            ).fetchall()
        )
        assert zstd in ddl["main"] and zstd in ddl["staging"]
        uncommented = store.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name = 'claim_relations' AND comment IS NULL"
        ).fetchall()
        assert uncommented == []
        assert store.con.execute("SELECT count(*) FROM review_queue").fetchone() is not None


def test_public_tables_carry_comments_for_users_browsing_the_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "c.duckdb") as store:
        rows = store.con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    comments = dict(rows)
    for table in (*PUBLISHED_TABLES, "runs", "rejected_documents"):
        assert comments[table], f"{table} has no COMMENT"


def test_unchanged_documents_keep_their_claims_and_unseen_ones_are_carried_over(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.duckdb"
    a, b = doc("a", "Over 50 allies met."), doc("b", "Over 50 allies met again.")
    run_once(
        path,
        [a, b],
        [
            Extraction(doc_id=d.doc_id, sha256=d.sha256, claims=[claim_for(d, "Over 50 allies")])
            for d in (a, b)
        ],
        "r1",
    )
    first = snapshot(path)
    # Run 2 sees only "a", unchanged: nothing is extracted, yet nothing is lost.
    run_once(path, [a], [], "r2")
    assert snapshot(path) == first


def test_a_changed_document_replaces_its_earlier_claims(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    a = doc("a", "Over 50 allies met.")
    run_once(
        path,
        [a],
        [Extraction(doc_id="a", sha256=a.sha256, claims=[claim_for(a, "Over 50 allies")])],
        "r1",
    )
    a2 = doc("a", "Today, over 50 allies met.")
    run_once(
        path,
        [a2],
        [Extraction(doc_id="a", sha256=a2.sha256, claims=[claim_for(a2, "over 50 allies")])],
        "r2",
    )
    with Store(path, read_only=True) as store:
        [c] = store.claims()
        [d] = store.documents()
    assert d.sha256 == a2.sha256
    assert c.char_start == a2.text.index("over 50 allies")


def test_a_duplicate_doc_id_in_one_run_is_rejected_not_staged_twice(tmp_path: Path) -> None:
    with Store(tmp_path / "c.duckdb") as store:
        store.reset_staging()
        rejected = store.stage_batch([doc("a", "one"), doc("a", "two")], [], "r1")
        assert [r.reason for r in rejected] == ["duplicate_id"]
        assert store.counts("staging")["documents"] == 1


def test_publish_is_atomic_when_a_statement_fails(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    a = doc("a", "Over 50 allies met.")
    run_once(path, [a], [], "r1")
    before = snapshot(path)
    with Store(path) as store:
        store.reset_staging()
        store.stage_batch([doc("b", "Other text.")], [], "r2")
        # A staging table that no longer matches the public one makes publish fail midway.
        store.con.execute("DROP TABLE staging.claim_relations")
        store.con.execute("CREATE TABLE staging.claim_relations (x INTEGER)")
        with pytest.raises(StoreError, match="rolled back"):
            store.publish()
    assert snapshot(path) == before


def test_a_second_run_on_the_same_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    other = [
        sys.executable,
        "-c",
        f"from pathlib import Path\nfrom claims.store import run_lock\nwith run_lock(Path({str(path)!r})): pass",
    ]
    with run_lock(path):
        # The CLI and the flow it starts both take the lock: re-entry in one process is fine.
        with run_lock(path):
            pass
        done = subprocess.run(other, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1
        assert "LockedError" in done.stderr and "another run is using" in done.stderr
        assert f"pid {os.getpid()}" in done.stderr
    done = subprocess.run(other, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_foreign_file_at_the_database_path_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cannot open as a DuckDB database"):
        Store(path)
    assert path.read_bytes() == before


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as store, pytest.raises(duckdb.Error):
        store.con.execute("DELETE FROM documents")


HOLD_READ_ONLY = (
    "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
    "q = 'SELECT count(*) FROM reviews'; print(c.execute(q).fetchone()[0], flush=True); "
    "sys.stdin.readline(); print(c.execute(q).fetchone()[0], flush=True)"
)


def test_a_writer_never_waits_for_a_reader_and_the_reader_keeps_its_snapshot(
    tmp_path: Path,
) -> None:
    """`claims ui`, `claims query` and analysts' notebooks hold the file open to read: a writer
    then writes a copy and renames it into place, and the reader goes on reading what it
    opened."""
    path = tmp_path / "c.duckdb"
    Store(path).close()
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_ONLY, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "0"
        inode = path.stat().st_ino
        with Store(path, wait=0) as store:
            store.con.execute("INSERT INTO reviews VALUES ('r', 'confirmed', NULL, 'Ada', now())")
        assert path.stat().st_ino != inode, "a copy was renamed into place"
        out, _ = reader.communicate("\n", timeout=30)
    finally:
        reader.kill()
    assert out.strip() == "0", "the reader kept the state it opened"
    with Store(path, read_only=True) as store:
        assert store.query("SELECT count(*) FROM reviews")[1] == [(1,)]


def test_a_writer_that_fails_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    Store(path).close()
    reader = Store(path, read_only=True)  # open: the writer writes a copy, not in place
    try:
        with pytest.raises(RuntimeError), Store(path) as store:
            store.con.execute("INSERT INTO reviews VALUES ('r', 'confirmed', NULL, 'Ada', now())")
            raise RuntimeError("the request failed half-way")
    finally:
        reader.close()
    with Store(path, read_only=True) as store:
        assert store.query("SELECT count(*) FROM reviews")[1] == [(0,)]
    assert not (tmp_path / "c.duckdb.edit").exists()


def test_a_writer_gives_up_on_another_writer_in_one_line(tmp_path: Path) -> None:
    """A process outside claims holding the file read-write: a writer with ``wait=0`` (the
    review UI, which waits in its own loop) is refused at once, naming it."""
    path = tmp_path / "c.duckdb"
    Store(path).close()
    hold = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "sys.stdin.readline()"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", hold, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "held"
        with pytest.raises(LockedError, match="open for writing in another process"):
            Store(path, wait=0)
    finally:
        writer.communicate("\n", timeout=30)
