"""Chaos: kill real `claims run` processes with SIGKILL at random moments, and check each time
that the published database is exactly as it was before the run (old) or exactly as the run
would leave it (new), never a mix, and that no row is lost: no published row, no review.

    python bench/chaos.py --kills 50                   # the README's figures
    python bench/chaos.py --kills 4 --max-minutes 6    # the short one in .ci/run

Two corpora, A and B, hold the same articles with different texts, so every run has something
to publish: from state A a run over B publishes state B, and back. Both states are learned
first from clean runs, which also time a run (the baseline). Then, one run after another on one
database: the run starts; once it has begun its work (its id appears in the run lock file) it
is killed after a random delay, uniform over a clean run's working time; meanwhile a reader
holds the database open, as an analyst would, and a reviewer records a decision through
`Store`, as the review UI does. After each kill: the state is old, new or mixed; every review
that was recorded must be there; every process the run started must be gone. Runs the delay
outlived finish normally and must succeed. A last clean run shows the database recovers, and
its time is compared with the baseline. Exit status 1 if anything was mixed, lost or left.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims import reaper  # noqa: E402
from claims.cli import prefect_environment  # noqa: E402

SEEDS = REPO / "seeds"
EDITED = "002_9a6e5357df07f2d3.txt"
# The same two extra articles in each corpus, saying different things.
EXTRA = {
    "A": {
        "005_wire.txt": "Defense ministers from about 50 countries met at Ramstein on Tuesday.\n\n"
        "The United States announced a further $250 million in military aid for Ukraine.\n",
        "006_blog.txt": "More than 54 allies have now pledged air defence systems.\n\n"
        "Russia annexed Crimea in 2014, and Ukraine has not recognised the annexation.\n",
    },
    "B": {
        "005_wire.txt": "Defense ministers from nearly 40 countries met at Ramstein on Tuesday.\n\n"
        "The United States announced a further $400 million in military aid for Ukraine.\n",
        "006_blog.txt": "At least 30 allies have now pledged air defence systems.\n\n"
        "Some 12 countries sent engineers to repair the power grid in Kyiv.\n",
    },
}
HEADER = "---\noutlet: {outlet}\npublished: 2024-09-0{day}\n---\n"
TABLES = ("documents", "claims", "facts", "claim_relations")


def make_corpus(root: Path, name: str) -> Path:
    corpus = root / f"corpus-{name}"
    shutil.copytree(SEEDS, corpus)
    if name == "B":
        with (corpus / EDITED).open("a", encoding="utf-8") as f:
            f.write("\nOfficials later said more than 40 countries had sent aid to Ukraine.\n")
    for day, (file, text) in enumerate(EXTRA[name].items(), start=3):
        header = HEADER.format(outlet="Wire" if "wire" in file else "Field Notes", day=day)
        (corpus / file).write_text(header + text, encoding="utf-8")
    return corpus


@dataclass(frozen=True)
class State:
    tables: dict[str, list[tuple]]
    reviews: list[tuple]

    @property
    def rows(self) -> int:
        return sum(len(r) for r in self.tables.values())


def read_state(db: Path) -> State:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {
            t: con.execute(
                f"SELECT * {'EXCLUDE (extracted_run)' if t == 'documents' else ''} "
                f"FROM main.{t} ORDER BY ALL"
            ).fetchall()
            for t in TABLES
        }
        reviews = con.execute("SELECT relation_id, note FROM reviews ORDER BY ALL").fetchall()
    finally:
        con.close()
    return State(tables, reviews)


def missing_rows(expected: State, actual: State) -> int:
    """Rows of ``expected``'s tables that ``actual`` lacks (as multisets)."""
    lost = 0
    for table, rows in expected.tables.items():
        have = Counter(actual.tables[table])
        lost += sum((Counter(rows) - have).values())
    return lost


