"""Real `claims` processes for the crash, concurrency and reliability tests.

``Cli`` runs the CLI in a child process against the session's Prefect API; ``State`` is what a
database publishes (the public tables and the reviews); ``World`` is the pair of states the
tests compare against: P, the seeds published with a review, and N, what a run over an edited
corpus publishes on top of P. The ``world`` fixture (conftest.py) builds it once per session.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from claims.cli import main
from claims.failpoints import ENV
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

    def command(self, *argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        """Any `claims` command, in a child process; text output."""
        done: subprocess.CompletedProcess[str] = subprocess.run(
            [sys.executable, "-m", "claims.cli", *argv],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            **kwargs,
        )
        return done

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

    def start(
        self,
        corpus: Path | Sequence[Path],
        db: Path,
        failpoint: str | None = None,
        *,
        reports: Path | None = None,
        extra: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
    ) -> subprocess.Popen:
        reports = reports or db.parent / f"{db.stem}-reports"
        inputs = [str(corpus)] if isinstance(corpus, Path) else [str(c) for c in corpus]
        argv = ["run", *inputs, "--db", str(db), "--reports", str(reports), "-q", *extra]
        return subprocess.Popen(
            [sys.executable, "-m", "claims.cli", *argv],
            env={**self.env(failpoint), **(env or {})},
            preexec_fn=preexec_fn,
            cwd=db.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(
        self,
        corpus: Path | Sequence[Path],
        db: Path,
        failpoint: str | None = None,
        **options: Any,
    ) -> subprocess.CompletedProcess:
        proc = self.start(corpus, db, failpoint, **options)
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


@dataclass(frozen=True)
class World:
    cli: Cli
    corpus: Path
    base_db: Path
    before: State
    after: State
    before_run: str
    flag: str


def build_world(root: Path, api_url: str) -> World:
    """P and N, as real runs publish them (see the module docstring)."""
    cli = Cli(api_url=api_url, home=root / "prefect-home")
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
    return World(cli, corpus, base, before, after, before_run, flag)


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


def one_clear_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("claims: error: ")
    return lines[0]
