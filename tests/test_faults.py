"""Crashes and concurrency lose nothing: real `claims run` processes killed with SIGKILL.

A first good run publishes the seeds (state P) and a reviewer records a decision. A second
corpus (one seed edited, two new articles) is run cleanly on a copy to learn the state it
publishes (state N). Then, on one database, runs over that corpus are killed at each
failpoint (``claims/failpoints.py``) in turn: each leaves the public tables exactly P or
exactly N, never a mix; the reviews are untouched; the lock is free again; and the next run
(the next killed one, and finally a normal one) opens the database, so DuckDB's WAL recovery
works. Every run is a separate process talking to the session's Prefect API, so a run costs
its imports and its work (~5-15 s here) rather than a Prefect server start as well.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from claims.cli import main
from claims.failpoints import ENV, POINTS, parse
from claims.store import PUBLISHED_TABLES

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
RUN_TIMEOUT = 240
EDITED_SEED = "002_9a6e5357df07f2d3.txt"
NEW_ARTICLES = {
    "005_wire.txt": "---\noutlet: Wire\npublished: 2024-09-03\n---\n"
    "Defense ministers from about 50 countries met at Ramstein air base on Tuesday.\n\n"
    "The United States announced a further $250 million in military aid for Ukraine.\n",
    "006_blog.txt": "---\noutlet: Field Notes\npublished: 2024-09-05\n---\n"
    "More than 54 allies have now pledged air defence systems, officials said.\n\n"
    "Russia annexed Crimea in 2014, and Ukraine has not recognised the annexation.\n",
}


# --- the failpoint module itself -------------------------------------------------------------


def test_an_unknown_failpoint_or_action_is_refused_rather_than_never_firing() -> None:
    assert parse(None) is None and parse("") is None
    assert parse("stage.batch") == ("stage.batch", signal.SIGKILL)
    assert parse("stage.batch:stop") == ("stage.batch", signal.SIGSTOP)
    with pytest.raises(ValueError, match=r"no failpoint 'stage\.btach'"):
        parse("stage.btach")
    with pytest.raises(ValueError, match="action must be one of"):
        parse("stage.batch:explode")


def test_an_armed_failpoint_kills_its_process_and_no_other_point_fires(tmp_path: Path) -> None:
    code = "from claims.failpoints import failpoint as f; f('extract.document'); print('on')\n"
    code += "f('stage.batch'); print('never')"
    env = {**os.environ, ENV: "stage.batch"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    assert done.stdout == "on\n"


def test_a_stop_failpoint_freezes_the_process_until_sigcont() -> None:
    code = "from claims.failpoints import failpoint; failpoint('stage.batch'); print('resumed')"
    env = {**os.environ, ENV: "stage.batch:stop"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        wait_until(lambda: process_state(proc.pid) == "T", "the process to stop", proc)
        os.kill(proc.pid, signal.SIGCONT)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, out) == (0, "resumed\n")


# --- helpers ---------------------------------------------------------------------------------


def process_state(pid: int) -> str:
    """The one-letter state in /proc/PID/stat (R, S, T = stopped, Z = zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[0]


def wait_until(
    condition: object, what: str, proc: subprocess.Popen | None = None, timeout: float = 180
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the process exited ({proc.returncode}) before {what}")
        time.sleep(0.1)


@dataclass
class Cli:
    """Runs `claims` in a child process against the session's Prefect API."""

    api_url: str
    home: Path

    def env(self, failpoint: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
        env.update(
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="60",
            PREFECT_HOME=str(self.home),
            PREFECT_API_URL=self.api_url,
            # Small batches: a crash "after a batch is staged" then leaves later ones unstaged.
            CLAIMS_BATCH_SIZE="2",
        )
        if failpoint:
            env[ENV] = failpoint
        return env

    def start(self, corpus: Path, db: Path, failpoint: str | None = None) -> subprocess.Popen:
        reports = db.parent / f"{db.stem}-reports"
        argv = ["run", str(corpus), "--db", str(db), "--reports", str(reports), "-q"]
        return subprocess.Popen(
            [sys.executable, "-m", "claims.cli", *argv],
            env=self.env(failpoint),
            cwd=db.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(
        self, corpus: Path, db: Path, failpoint: str | None = None
    ) -> subprocess.CompletedProcess:
        proc = self.start(corpus, db, failpoint)
        try:
            out, err = proc.communicate(timeout=RUN_TIMEOUT)
        finally:
            proc.kill()
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


@dataclass(frozen=True)
class State:
    """The public tables and the reviews, as sorted rows.

    ``documents.extracted_run`` names the run that extracted each document, which differs
    between two runs that publish the same thing; it is kept apart as a map so that states
    compare by content, and checked separately.
    """

    tables: Mapping[str, list[tuple]]
    extracted_run: Mapping[str, str | None]
    reviews: list[tuple]

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def state(db: Path) -> State:
    con = connect(db)
    try:
        tables = {
            t: con.execute(
                f"SELECT * {'EXCLUDE (extracted_run)' if t == 'documents' else ''} "
                f"FROM main.{t} ORDER BY ALL"
            ).fetchall()
            for t in PUBLISHED_TABLES
        }
        extracted = dict(con.execute("SELECT doc_id, extracted_run FROM documents").fetchall())
        reviews = con.execute("SELECT * FROM reviews ORDER BY ALL").fetchall()
    finally:
        con.close()
    return State(tables, extracted, reviews)


def latest_run(db: Path) -> tuple[str, str]:
    con = connect(db)
    try:
        row = con.execute(
            "SELECT run_id, status FROM runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return row[0], row[1]


def lock_is_free(db: Path) -> bool:
    lock = db.with_name(db.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst


# --- the corpora and the two reference states ------------------------------------------------


@dataclass(frozen=True)
class World:
    cli: Cli
    corpus: Path
    base_db: Path
    before: State
    after: State
    before_run: str
    flag: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[World]:
    from prefect.settings import PREFECT_API_URL

    root = tmp_path_factory.mktemp("faults")
    cli = Cli(api_url=str(PREFECT_API_URL.value()), home=root / "prefect-home")
    corpus = root / "inbox"
    shutil.copytree(SEEDS, corpus)
    with (corpus / EDITED_SEED).open("a", encoding="utf-8") as f:
        f.write("\nOfficials later said more than 40 countries had sent aid to Ukraine.\n")
    for name, text in NEW_ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")

    base = root / "base.duckdb"
    done = cli.run(SEEDS, base)
    assert done.returncode == 0, done.stderr
    con = connect(base)
    [(flag,)] = con.execute(
        "SELECT relation_id FROM claim_relations WHERE relation = 'conflict'"
    ).fetchall()
    con.close()
    assert main(["review", flag, "--dismiss", "--note", "kept by hand", "--db", str(base)]) == 0
    before = state(base)
    before_run, _ = latest_run(base)

    clean = copy_db(base, root / "clean.duckdb")
    done = cli.run(corpus, clean)
    assert done.returncode == 0, done.stderr
    after = state(clean)
    assert after.tables != before.tables, "the new corpus must change what is published"
    assert after.reviews == before.reviews
    yield World(cli, corpus, base, before, after, before_run, flag)


def assert_before_or_after(world: World, db: Path, point: str) -> str:
    """The published state is exactly P or exactly N; returns which."""
    now = state(db)
    assert now.reviews == world.before.reviews, f"{point}: reviews changed"
    if now.tables == world.before.tables:
        assert now.extracted_run == world.before.extracted_run, point
        return "before"
    assert now.tables == world.after.tables, f"{point}: published tables are neither P nor N"
    # Unchanged documents keep the run that extracted them; the rest name one new run.
    carried = {d for d, r in world.before.extracted_run.items() if now.extracted_run[d] == r}
    new_runs = {now.extracted_run[d] for d in now.extracted_run if d not in carried}
    assert len(new_runs) == 1 and world.before_run not in new_runs, (point, new_runs)
    return "after"


# --- killed runs -----------------------------------------------------------------------------

# The order matters: the first three must leave P, so the next one still has work to publish.
CHAIN = [
    ("extract.document", "before"),
    ("stage.batch", "before"),
    ("publish.before_commit", "before"),
    ("publish.before_checkpoint", "after"),
]


def test_runs_killed_at_each_failpoint_publish_all_or_nothing_and_the_next_run_completes(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "chain.duckdb")
    checked = 0
    for point, expected in CHAIN:
        done = world.cli.run(world.corpus, db, failpoint=point)
        assert done.returncode == -signal.SIGKILL, (point, done.returncode, done.stderr[-2000:])
        assert lock_is_free(db), f"{point}: the kernel releases a dead process's flock"
        if point == "publish.before_checkpoint":
            wal = db.with_name(db.name + ".wal")
            assert wal.is_file() and wal.stat().st_size > 0, "the commit is only in the WAL"
        assert assert_before_or_after(world, db, point) == expected, point
        checked += state(db).rows
    done = world.cli.run(world.corpus, db)
    assert done.returncode == 0, done.stderr
    assert assert_before_or_after(world, db, "after recovery") == "after"
    # The last kill came after the commit: the new state was published, so nothing is left to
    # publish and the run is recorded as skipped.
    assert latest_run(db)[1] == "skipped"
    assert main(["flags", "--all", "--db", str(db), "--format", "csv"]) == 0
    print(f"{len(CHAIN)} kills, {checked} published rows compared, 0 lost")


def test_a_run_killed_after_publishing_but_before_recording_it_leaves_the_new_state(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "finish.duckdb")
    done = world.cli.run(world.corpus, db, failpoint="publish.before_finish")
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert assert_before_or_after(world, db, "publish.before_finish") == "after"
    # The run's row still says running: it never got to record its end.
    assert latest_run(db)[1] == "running"
    done = world.cli.run(world.corpus, db)
    assert done.returncode == 0, done.stderr
    assert assert_before_or_after(world, db, "the run after") == "after"
    assert latest_run(db)[1] == "skipped"  # the killed run had published it all


def test_every_failpoint_is_exercised_by_a_test() -> None:
    exercised = {p for p, _ in CHAIN} | {"publish.before_finish"}
    assert exercised == set(POINTS)


# --- concurrency and foreign files -----------------------------------------------------------


def one_clear_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("claims: error: ")
    return lines[0]


def test_two_runs_started_at_once_one_runs_and_the_other_refuses_in_one_line(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "busy.duckdb")
    # Whichever takes the lock freezes after its first staged batch, holding the lock, so the
    # other is sure to find it taken however the two are scheduled.
    procs = [world.cli.start(world.corpus, db, failpoint="stage.batch:stop") for _ in range(2)]
    try:
        wait_until(
            lambda: (
                sorted("exited" if p.poll() is not None else process_state(p.pid) for p in procs)
                == ["T", "exited"]
            ),
            "one run to refuse and the other to hold the lock",
        )
        loser = next(p for p in procs if p.poll() is not None)
        winner = next(p for p in procs if p is not loser)
        _, err = loser.communicate(timeout=10)
        assert loser.returncode == 2
        line = one_clear_line(err)
        assert str(db) in line and "another run is using this database" in line
        assert f"pid {winner.pid}" in line
        os.kill(winner.pid, signal.SIGCONT)
        _, err = winner.communicate(timeout=RUN_TIMEOUT)
        assert winner.returncode == 0, err
    finally:
        for p in procs:
            p.kill()
    assert assert_before_or_after(world, db, "after the concurrent runs") == "after"
    assert lock_is_free(db)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.duckdb", b"meeting notes, not a database\n" * 200, "not a valid DuckDB database"),
        # A real claims database whose first blocks were overwritten (a bad disk, a botched copy).
        ("damaged.duckdb", None, "Corrupt database file"),
    ],
)
def test_a_foreign_or_corrupt_file_at_the_db_path_is_refused_in_one_line_and_left_untouched(
    world: World, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    db = tmp_path / name
    if content is None:
        damaged = bytearray(world.base_db.read_bytes())
        damaged[4096 : 4096 + 8192] = os.urandom(8192)
        content = bytes(damaged)
    db.write_bytes(content)
    done = world.cli.run(world.corpus, db)
    assert done.returncode == 2
    line = one_clear_line(done.stderr)
    assert str(db) in line and message in line
    assert db.read_bytes() == content
    assert not db.with_name(db.name + ".wal").exists()