@dataclass
class Runner:
    api_url: str
    home: Path
    reports: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
        env.update(
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_HOME=str(self.home),
            PREFECT_API_URL=self.api_url,
            # Small batches: more moments at which a run has staged some batches and not others.
            CLAIMS_BATCH_SIZE="2",
        )
        return env

    def start(self, corpus: Path, db: Path) -> subprocess.Popen[str]:
        # Each database its own reports folder: a folder holds one database's reports.
        reports = self.reports / db.stem
        argv = ["run", str(corpus), "--db", str(db), "--reports", str(reports), "-q"]
        return subprocess.Popen(
            [sys.executable, "-m", "claims.cli", *argv],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def began(db: Path, pid: int) -> bool:
    """Whether process ``pid`` holds the run lock and has begun its work (the lock file names
    it with its run id)."""
    try:
        data = json.loads((db.parent / f"{db.name}.lock").read_text() or "{}")
    except (OSError, ValueError):
        return False
    return data.get("pid") == pid and bool(data.get("run_id"))


def timed_run(runner: Runner, corpus: Path, db: Path) -> tuple[float, float]:
    """A clean run: (seconds until it began its work, seconds of work after that)."""
    start = time.monotonic()
    proc = runner.start(corpus, db)
    while not began(db, proc.pid) and proc.poll() is None:
        time.sleep(0.05)
    started = time.monotonic()
    _, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"a clean run failed: {err.strip().splitlines()[-1:]}")
    return started - start, time.monotonic() - started


@dataclass
class Tally:
    kills: int = 0
    finished: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    rows_lost: int = 0
    rows_checked: int = 0
    reviews: int = 0
    review_errors: list[str] = field(default_factory=list)
    leftover: int = 0
    failures: list[str] = field(default_factory=list)


HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM documents").fetchone()[0], flush=True)
sys.stdin.readline()
"""


def hold_reader(db: Path) -> subprocess.Popen[str]:
    """A process that holds ``db`` open read-only (it has read from it) until sent a line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc


def review_later(db: Path, flag: str, note: str, delay: float, done: list[tuple]) -> None:
    """Record a review through Store after ``delay`` s, as the review UI does."""
    from claims.errors import ClaimsError
    from claims.store import Store

    time.sleep(delay)
    try:
        with Store(db) as store:
            store.record_review(flag, "confirmed", note, "chaos")
    except ClaimsError as e:
        done.append(("error", str(e)))
        return
    done.append((flag, note))


