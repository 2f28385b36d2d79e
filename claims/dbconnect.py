"""Opening a claims database with DuckDB: readers, writers in place, copies and renames.

``claims.store`` builds its ``Store`` on these; with it, this is the only code that talks to
DuckDB. A reader can read the database and nothing else (``claims query`` runs any SQL it is
given); a file is replaced only by renaming a finished file over it (``install``); a copy is
taken while no writer can change the file (``copy_published``).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from claims import dbfiles
from claims.dbfiles import real_path, wal_path, write_lock
from claims.errors import LockedError, StoreError

# Writers take turns under the write lock; each holds it for moments (a review, a publish's
# rename, a copy of the file), so a writer gives up only when something is stuck.
WRITE_LOCK_TIMEOUT = 60.0
# A reader waits this long for a writer in place (a review: milliseconds) to let go.
READ_TIMEOUT = 10.0


THIS_PROCESS = "this process"


class Busy(Exception):
    """Another connection holds the file in a mode that excludes ours; ``holder`` names it."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


_HOLDER = re.compile(r"Conflicting lock is held in (.*?)(?: \(PID (\d+)\))?(?:\.|$)")


def first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _connect(
    path: Path, shown: Path | str, *, read_only: bool, allowed: Sequence[str] = ()
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` (a real path) with DuckDB. A reader cannot write, attach, copy to or read
    files (but the ``allowed`` ones), or change its settings: ``claims query`` runs whatever
    SQL it is given."""
    config: dict[str, Any] = {"enable_external_access": False} if read_only and not allowed else {}
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.ConnectionException as e:
        # This process already has the file open in the other mode (a server's thread).
        raise Busy(THIS_PROCESS) from e
    except duckdb.IOException as e:
        msg = first_line(e)
        held = _HOLDER.search(msg)
        if held or "Could not set lock" in msg:
            holder = (
                f"{held.group(1)}, pid {held.group(2)}"
                if held and held.group(2)
                else "another process"
            )
            raise Busy(holder) from e
        if "WAL does not match" in msg:
            raise _StaleWal(msg) from e
        raise StoreError(
            f"{shown}: cannot open as a DuckDB database ({msg}); "
            "point --db at a claims database or a new path. The file was not changed."
        ) from e
    except duckdb.Error as e:
        raise StoreError(f"{shown}: cannot open the database: {first_line(e)}") from e
    if read_only:
        locked = con.execute("SELECT current_setting('lock_configuration')").fetchone()
        if locked and locked[0]:
            # Another reader in this process opened the same database first: one instance,
            # already locked down the same way.
            if allowed:
                con.close()
                raise Busy(THIS_PROCESS)
            return con
        if allowed:
            # Only settable once the database is open, and only before access is turned off.
            con.execute("SET allowed_paths = ?", [list(allowed)])
            con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    return con


class _StaleWal(Exception):
    """The WAL beside the file belongs to a file a publish replaced (it crashed between the
    rename and removing the WAL)."""


def _set_aside_stale_wal(real: Path) -> None:
    """Move a WAL that DuckDB says is not the database's out of the way.

    Its writes were read from the old file when that file was replaced (the reviews are copied
    under the write lock, and nothing else is written while a run holds its lock), so nothing
    in it belongs to the current file; it is kept, renamed, for inspection.
    """
    with write_lock(real, WRITE_LOCK_TIMEOUT):
        wal = wal_path(real)
        with contextlib.suppress(FileNotFoundError):
            os.replace(wal, wal.with_name(f"{wal.name}.stale-{datetime.now():%Y%m%d%H%M%S}"))


def open_db(
    path: Path, shown: Path | str, *, read_only: bool, allowed: Sequence[str] = ()
) -> duckdb.DuckDBPyConnection:
    try:
        return _connect(path, shown, read_only=read_only, allowed=allowed)
    except _StaleWal:
        _set_aside_stale_wal(path)
        return _connect(path, shown, read_only=read_only, allowed=allowed)


def open_reader(
    real: Path, shown: Path | str, timeout: float = READ_TIMEOUT, allowed: Sequence[str] = ()
) -> duckdb.DuckDBPyConnection:
    """A read-only connection; waits up to ``timeout`` s for a writer in place to finish."""
    if not real.exists():
        raise StoreError(f"{shown}: no such database; run `claims run` first.")
    if real.is_dir():
        raise StoreError(f"{shown}: is a folder, not a database file.")
    deadline = time.monotonic() + timeout
    while True:
        try:
            return open_db(real, shown, read_only=True, allowed=allowed)
        except Busy as e:
            if time.monotonic() >= deadline:
                if e.holder == THIS_PROCESS:
                    raise LockedError(
                        f"{shown}: this process has the database open with other settings "
                        "(a connection not opened through claims.store); close it first."
                    ) from None
                raise LockedError(
                    f"{shown}: the database is open for writing in another process ({e.holder}) "
                    f"and has been for over {timeout:g} s; open it read-only there "
                    "(`duckdb -readonly`, `duckdb.connect(path, read_only=True)`) and try again."
                ) from None
            time.sleep(0.05)


def fingerprint(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def copy_published(db: Path | str, dst: Path, timeout: float = READ_TIMEOUT) -> None:
    """Copy the published database (and its WAL, if a writer left one) to ``dst``, byte for
    byte, while no writer can change it. The caller holds the write lock."""
    real = real_path(db)
    reader = open_reader(real, db, timeout)
    try:
        before = (fingerprint(real), fingerprint(wal_path(real)))
        try:
            dbfiles.copy_database_file(real, dst)
        except OSError as e:
            dbfiles.remove_database_file(dst)
            raise StoreError(
                f"{dst}: cannot copy the database ({dbfiles.describe_os_error(e)})"
            ) from e
        after = (fingerprint(real), fingerprint(wal_path(real)))
    finally:
        reader.close()
    if before != after:
        # Reading the file through Python released DuckDB's lock on it (POSIX locks are per
        # process), and a writer outside claims got in.
        dbfiles.remove_database_file(dst)
        raise LockedError(
            f"{db}: another process wrote the database while it was copied; try again."
        )


def install(src: Path, real: Path, shown: Path | str) -> None:
    """Rename the finished file ``src`` over ``real``; the old file's WAL, if a writer left
    one, goes with the old file (its writes were copied into ``src``)."""
    if wal_path(src).exists():
        raise StoreError(f"{shown}: the new state was not completely written; nothing changed.")
    stale = wal_path(real).exists()
    try:
        dbfiles.install(src, real)
    except OSError as e:
        raise StoreError(
            f"{shown}: cannot replace the database file ({dbfiles.describe_os_error(e)}); "
            "nothing changed."
        ) from e
    if stale:
        with contextlib.suppress(FileNotFoundError):
            wal_path(real).unlink()


def tables_and_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' "
            "AND NOT internal"
        ).fetchall()
    }


EXPORT_OPTIONS = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER", "jsonl": "FORMAT json"}


def export_table(db: Path | str, table: str, out: Path, fmt: str) -> int:
    """Write a table or view of ``db`` to ``out`` as parquet, csv or jsonl; returns the rows.

    The file appears whole or not at all (written beside ``out``, then renamed), and never
    over the database or a file beside it, by whatever name ``out`` reaches it. The connection
    reads the database only and may write that one file.
    """
    real = real_path(db)
    if dbfiles.is_database_file(out, real):
        raise StoreError(
            f"{out}: that is the database {db} or one of its files; choose another --out."
        )
    if out.is_dir():
        raise StoreError(f"{out}: is a folder; give --out a file name.")
    con = open_reader(real, db)
    try:
        known = tables_and_views(con)
    finally:
        con.close()
    if table not in known:
        raise StoreError(
            f"{db}: no table or view {table!r}; choose one of {', '.join(sorted(known))}"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"{out}: cannot create its folder ({dbfiles.describe_os_error(e)})") from e
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    con = open_reader(real, db, allowed=[str(real_path(tmp))])
    try:
        target = str(real_path(tmp)).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM main.{table}) TO '{target}' ({EXPORT_OPTIONS[fmt]})")
        row = con.execute(f"SELECT count(*) FROM main.{table}").fetchone()
        os.replace(tmp, out)
    except duckdb.Error as e:
        raise StoreError(f"{out}: the export failed: {first_line(e)}") from e
    except OSError as e:
        raise StoreError(f"{out}: cannot write it ({dbfiles.describe_os_error(e)})") from e
    finally:
        con.close()
        with contextlib.suppress(OSError):
            tmp.unlink()
    return int(row[0]) if row else 0
