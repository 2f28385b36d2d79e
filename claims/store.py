"""The claims database: schema, staging, publishing, reviews. With ``claims.dbconnect`` (how
files are opened) the only code that talks to DuckDB.

Write-audit-publish: a run copies the published database to a working file
(``dbfiles.working_path``), writes its candidate state into the ``staging`` schema there, the
gate validates it, ``publish`` replaces the public tables of the working file in one
transaction, and ``install_working_copy`` renames the working file over the published one.
Readers never wait for a run and a run never waits for readers: a reader that opened the old
file keeps reading it, one that opens after the rename reads the new one, and no one ever sees
half of either. A failed gate or a crash leaves the published file exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

from claims import dbfiles
from claims.dbconnect import (
    READ_TIMEOUT,
    WRITE_LOCK_TIMEOUT,
    Busy,
    copy_published,
    first_line,
    install,
    open_db,
    open_reader,
    tables_and_views,
)
from claims.dbfiles import RunMarker, real_path, run_lock, write_lock
from claims.errors import StoreError
from claims.failpoints import failpoint
from claims.models import (
    VERDICTS,
    Document,
    Extraction,
    FactClaim,
    QuantityClaim,
    Rejection,
    Relation,
    RunSummary,
)

__all__ = ["PUBLISHED_TABLES", "REVIEWER_TABLES", "Store", "run_lock"]

SQL_DIR = Path(__file__).parent / "sql"

# Tables the gate validates and publish replaces, in dependency order.
PUBLISHED_TABLES: tuple[str, ...] = (
    "documents",
    "claims",
    "facts",
    "claim_relations",
    "stories",
)
# Tables people write outside runs. A run publishes a copy of the database taken when it began,
# so it copies these from the published file at the moment it publishes: a table written
# between the two and missing here would lose those writes.
REVIEWER_TABLES: tuple[str, ...] = ("reviews",)


def _columns(model: type[Any]) -> list[str]:
    return list(model.model_fields)


DOCUMENT_COLUMNS = [
    "doc_id",
    "source_path",
    "url",
    "title",
    "outlet",
    "published",
    "published_source",
    "text",
    "sha256",
    "n_chars",
    "extracted_run",
    "warnings",
    "extract_key",
    "story_id",
    "effective_date",
    "effective_date_from",
]
STORY_COLUMNS = ["story_id", "label", "first_published", "last_published", "documents"]
# Columns cross-checking fills: a document is unchanged whatever they hold before it runs.
_CROSSCHECKED = ("story_id", "effective_date", "effective_date_from")
# DuckDB's memory limit while cross-checking's relations are inserted (``stage_relations``), as
# ``bench/crosscheck_scale.py`` measures them.
_INSERT_MEMORY = "512MB"
# Columns declared with a compression of their own (migration 011: zstd takes a third less CPU
# than DuckDB's own choice to insert the reasons, into a third of the space).
_COMPRESSED = {"claim_relations": {"reason": "zstd"}}
_COMPARED = {"documents": [c for c in DOCUMENT_COLUMNS if c not in _CROSSCHECKED]}
CLAIM_COLUMNS = _columns(QuantityClaim)
FACT_COLUMNS = _columns(FactClaim)
RELATION_COLUMNS = _columns(Relation)
RUN_COLUMNS = _columns(RunSummary)


def migrations() -> list[tuple[int, str, str]]:
    """Ordered (version, name, sql) from ``claims/sql/migrations/NNN_name.sql``."""
    found = []
    for path in sorted((SQL_DIR / "migrations").glob("*.sql")):
        version, _, name = path.stem.partition("_")
        found.append((int(version), name, path.read_text(encoding="utf-8")))
    return found


def view_sql(name: str) -> str:
    return (SQL_DIR / "views" / f"{name}.sql").read_text(encoding="utf-8")


def _views() -> list[str]:
    return sorted(p.stem for p in (SQL_DIR / "views").glob("*.sql"))


def check_database(db: Path | str) -> None:
    """Fail in one line, before a run starts, when it could not publish to ``db``: a folder,
    a file with several names, a folder that cannot be written, a file that is not a DuckDB
    database or is damaged (left untouched), a database another process is writing."""
    real = real_path(db)
    if real.is_dir():
        raise StoreError(f"{db}: is a folder, not a database file.")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"{db}: cannot create its folder ({dbfiles.describe_os_error(e)}).") from e
    if not os.access(real.parent, os.W_OK | os.X_OK):
        raise StoreError(
            f"{db}: cannot write in its folder {real.parent}; a run writes the new database "
            "beside the old one. Use a --db in a folder you can write to."
        )
    dbfiles.check_single_link(real)
    if real.exists():
        Store(db, read_only=True).close()


def start_working_copy(db: Path | str) -> Path:
    """Copy the published database to the run's working file (or start it empty); returns
    its path. A working file a killed run left is dropped first."""
    real = real_path(db)
    work = dbfiles.working_path(real)
    if real.is_dir():
        raise StoreError(f"{db}: is a folder, not a database file.")
    dbfiles.check_single_link(real)
    dbfiles.remove_database_file(work)
    if real.exists():
        with write_lock(real, WRITE_LOCK_TIMEOUT):
            copy_published(real, work)
    return work


def discard_working_copy(db: Path | str) -> None:
    dbfiles.remove_database_file(dbfiles.working_path(db))


def install_working_copy(db: Path | str) -> None:
    """Publish the run's working file: copy in the reviewer tables as they are now, then rename
    it over the database, all under the write lock, so no review made meanwhile is lost."""
    real = real_path(db)
    work = dbfiles.working_path(real)
    with write_lock(real, WRITE_LOCK_TIMEOUT):
        current: dict[str, Any] = {}
        if real.exists():
            reader = open_reader(real, db)
            try:
                present = {
                    r[0]
                    for r in reader.execute(
                        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
                    ).fetchall()
                }
                current = {
                    t: reader.sql(f"SELECT * FROM main.{t}").to_arrow_table()
                    for t in REVIEWER_TABLES
                    if t in present
                }
            finally:
                reader.close()
        with Store.working(work) as store:
            store.replace_rows(current)
            # Staging is the run's scratch space; readers of the published file never need it.
            store.con.execute("DROP SCHEMA IF EXISTS staging CASCADE")
            store.con.execute("CHECKPOINT")
        failpoint("publish.before_swap")
        install(work, real, db)


class Store:
    """A connection to one claims database. Use as a context manager; it closes on exit.

    Readers and writers do not wait for each other, and neither makes a run fail:

    - ``Store(db, read_only=True)`` reads. It sees the database as it was when it opened (a run
      publishes by renaming a new file into place, and an open reader keeps the file it opened),
      so open one per request: a long-lived reader never sees later runs. It cannot write,
      attach or copy to files, read other files, or change settings.
    - ``Store(db)`` writes (``record_review``; it also applies pending migrations). It holds the
      database's write lock while open: other writers wait up to ``WRITE_LOCK_TIMEOUT`` s, so
      keep it open for moments, never across a request. When no other process has the file
      open it writes in place, each statement committed as it runs; when readers have it open
      it writes a copy, which replaces the file atomically when the Store closes without an
      error (and is dropped when it closes with one). Either way a run publishing meanwhile
      copies ``REVIEWER_TABLES`` from the file under the same lock: a review is never lost.
    - ``Store.working(path)`` opens a run's working copy (``dbfiles.working_path``); only the
      process holding the run lock opens it.
    """

    def __init__(
        self, path: Path | str, *, read_only: bool = False, wait: float | None = None
    ) -> None:
        """Open ``path`` to read or to write (see the class). ``wait``: how long to wait for
        another writer (default ``WRITE_LOCK_TIMEOUT``; a reader: ``READ_TIMEOUT``) before
        ``LockedError``; 0 to try once, for a caller that waits in its own loop."""
        self.path = Path(path)
        self.real = real_path(path)
        self.read_only = read_only
        self._install_to: Path | None = None
        self._lock = contextlib.ExitStack()
        if read_only:
            self.con = open_reader(self.real, self.path, READ_TIMEOUT if wait is None else wait)
            return
        if self.real.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file.")
        dbfiles.check_single_link(self.real)
        wait = WRITE_LOCK_TIMEOUT if wait is None else wait
        self._lock.enter_context(write_lock(self.real, wait))
        try:
            self.con = self._open_writer(wait)
            self.migrate()
        except BaseException as e:
            self._discard()
            if isinstance(e, duckdb.Error):
                raise StoreError(f"{self.path}: {first_line(e)}") from e
            raise

    @classmethod
    def working(cls, path: Path | str, *, views: bool = False) -> Store:
        """A run's working copy, opened for writing (migrations applied). ``views``: create the
        views again too, which the run's first opening does; a run opens its copy once per
        batch, and recreating ten views each time cost a tenth of a second per batch."""
        opened = cls.__new__(cls)
        opened.path = opened.real = real_path(path)
        opened.read_only = False
        opened._install_to = None
        opened._lock = contextlib.ExitStack()
        opened.con = open_db(opened.real, opened.path, read_only=False)
        try:
            opened.migrate(views=views)
        except BaseException as e:
            opened._discard()
            if isinstance(e, duckdb.Error):
                raise StoreError(f"{opened.path}: {first_line(e)}") from e
            raise
        return opened

    def _open_writer(self, wait: float) -> duckdb.DuckDBPyConnection:
        try:
            return open_db(self.real, self.path, read_only=False)
        except Busy:
            pass
        # Readers have the file open: write a copy and rename it into place at close.
        edit = dbfiles.edit_path(self.real)
        copy_published(self.real, edit, min(wait, READ_TIMEOUT))
        self._install_to = self.real
        return open_db(edit, self.path, read_only=False)

    @classmethod
    def reader(cls, path: Path | str) -> Store:
        """A read-only store whose schema is current: a file written by an older version is
        migrated first (in a short read-write open), so that its views are today's."""
        store = cls(path, read_only=True)
        if store.pending_migrations():
            store.close()
            cls(path).close()
            store = cls(path, read_only=True)
        return store

    def pending_migrations(self) -> list[int]:
        try:
            row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        except duckdb.CatalogException:
            return [v for v, _, _ in migrations()]
        done = row[0] if row and row[0] is not None else 0
        return [v for v, _, _ in migrations() if v > done]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            try:
                self.close()
            except duckdb.Error as e:
                raise StoreError(f"{self.path}: {first_line(e)}") from e
            return
        self._discard()
        if isinstance(exc, duckdb.Error):
            # Disk full, a read-only file, an I/O error: the cause in one line, not a traceback.
            raise StoreError(f"{self.path}: {first_line(exc)}") from exc

    def close(self) -> None:
        """Close; a writer's copy replaces the published file now."""
        try:
            if self._install_to is None:
                self.con.close()
                return
            edit = dbfiles.edit_path(self.real)
            try:
                self.con.execute("CHECKPOINT")
                self.con.close()
                install(edit, self._install_to, self.path)
            except BaseException:
                self._discard()
                raise
            self._install_to = None
        finally:
            self._lock.close()

    def _discard(self) -> None:
        """Close without installing a writer's copy."""
        if hasattr(self, "con"):
            with contextlib.suppress(duckdb.Error):
                self.con.close()
        if self._install_to is not None:
            dbfiles.remove_database_file(dbfiles.edit_path(self.real))
            self._install_to = None
        self._lock.close()

    # --- schema -------------------------------------------------------------------------

    def migrate(self, *, views: bool = True) -> list[int]:
        """Apply pending migrations, each in its own transaction, and (re)create the views;
        safe to call every run."""
        con = self.con
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER, name VARCHAR, applied_at TIMESTAMP)"
        )
        done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for version, name, sql in migrations():
            if version in done:
                continue
            con.execute("BEGIN")
            try:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
                con.execute("COMMIT")
            except duckdb.Error as e:
                con.execute("ROLLBACK")
                raise StoreError(f"{self.path}: migration {version}_{name} failed: {e}") from e
            applied.append(version)
        if views or applied:
            for view in _views():
                con.execute(view_sql(view))
        return applied

    # --- reads --------------------------------------------------------------------------

    def published_hashes(self, extract_key: str) -> dict[str, str]:
        """Text hashes of the published documents read by the extractor ``extract_key``
        names; the others must be read again."""
        rows = self.con.execute(
            "SELECT doc_id, sha256 FROM documents WHERE extract_key IS NOT DISTINCT FROM ?",
            [extract_key],
        ).fetchall()
        return dict(rows)

    def tables(self, schema: str = "main") -> set[str]:
        """Names of the tables in ``schema``."""
        rows = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [schema]
        ).fetchall()
        return {r[0] for r in rows}

    def columns(self, table: str, schema: str = "main") -> set[str]:
        """Names of the columns of ``table`` (empty when there is no such table)."""
        rows = self.con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
        return {r[0] for r in rows}

    def table_frame(self, table: str, schema: str = "main") -> pd.DataFrame:
        return self.con.execute(f"SELECT * FROM {schema}.{table}").df()

    def claims(self, schema: str = "main") -> list[QuantityClaim]:
        rows = self.con.execute(
            f"SELECT {', '.join(CLAIM_COLUMNS)} FROM {schema}.claims ORDER BY doc_id, char_start"
        ).fetchall()
        return [QuantityClaim(**dict(zip(CLAIM_COLUMNS, r, strict=True))) for r in rows]

    def columns_of(self, table: str, names: Sequence[str], schema: str = "main") -> pa.Table:
        """Columns ``names`` of ``table`` as an Arrow table: what cross-checking reads of a
        million claims, without a million objects."""
        known = self.columns(table, schema)
        missing = [n for n in names if n not in known]
        if missing:
            raise StoreError(f"{schema}.{table} has no column {', '.join(missing)}")
        cols = ", ".join(names)
        result: pa.Table = self.con.sql(f"SELECT {cols} FROM {schema}.{table}").to_arrow_table()
        return result

    def facts(self, schema: str = "main") -> list[FactClaim]:
        rows = self.con.execute(
            f"SELECT {', '.join(FACT_COLUMNS)} FROM {schema}.facts ORDER BY doc_id, char_start"
        ).fetchall()
        return [FactClaim(**dict(zip(FACT_COLUMNS, r, strict=True))) for r in rows]

    def documents(self, schema: str = "main") -> list[Document]:
        cols = ["doc_id", "source_path", "text", "sha256", "url", "title", "outlet", "published"]
        rows = self.con.execute(f"SELECT {', '.join(cols)} FROM {schema}.documents").fetchall()
        return [Document(**dict(zip(cols, r, strict=True))) for r in rows]

    # --- runs ---------------------------------------------------------------------------

    def record_run(self, summary: RunSummary) -> None:
        """Insert or replace the run's row (runs is written outside the gate, by design)."""
        row = summary.model_dump()
        self.con.execute("DELETE FROM runs WHERE run_id = ?", [summary.run_id])
        placeholders = ", ".join("?" for _ in RUN_COLUMNS)
        self.con.execute(
            f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({placeholders})",
            [row[c] for c in RUN_COLUMNS],
        )

    def rejected_inputs(self, run_id: str) -> list[Rejection]:
        """The inputs run ``run_id`` rejected, as models (to carry them to another file)."""
        rows = self.con.execute(
            "SELECT source_path, reason, detail FROM rejected_documents WHERE run_id = ?", [run_id]
        ).fetchall()
        return [Rejection(source_path=p, reason=r, detail=d) for p, r, d in rows]

    def mark_abandoned(self, dead: Sequence[RunMarker] = ()) -> list[str]:
        """Record runs whose process ended without recording an outcome; returns their ids.

        Called by a run holding the run lock, so no other run is alive: a row still
        ``running`` (an older version wrote one at the start of each run) is a run that died.
        ``dead`` are the runs the run lock file names as died before recording anything
        (``dbfiles.RunLock``); one that left an error there (a full disk kept it from recording
        it) is failed, the others abandoned.
        """
        gone = (
            "its process ended without recording an outcome (killed, out of memory, or the "
            "machine stopped); nothing of it was published"
        )
        ids = [
            r[0]
            for r in self.con.execute("SELECT run_id FROM runs WHERE status = 'running'").fetchall()
        ]
        self.con.execute(
            "UPDATE runs SET status = 'abandoned', error = coalesce(error, ?) "
            "WHERE status = 'running'",
            [gone],
        )
        for marker in dead:
            if not marker.run_id or not marker.started_at:
                continue
            known = self.con.execute(
                "SELECT count(*) FROM runs WHERE run_id = ?", [marker.run_id]
            ).fetchone()
            if known and known[0]:
                continue  # it recorded its end, then died before it could say so
            self.record_run(
                RunSummary(
                    run_id=marker.run_id,
                    started_at=datetime.fromisoformat(marker.started_at),
                    inputs=marker.inputs,
                    status="failed" if marker.error else "abandoned",
                    error=marker.error or f"{gone} (pid {marker.pid})",
                )
            )
            ids.append(marker.run_id)
        return ids

    def replace_rows(self, tables: dict[str, Any]) -> None:
        """Replace the rows of each table with the given Arrow table's (columns by name)."""
        for table, rows in tables.items():
            self.con.execute(f"DELETE FROM main.{table}")
            self.con.register("_rows", rows)
            try:
                self.con.execute(f"INSERT INTO main.{table} BY NAME SELECT * FROM _rows")
            finally:
                self.con.unregister("_rows")

    def record_rejections(self, run_id: str, rejections: Iterable[Rejection]) -> None:
        rows = [(run_id, r.source_path, r.reason, r.detail) for r in rejections]
        if rows:
            self.con.executemany("INSERT INTO rejected_documents VALUES (?, ?, ?, ?)", rows)

    # --- staging ------------------------------------------------------------------------

    def reset_staging(self) -> None:
        """Empty staging copies of the published tables (same columns, same types, and the
        compression a column is declared with)."""
        self.con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        for table in PUBLISHED_TABLES:
            compressed = _COMPRESSED.get(table)
            if compressed is None:
                self.con.execute(
                    f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM main.{table} LIMIT 0"
                )
                continue
            # ``CREATE TABLE AS`` copies types only: the staged relations are where a run
            # writes its reasons, so they are declared column by column.
            rows = self.con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE database_name = current_database() AND schema_name = 'main' "
                "AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            columns = ", ".join(
                f'"{name}" {kind}'
                + (f" USING COMPRESSION {compressed[name]}" if name in compressed else "")
                for name, kind in rows
            )
            self.con.execute(f"CREATE OR REPLACE TABLE staging.{table} ({columns})")

    def _insert_frame(self, table: str, columns: list[str], frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self.con.register("_incoming", frame[columns])
        try:
            cols = ", ".join(columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            self.con.unregister("_incoming")

    def stage_batch(
        self,
        docs: Sequence[Document],
        extractions: Sequence[Extraction],
        run_id: str,
        extract_key: str | None = None,
    ) -> list[Rejection]:
        """Stage a batch of this run's documents; returns the ones rejected as duplicates.

        Documents in ``extractions`` get their fresh claims; the others are unchanged since they
        were published, so their published claims are carried over as they are. A doc_id already
        staged by this run keeps its first document.
        """
        # Only this batch's ids that are already staged: fetching every staged id per batch
        # made staging quadratic in the run's documents.
        ids = pd.DataFrame({"doc_id": [d.doc_id for d in docs]}, dtype="string")
        self.con.register("_batch_ids", ids)
        try:
            staged = {
                r[0]
                for r in self.con.execute(
                    "SELECT doc_id FROM staging.documents "
                    "WHERE doc_id IN (SELECT doc_id FROM _batch_ids)"
                ).fetchall()
            }
        finally:
            self.con.unregister("_batch_ids")
        kept: list[Document] = []
        duplicates: list[Rejection] = []
        for d in docs:
            if d.doc_id in staged:
                duplicates.append(
                    Rejection(
                        source_path=d.source_path,
                        reason="duplicate_id",
                        detail=f"doc_id {d.doc_id!r} was already read in this run; kept the first",
                    )
                )
            else:
                staged.add(d.doc_id)
                kept.append(d)
        docs = kept
        wanted = {d.doc_id: d.sha256 for d in docs}
        extractions = [e for e in extractions if wanted.pop(e.doc_id, None) == e.sha256]
        fresh = {e.doc_id for e in extractions}
        rows = [
            {
                **d.model_dump(include=set(DOCUMENT_COLUMNS)),
                "n_chars": len(d.text),
                "extracted_run": run_id if d.doc_id in fresh else None,
                "extract_key": extract_key if d.doc_id in fresh else None,
            }
            for d in docs
        ]
        self._insert_frame(
            "staging.documents", DOCUMENT_COLUMNS, pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
        )
        claims = [c.model_dump() for e in extractions for c in e.claims]
        facts = [f.model_dump() for e in extractions for f in e.facts]
        self._insert_frame(
            "staging.claims", CLAIM_COLUMNS, pd.DataFrame(claims, columns=CLAIM_COLUMNS)
        )
        self._insert_frame("staging.facts", FACT_COLUMNS, pd.DataFrame(facts, columns=FACT_COLUMNS))
        unchanged = pd.DataFrame(
            {"doc_id": [d.doc_id for d in docs if d.doc_id not in fresh]}, dtype="string"
        )
        if unchanged.empty:
            return duplicates
        self.con.register("_unchanged", unchanged)
        try:
            self.con.execute(
                """
                UPDATE staging.documents s
                SET extracted_run = m.extracted_run, extract_key = m.extract_key
                FROM main.documents m
                WHERE s.doc_id = m.doc_id AND s.doc_id IN (SELECT doc_id FROM _unchanged)
                """
            )
            for table in ("claims", "facts"):
                self.con.execute(
                    f"INSERT INTO staging.{table} SELECT * FROM main.{table} "
                    "WHERE doc_id IN (SELECT doc_id FROM _unchanged)"
                )
        finally:
            self.con.unregister("_unchanged")
        return duplicates

    def stage_carry_over(self) -> None:
        """Stage every published document this run did not read, with its claims and facts."""
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _carried AS SELECT doc_id FROM main.documents "
            "WHERE doc_id NOT IN (SELECT doc_id FROM staging.documents)"
        )
        try:
            for table in ("documents", "claims", "facts"):
                con.execute(
                    f"INSERT INTO staging.{table} SELECT * FROM main.{table} "
                    "WHERE doc_id IN (SELECT doc_id FROM _carried)"
                )
        finally:
            con.execute("DROP TABLE IF EXISTS _carried")

    def drop_repeated_texts(self, run_id: str) -> tuple[list[Rejection], int]:
        """Keep one staged document per text; returns the others as rejections and how many of
        them this run extracted.

        Claim and fact ids derive from the text, so two files with one text (a wire story filed
        twice, a copy in another folder) would give every claim twice under one id. The copy
        kept is the one already published, else the first by path: a repeat never replaces
        what readers already have.
        """
        con = self.con
        rows = con.execute(
            """
            WITH ranked AS (
                SELECT s.doc_id, s.source_path, s.sha256, s.extracted_run,
                       first_value(s.doc_id) OVER w AS kept_id,
                       first_value(s.source_path) OVER w AS kept_path,
                       row_number() OVER w AS rank
                FROM staging.documents s
                LEFT JOIN main.documents m ON m.doc_id = s.doc_id AND m.sha256 = s.sha256
                WINDOW w AS (
                    PARTITION BY s.sha256
                    ORDER BY m.doc_id IS NULL, s.source_path, s.doc_id
                )
            )
            SELECT doc_id, source_path, kept_id, kept_path, extracted_run = ? AS extracted
            FROM ranked WHERE rank > 1 ORDER BY source_path, doc_id
            """,
            [run_id],
        ).fetchall()
        if not rows:
            return [], 0
        dropped = pd.DataFrame({"doc_id": [r[0] for r in rows]}, dtype="string")
        con.register("_repeated", dropped)
        try:
            for table in ("claims", "facts", "documents"):
                con.execute(
                    f"DELETE FROM staging.{table} WHERE doc_id IN (SELECT doc_id FROM _repeated)"
                )
        finally:
            con.unregister("_repeated")
        rejections = [
            Rejection(
                source_path=path,
                reason="duplicate_text",
                detail=(
                    f"the same text as {kept_path} (doc_id {kept_id!r}); its claims are "
                    "published once, under that document"
                ),
            )
            for _, path, kept_id, kept_path, _ in rows
        ]
        return rejections, sum(1 for *_, extracted in rows if extracted)

    def stage_relations(
        self, relations: Sequence[Relation] | pd.DataFrame | Iterable[pa.Table]
    ) -> None:
        """Replace the staged relations: ``Relation`` models, a DataFrame with their columns
        (``crosscheck.cross_check_frame``), which goes to DuckDB in one bulk insert, or Arrow
        tables with them (``crosscheck.cross_check_stream``), each inserted as it comes."""
        self.con.execute("DELETE FROM staging.claim_relations")
        if isinstance(relations, pd.DataFrame):
            self._insert_frame("staging.claim_relations", RELATION_COLUMNS, relations)
        elif isinstance(relations, Sequence):
            frame = pd.DataFrame([r.model_dump() for r in relations], columns=RELATION_COLUMNS)
            self._insert_frame("staging.claim_relations", RELATION_COLUMNS, frame)
        else:
            cols = ", ".join(RELATION_COLUMNS)
            # DuckDB keeps the blocks it writes cached up to its memory limit (by default most
            # of the machine's RAM): while cross-checking's slices come, it is held to a bound
            # (a million claims' run peaked at 1,988 MiB unbounded, 1,727 MiB bounded to 256MB),
            # then set back to its default (nothing here sets another).
            self.con.execute(f"SET memory_limit = '{_INSERT_MEMORY}'")
            try:
                for table in relations:
                    self.con.register("_incoming", table)
                    try:
                        self.con.execute(
                            f"INSERT INTO staging.claim_relations ({cols}) "
                            f"SELECT {cols} FROM _incoming"
                        )
                    finally:
                        self.con.unregister("_incoming")
            finally:
                self.con.execute("RESET memory_limit")

    def staged_as_published(self, tables: Sequence[str] = PUBLISHED_TABLES) -> bool:
        """Whether each staged table holds exactly the published rows (as multisets).

        In SQL rather than in pandas: on an unchanged inbox of thousands of documents this is
        the whole cost of noticing that nothing changed.
        """
        for table in tables:
            cols = ", ".join(_COMPARED.get(table, ["*"]))
            differ = self.con.execute(
                f"""SELECT
                    (SELECT count(*) FROM staging.{table}) <> (SELECT count(*) FROM main.{table})
                    OR EXISTS (
                        SELECT {cols} FROM staging.{table} EXCEPT ALL SELECT {cols} FROM main.{table}
                    )
                """
            ).fetchone()
            if differ is None or differ[0]:
                return False
        return True

    def has_published_run(self) -> bool:
        row = self.con.execute("SELECT count(*) FROM runs WHERE status = 'published'").fetchone()
        return bool(row and row[0])

    def published_crosscheck_key(self) -> str | None:
        """The cross-check key the published relations were computed under: the latest run's
        that published, or that read documents and skipped the gate because everything it
        staged, relations included, was what is published (so after a code change that moved
        no relation, the next unchanged run keeps them instead of cross-checking again)."""
        row = self.con.execute(
            "SELECT crosscheck_key FROM runs "
            "WHERE status = 'published' OR (status = 'skipped' AND documents > 0) "
            "ORDER BY finished_at DESC NULLS LAST, started_at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else row[0]

    def stage_published_relations(self) -> None:
        """Keep the published relations, stories and documents' stories (nothing that decides
        them changed)."""
        for table in ("claim_relations", "stories"):
            self.con.execute(f"DELETE FROM staging.{table}")
            self.con.execute(f"INSERT INTO staging.{table} SELECT * FROM main.{table}")
        assigned = ", ".join(f"{c} = m.{c}" for c in _CROSSCHECKED)
        self.con.execute(
            f"UPDATE staging.documents s SET {assigned} FROM main.documents m "
            "WHERE s.doc_id = m.doc_id"
        )

    def stage_stories(self, stories: pd.DataFrame, assignments: pd.DataFrame) -> None:
        """Replace the staged stories (``STORY_COLUMNS``) and set each staged document's story
        and effective date (``assignments``: doc_id, story_id, effective_date,
        effective_date_from)."""
        self.con.execute("DELETE FROM staging.stories")
        self._insert_frame("staging.stories", STORY_COLUMNS, stories)
        if assignments.empty:
            return
        self.con.register("_assigned", assignments)
        try:
            self.con.execute(
                """
                UPDATE staging.documents d
                SET story_id = a.story_id,
                    effective_date = a.effective_date,
                    effective_date_from = a.effective_date_from
                FROM _assigned a
                WHERE d.doc_id = a.doc_id
                """
            )
        finally:
            self.con.unregister("_assigned")

    def relation_counts(self, schema: str = "main") -> dict[str, int]:
        rows = self.con.execute(
            f"SELECT relation, count(*) FROM {schema}.claim_relations GROUP BY relation"
        ).fetchall()
        return {kind: n for kind, n in rows}

    def staging_frames(self) -> dict[str, pd.DataFrame]:
        return {t: self.table_frame(t, "staging") for t in PUBLISHED_TABLES}

    def publish(self) -> None:
        """Replace every public table with its staged version in one transaction."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in PUBLISHED_TABLES:
                con.execute(f"DELETE FROM main.{table}")
                con.execute(f"INSERT INTO main.{table} SELECT * FROM staging.{table}")
            failpoint("publish.before_commit")
            con.execute("COMMIT")
        except duckdb.Error as e:
            # After an I/O error DuckDB may have ended the transaction itself; the ROLLBACK's own
            # error ("no transaction is active") must not hide the cause.
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise StoreError(
                f"{self.path}: publish failed and was rolled back: {first_line(e)}"
            ) from e

    def counts(self, schema: str = "main") -> dict[str, int]:
        out = {}
        for table in PUBLISHED_TABLES:
            row = self.con.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out

    # --- reviews and ad-hoc reads ---------------------------------------------------------

    def record_review(
        self, flag: str, decision: str, note: str | None = None, reviewer: str | None = None
    ) -> str:
        """Record a verdict (a key of ``VERDICTS``) on the relation whose id is or starts with
        ``flag``; returns its id. ``reviews`` is never replaced by a run: it survives them all."""
        if decision not in VERDICTS:
            raise StoreError(
                f"{self.path}: unknown verdict {decision!r}; use one of {', '.join(VERDICTS)}"
            )
        matches: list[str] = [
            r[0]
            for r in self.con.execute(
                "SELECT relation_id FROM claim_relations WHERE starts_with(relation_id, ?)", [flag]
            ).fetchall()
        ]
        if not matches:
            raise StoreError(f"{self.path}: no flag {flag!r}; list them with `claims flags`.")
        if len(matches) > 1:
            raise StoreError(
                f"{self.path}: {flag!r} matches {len(matches)} flags; give more of the id."
            )
        self.con.execute(
            "INSERT INTO reviews VALUES (?, ?, ?, ?, now())", [matches[0], decision, note, reviewer]
        )
        return matches[0]

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run SQL and return the last statement's columns and rows.

        On a reader anything but reading the database fails with a clear error: writing it,
        attaching, copying to or reading files, installing extensions, changing settings.
        """
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as e:
            raise StoreError(f"{self.path}: the query failed: {str(e).splitlines()[0]}") from e
        if len(statements) > 1:
            # DuckDB would run them all and return the last result, hiding the others.
            raise StoreError(
                f"{self.path}: give one SQL statement at a time, not {len(statements)} "
                "(they are separated by ';')"
            )
        try:
            cursor = self.con.execute(sql)
            if cursor.description is None:
                return [], []
            return [d[0] for d in cursor.description], cursor.fetchall()
        except duckdb.Error as e:
            first = first_line(e)
            if self.read_only and any(
                word in first.lower()
                for word in (
                    "read-only",
                    "disabled by configuration",
                    "configuration has been locked",
                )
            ):
                raise StoreError(
                    f"{self.path}: queries only read the database; they cannot change it, "
                    f"write or read files, or change settings ({first})"
                ) from e
            raise StoreError(f"{self.path}: the query failed: {first}") from e

    def tables_and_views(self) -> set[str]:
        return tables_and_views(self.con)

    def review_queue(
        self, relations: Sequence[str], *, decided: bool = False
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Flags of the ``relations`` kinds (open ones, or all with ``decided``), conflicts
        first, best score first, with both claims, their sources and the latest verdict."""
        cursor = self.con.execute(
            """
            SELECT relation_id, relation, claim_type, status, round(score, 2) AS score,
                   span_a, outlet_a, published_a, doc_a, span_b, outlet_b, published_b, doc_b,
                   reason, note, reviewer, decided_at
            FROM review_queue
            WHERE list_contains(?, relation) AND (? OR status = 'open')
            ORDER BY CASE relation WHEN 'conflict' THEN 0 WHEN 'update' THEN 1 ELSE 2 END,
                     score DESC, relation_id
            """,
            [list(relations), decided],
        )
        assert cursor.description is not None
        return [d[0] for d in cursor.description], cursor.fetchall()

    # --- what the report, the review UI and the ClaimReview export read ---------------------

    def view_names(self) -> set[str]:
        """``schema.view`` of every view in the file."""
        rows = self.con.execute(
            "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        return {r[0] for r in rows}

    def report_runs(self, run_id: str | None = None, *, every: bool = False) -> pd.DataFrame:
        """``report.runs``: the run ``run_id``, else the newest, or ``every`` run newest first."""
        if every:
            return self.con.execute("SELECT * FROM report.runs ORDER BY recency").df()
        return self.con.execute(
            "SELECT * FROM report.runs WHERE run_id = ? OR (? IS NULL AND recency = 1)",
            [run_id, run_id],
        ).df()

    def latest_published_run(self) -> str | None:
        """The id of the newest run that published."""
        row = self.con.execute(
            "SELECT run_id FROM runs WHERE status = 'published' ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None

    def rejections(self, run_id: str | None) -> pd.DataFrame:
        """The inputs run ``run_id`` rejected, by file."""
        return self.con.execute(
            "SELECT * FROM rejected_documents WHERE run_id = ? ORDER BY source_path", [run_id]
        ).df()

    def repaired_documents(self, run_id: str | None, limit: int | None = None) -> pd.DataFrame:
        """Documents run ``run_id`` extracted that ingest had to repair, with what it did."""
        return self.con.execute(
            "SELECT doc_id, source_path, warnings FROM documents "
            "WHERE extracted_run = ? AND len(warnings) > 0 ORDER BY source_path LIMIT ?",
            [run_id, _cap(limit)],
        ).df()

    def report_totals(self) -> pd.DataFrame:
        """``report.totals``: one row of counts."""
        return self.con.execute("SELECT * FROM report.totals").df()

    def relation_sides(self, limit: int | None = None) -> pd.DataFrame:
        """``report.relation_sides`` of the best ``limit`` relations of each list (claim type
        and relation, best score first), so that a cap keeps the top of every list.

        Ordered as the view's ``sort_key`` orders, without reading it: the view numbers every
        side of every relation, which keeps DuckDB from picking the capped relations first
        (1.6 s instead of 0.4 s at 100,000 relations)."""
        return self.con.execute(
            """
            SELECT * EXCLUDE (sort_key) FROM report.relation_sides WHERE relation_id IN (
                SELECT relation_id FROM claim_relations
                QUALIFY row_number() OVER (
                    PARTITION BY claim_type, relation ORDER BY score DESC, relation_id
                ) <= ?
            )
            ORDER BY
                CASE relation WHEN 'conflict' THEN 1 WHEN 'update' THEN 2 ELSE 3 END,
                score DESC,
                relation_id,
                side_no
            """,
            [_cap(limit)],
        ).df()

    def single_source_claims(self, limit: int | None = None) -> pd.DataFrame:
        """``report.claims`` that no other document relates to, best first."""
        return self.con.execute(
            "SELECT * FROM report.claims WHERE status = 'single-source' ORDER BY sort_key LIMIT ?",
            [_cap(limit)],
        ).df()

    def claim_status_counts(self, doc_ids: Iterable[str]) -> pd.DataFrame:
        """How many claims of each document are in each status (``claim_status``)."""
        return self.con.execute(
            "SELECT doc_id, status, count(*) AS n FROM claim_status "
            "WHERE list_contains(?, doc_id) GROUP BY ALL",
            [sorted(set(doc_ids))],
        ).df()

    def report_facts(self, limit: int | None = None) -> pd.DataFrame:
        """``report.facts``, best first."""
        return self.con.execute(
            "SELECT * FROM report.facts ORDER BY sort_key LIMIT ?", [_cap(limit)]
        ).df()

    def flag_sides(
        self, relations: Sequence[str], only: str | None = None, *, context_chars: int = 0
    ) -> pd.DataFrame:
        """Both sides of every relation of the kinds ``relations`` (or of the one relation
        ``only``) from ``report.relation_sides``, with the claim's offsets, the text around its
        sentence (``window``, ``context_chars`` either side), its document's run and story."""
        with_story = "story_id" in self.columns("documents")
        with_label = with_story and "stories" in self.tables()
        story = "d.story_id" if with_story else "NULL"
        label = "st.label" if with_label else "NULL"
        join = "LEFT JOIN main.stories st ON st.story_id = d.story_id" if with_label else ""
        context = int(context_chars)
        return self.con.execute(
            f"""
            WITH sides AS (
                SELECT s.*,
                       coalesce(q.char_start, f.char_start) AS char_start,
                       coalesce(q.char_end, f.char_end) AS char_end
                FROM report.relation_sides s
                LEFT JOIN main.claims q ON s.claim_type = 'quantity' AND q.claim_id = s.claim_id
                LEFT JOIN main.facts f ON s.claim_type = 'fact' AND f.fact_id = s.claim_id
                WHERE list_contains(?, s.relation) AND (? IS NULL OR s.relation_id = ?)
            ),
            framed AS (
                SELECT sides.*,
                       greatest(0, char_start - span_offset - {context}) AS window_start
                FROM sides
            )
            SELECT framed.*,
                   substr(d.text, window_start + 1,
                          char_start - span_offset + length(sentence) + {context}
                          - window_start) AS window,
                   d.extracted_run,
                   {story} AS story_id,
                   {label} AS story_label
            FROM framed
            JOIN main.documents d ON d.doc_id = framed.doc_id
            {join}
            ORDER BY sort_key
            """,
            [list(relations), only, only],
        ).df()

    def verdicts(self, relation_id: str) -> pd.DataFrame:
        """Every verdict given on one relation, newest first."""
        return self.con.execute(
            "SELECT decision, note, reviewer, decided_at FROM reviews "
            "WHERE relation_id = ? ORDER BY decided_at DESC",
            [relation_id],
        ).df()

    def reviewed_sides(self) -> pd.DataFrame:
        """Both sides of every relation with a verdict, newest verdict first."""
        return self.con.execute(
            """
            SELECT relation_id, relation, side_no, span, sentence, outlet, published, url, title,
                   review, review_note, reviewer, decided_at
            FROM report.relation_sides
            WHERE review IS NOT NULL
            ORDER BY decided_at DESC, relation_id, side_no
            """
        ).df()

    def document_row(self, doc_id: str) -> pd.DataFrame:
        """The ``documents`` row of ``doc_id`` (none when there is no such document)."""
        return self.con.execute("SELECT * FROM documents WHERE doc_id = ?", [doc_id]).df()

    def document_claims(self, doc_id: str) -> pd.DataFrame:
        """``report.claims`` of one document with their offsets, in text order."""
        return self.con.execute(
            "SELECT * FROM report.claims c JOIN main.claims q USING (claim_id) "
            "WHERE c.doc_id = ? ORDER BY q.char_start",
            [doc_id],
        ).df()

    def document_facts(self, doc_id: str) -> pd.DataFrame:
        """``report.facts`` of one document with their offsets, in text order."""
        return self.con.execute(
            "SELECT f.*, q.char_start, q.char_end FROM report.facts f "
            "JOIN main.facts q USING (fact_id) WHERE f.doc_id = ? ORDER BY q.char_start",
            [doc_id],
        ).df()


def _cap(limit: int | None) -> int:
    """A LIMIT for ``limit`` items, where None or 0 means all of them."""
    return limit if limit and limit > 0 else 2**62