def chaos(args: argparse.Namespace, runner: Runner, root: Path) -> int:
    import duckdb

    corpora = {name: make_corpus(root, name) for name in ("A", "B")}
    # The reference states and the baseline time: clean runs A, then B over A.
    reference = root / "reference.duckdb"
    timed_run(runner, corpora["A"], reference)
    states = {"A": read_state(reference)}
    shutil.copy(reference, root / "chaos.duckdb")
    before, work = timed_run(runner, corpora["B"], reference)
    states["B"] = read_state(reference)
    assert states["A"].tables != states["B"].tables
    # A flag both states hold: reviews of it stay meaningful whatever is published.
    ids = {name: {r[0] for r in s.tables["claim_relations"]} for name, s in states.items()}
    flag = sorted(ids["A"] & ids["B"])[0]
    print(f"baseline: a clean run takes {before + work:.1f} s ({before:.1f} s to begin its work)")

    db = root / "chaos.duckdb"
    current = "A"
    rng = random.Random(args.seed)
    tally = Tally()
    expected_reviews: set[tuple] = set()
    deadline = time.monotonic() + args.max_minutes * 60
    n = 0
    while tally.kills < args.kills and time.monotonic() < deadline:
        n += 1
        target = "B" if current == "A" else "A"
        reader = hold_reader(db)  # an analyst's notebook, open through the whole run
        proc = runner.start(corpora[target], db)
        while not began(db, proc.pid) and proc.poll() is None:
            time.sleep(0.02)
        delay = rng.uniform(0, work)
        reviewed: list[tuple] = []
        reviewer = threading.Thread(
            target=review_later,
            args=(db, flag, f"chaos {n}", rng.uniform(0, delay), reviewed),
        )
        reviewer.start()
        time.sleep(delay)
        children = reaper.descendants(proc.pid)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            tally.kills += 1
        proc.wait()
        _, err = proc.communicate()
        if proc.returncode not in (0, -signal.SIGKILL):
            tally.failures.append(f"run {n} exited {proc.returncode}: {err.strip()[-300:]}")
        elif proc.returncode == 0:
            tally.finished += 1
        end = time.monotonic() + 15
        while time.monotonic() < end and any(
            reaper.same_process(pid, started) for pid, started in children.items()
        ):
            time.sleep(0.1)
        tally.leftover += sum(reaper.same_process(pid, t) for pid, t in children.items())
        reviewer.join()
        reader.communicate("\n", timeout=60)
        for item in reviewed:
            if item[0] == "error":
                tally.review_errors.append(item[1])
            else:
                expected_reviews.add(item)
        tally.reviews += len(reviewed)
        now = read_state(db)
        lost = len(expected_reviews - set(now.reviews))
        if now.tables == states[current].tables:
            outcome = "old"
        elif now.tables == states[target].tables:
            outcome, current = "new", target
        else:
            outcome = "mixed"
            lost += min(missing_rows(states[current], now), missing_rows(states[target], now))
        if proc.returncode == -signal.SIGKILL:
            tally.outcomes[outcome] += 1
        elif outcome != "new":
            tally.failures.append(f"run {n} finished but left state {outcome}")
        tally.rows_lost += lost
        tally.rows_checked += now.rows + len(now.reviews)
        if args.verbose:
            print(f"  run {n}: killed after {delay:.1f} s -> {outcome}, {lost} lost")

    # Recovery: a clean run after the last kill publishes the other state.
    target = "B" if current == "A" else "A"
    rec_before, rec_work = timed_run(runner, corpora[target], db)
    recovered = read_state(db).tables == states[target].tables
    statuses = dict(
        duckdb.connect(str(db), read_only=True)
        .execute("SELECT status, count(*) FROM runs GROUP BY status")
        .fetchall()
    )
    report(args, tally, statuses, recovered, (before + work, rec_before + rec_work))
    bad = tally.outcomes["mixed"] or tally.rows_lost or tally.leftover or tally.failures
    return 1 if bad or not recovered or tally.review_errors else 0


def report(
    args: argparse.Namespace,
    tally: Tally,
    statuses: dict[str, int],
    recovered: bool,
    times: tuple[float, float],
) -> None:
    clean, recovery = times
    print(
        f"chaos: {tally.kills} kill -9s of `claims run` at random moments (seed {args.seed}), "
        "a reader open and a review recorded during every run"
    )
    print(
        f"  kills              {tally.kills}  (runs that finished before their delay: {tally.finished})"
    )
    print(f"  old                {tally.outcomes['old']}")
    print(f"  new                {tally.outcomes['new']}")
    print(f"  mixed              {tally.outcomes['mixed']}")
    print(
        f"  rows lost          {tally.rows_lost}  ({tally.rows_checked:,} published rows and "
        f"reviews compared; {tally.reviews} reviews recorded during runs, "
        f"{len(tally.review_errors)} refused)"
    )
    print(f"  processes left     {tally.leftover}")
    print(f"  runs table         {', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}")
    print(
        f"  recovery           {'published' if recovered else 'FAILED'} in {recovery:.1f} s, "
        f"{recovery / clean:.2f}x a clean run ({clean:.1f} s)"
    )
    for line in tally.failures + tally.review_errors:
        print(f"  ! {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50, help="kills to make (default 50)")
    parser.add_argument(
        "--max-minutes", type=float, default=60, help="stop after this long (default 60)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-v", "--verbose", action="store_true", help="a line per run")
    args = parser.parse_args(argv)
    prefect_environment(REPO / ".prefect")
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with tempfile.TemporaryDirectory(prefix="claims-chaos-") as tmp:
        root = Path(tmp)
        with prefect_test_harness(server_startup_timeout=120):
            runner = Runner(str(PREFECT_API_URL.value()), root / "prefect-home", root / "reports")
            return chaos(args, runner, root)


if __name__ == "__main__":
    sys.exit(main())
