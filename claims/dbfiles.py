"""The files of one claims database, and the locks that decide who may write them.

A database is known by its real path: ``--db news.duckdb`` and a symlink to it are one
database, with one set of locks, and DuckDB is always given the real path (it names its WAL after
the path it is given, so two names would mean two WALs). Beside the database::

    news.duckdb              the published database; a run replaces it by an atomic rename
    news.duckdb.wal          DuckDB's write-ahead log, while a writer has the file open in place
    news.duckdb.lock         the run lock: one run at a time; it says which process runs
    news.duckdb.write.lock   the write lock: held briefly by reviews and by a run's publish
    news.duckdb.next         a run's working copy: the next published state
    news.duckdb.edit         a writer's copy, when readers hold the database open

This module does no SQL; ``claims.store`` uses it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from claims.errors import LockedError, StoreError

RUN_LOCK_SUFFIX = ".lock"
WRITE_LOCK_SUFFIX = ".write.lock"
WORKING_SUFFIX = ".next"
EDIT_SUFFIX = ".edit"
WAL_SUFFIX = ".wal"


def real_path(db: Path | str) -> Path:
    """The path DuckDB and the locks use: absolute, with every symlink resolved."""
    return Path(os.path.realpath(Path(db).expanduser()))


def sibling(real: Path, suffix: str) -> Path:
    return real.with_name(real.name + suffix)


def wal_path(path: Path) -> Path:
    return sibling(path, WAL_SUFFIX)


def working_path(db: Path | str) -> Path:
    """Where a run builds the next published state of ``db``."""
    return sibling(real_path(db), WORKING_SUFFIX)


def edit_path(db: Path | str) -> Path:
    return sibling(real_path(db), EDIT_SUFFIX)


def database_files(db: Path | str) -> list[Path]:
    """The database and every file claims or DuckDB keeps beside it."""
    real = real_path(db)
    files = [real]
    for suffix in (WAL_SUFFIX, RUN_LOCK_SUFFIX, WRITE_LOCK_SUFFIX, WORKING_SUFFIX, EDIT_SUFFIX):
        files.append(sibling(real, suffix))
    files += [wal_path(sibling(real, WORKING_SUFFIX)), wal_path(sibling(real, EDIT_SUFFIX))]
    return files


def is_database_file(target: Path, db: Path | str) -> bool:
    """Whether writing ``target`` would write the database or a file beside it (by any name:
    a symlink, a hard link, a relative path)."""
    real_target = real_path(target)
    for known in database_files(db):
        if real_target == known:
            return True
        with contextlib.suppress(OSError):
            if known.exists() and real_target.exists() and os.path.samefile(known, real_target):
                return True
    return False


def check_single_link(real: Path) -> None:
    """Refuse a database with several hard links: a publish renames a new file into place, which
    would leave the other names on the old state for good."""
    try:
        links = os.stat(real).st_nlink
    except FileNotFoundError:
        return
    if links > 1:
        raise StoreError(
            f"{real}: the file has {links} hard links; a run replaces the file, which would "
            "split them into different databases. Use one name, or a symbolic link."
        )


# --- durable file operations -------------------------------------------------------------------


def fsync_path(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def install(src: Path, real: Path) -> None:
    """Make ``src`` the database at ``real`` in one atomic rename, durably.

    Readers that opened the old file keep reading it (the kernel keeps an open file until its
    last reader closes it); readers that open after the rename see the new one.
    """
    fsync_path(src)
    os.replace(src, real)
    fsync_path(real.parent, directory=True)


def remove_database_file(path: Path) -> None:
    """Delete a database file and its WAL, if present (a leftover of a killed process)."""
    for p in (wal_path(path), path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def copy_database_file(real: Path, dst: Path) -> None:
    """Copy the database and its WAL (if any) byte for byte: opening the copy replays the WAL.

    The caller holds a lock that keeps writers off ``real`` (a read-only DuckDB connection to it,
    and the write lock), so the two files are a consistent pair.
    """
    remove_database_file(dst)
    # The WAL first: closing any descriptor of the database file drops every POSIX lock this
    # process holds on it, DuckDB's included, so the database file is read last.
    with contextlib.suppress(FileNotFoundError):
        shutil.copyfile(wal_path(real), wal_path(dst))
    shutil.copyfile(real, dst)


def describe_os_error(e: OSError) -> str:
    """The cause of an I/O error in words: "No space left on device", not the errno."""
    if e.errno == errno.ENOSPC:
        return "no space left on the device"
    if e.errno in (errno.EDQUOT,):
        return "the disk quota is exceeded"
    return e.strerror or str(e)


# --- locks -------------------------------------------------------------------------------------


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as e:
        raise StoreError(
            f"{path}: cannot create the lock file ({describe_os_error(e)}); the database must "
            "be in a folder you can write to."
        ) from e


def _flock(fd: int, timeout: float) -> bool:
    """Take an exclusive flock on ``fd``, waiting up to ``timeout`` seconds; False if not."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


@dataclass
class RunMarker:
    """What the run lock file says about a run: the one holding it, or one that died."""

    pid: int
    since: str
    run_id: str | None = None
    started_at: str | None = None
    inputs: list[str] = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        return f"pid {self.pid} since {self.since}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunMarker:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _parse_lock_file(raw: bytes) -> tuple[RunMarker | None, list[RunMarker]]:
    """(the marker of the run that held the lock last, runs that died earlier and are not yet
    recorded in the database)."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return None, []
    try:
        data = json.loads(text)
        dead = [RunMarker.from_dict(d) for d in data.get("unrecorded", [])]
        return RunMarker.from_dict(data), dead
    except (ValueError, TypeError, AttributeError):
        # Written by an older version: "pid 1234 since 2024-01-02 03:04:05".
        head, _, since = text.partition(" since ")
        pid = head.removeprefix("pid ").strip()
        return RunMarker(pid=int(pid) if pid.isdigit() else 0, since=since), []


class RunLock:
    """The held run lock of one database, and the runs that died before this one.

    The lock file says who holds the lock (for the message a second run gets) and, until they
    are recorded in the database, which earlier runs died without recording their end (killed,
    out of memory, the machine stopped, or a full disk that kept them from recording it): the
    run that takes the lock next records them (``stages.begin_run``), then ``note_recorded``.
    """

    def __init__(self, real: Path, fd: int) -> None:
        self.real = real
        self.fd = fd
        last, dead = _parse_lock_file(os.pread(fd, 1 << 20, 0))
        # A run that finished truncated the file, so a run id left in it is a run that died.
        self.unrecorded = dead + ([last] if last is not None and last.run_id else [])
        self.marker = RunMarker(pid=os.getpid(), since=f"{datetime.now():%Y-%m-%d %H:%M:%S}")
        self.finished = False
        self.depth = 1
        self._write()

    def _write(self) -> None:
        data = {**self.marker.__dict__, "unrecorded": [m.__dict__ for m in self.unrecorded]}
        # Best effort: on a full disk the marker may not be written, and the run goes on.
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, json.dumps(data).encode(), 0)

    def note_recorded(self) -> None:
        """The runs in ``unrecorded`` are in the database now."""
        self.unrecorded = []
        self._write()

    def note_run(self, run_id: str, started_at: datetime, inputs: list[str]) -> None:
        self.marker.run_id = run_id
        self.marker.started_at = started_at.isoformat()
        self.marker.inputs = inputs
        self._write()

    def note_error(self, error: str) -> None:
        """Leave the run's error in the lock file when its end could not be recorded in the
        database (a full disk): the next run records it from here."""
        self.marker.error = error
        self._write()

    def note_finished(self) -> None:
        """The run's outcome is in the database: the next run has nothing to record for it."""
        self.finished = True


_RUN_LOCKS: dict[Path, RunLock] = {}


@contextlib.contextmanager
def run_lock(db: Path | str) -> Iterator[RunLock]:
    """Hold the run lock of ``db`` for a whole run; re-entrant within a process (the CLI takes
    it before it starts the flow, so a busy database is refused before Prefect logs anything,
    and the flow takes it again, so a deployment run is locked too).

    It refuses at once rather than waiting, so a cron job never piles up behind a stuck run; the
    error names the holder. The kernel releases the lock when its process dies, however it dies.
    """
    real = real_path(db)
    held = _RUN_LOCKS.get(real)
    if held is not None:
        held.depth += 1
        try:
            yield held
        finally:
            held.depth -= 1
        return
    fd = _open_lock_file(sibling(real, RUN_LOCK_SUFFIX))
    try:
        if not _flock(fd, 0):
            holder, _ = _parse_lock_file(os.pread(fd, 1 << 20, 0))
            raise LockedError(
                f"{db}: another run is using this database "
                f"({holder.describe() if holder else 'another process'}); "
                "wait for it to finish or use another --db."
            )
        held = RunLock(real, fd)
        _RUN_LOCKS[real] = held
        try:
            yield held
        finally:
            del _RUN_LOCKS[real]
            # Nothing to leave for the next run: this one recorded its end, or never began.
            if (held.finished or held.marker.run_id is None) and not held.unrecorded:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def held_run_lock(db: Path | str) -> RunLock | None:
    """The run lock this process holds on ``db``, if any."""
    return _RUN_LOCKS.get(real_path(db))


class _WriteLock:
    """The write lock of one database in this process: exclusive between threads (a server
    recording reviews from several requests at once) and, by flock, between processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mutex = threading.RLock()
        self.depth = 0
        self.fd: int | None = None


_WRITE_LOCKS: dict[Path, _WriteLock] = {}
_WRITE_LOCKS_MUTEX = threading.Lock()


@contextlib.contextmanager
def write_lock(db: Path | str, timeout: float) -> Iterator[None]:
    """Hold the write lock of ``db``: writers in place, writers' copies and a run's publish take
    turns under it. Each holds it for moments, so a writer waits up to ``timeout`` seconds."""
    real = real_path(db)
    with _WRITE_LOCKS_MUTEX:
        lock = _WRITE_LOCKS.setdefault(real, _WriteLock(sibling(real, WRITE_LOCK_SUFFIX)))
    busy = LockedError(
        f"{db}: another process has been writing this database for over {timeout:g} s; "
        "try again when it is done."
    )
    start = time.monotonic()
    if not lock.mutex.acquire(timeout=timeout):
        raise busy
    try:
        if lock.depth == 0:
            fd = _open_lock_file(lock.path)
            if not _flock(fd, max(0.0, timeout - (time.monotonic() - start))):
                os.close(fd)
                raise busy
            lock.fd = fd
        lock.depth += 1
        try:
            yield
        finally:
            lock.depth -= 1
            if lock.depth == 0 and lock.fd is not None:
                os.close(lock.fd)
                lock.fd = None
    finally:
        lock.mutex.release()
