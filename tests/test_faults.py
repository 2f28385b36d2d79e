"""Crashes and concurrency lose nothing: real `claims run` processes killed with SIGKILL.

A first good run publishes the seeds (state P) and a reviewer records a decision. A second
corpus (one seed edited, two new articles) is run cleanly on a copy to learn the state it
publishes (state N). Then, on one database, runs over that corpus are killed at each
failpoint (``claims/failpoints.py``) in turn: each leaves the public tables exactly P or
exactly N, never a mix; the reviews are untouched; the lock is free again; the next run (the
next killed one, and finally a normal one) records the dead one as abandoned and completes.
Every run is a separate process talking to the session's Prefect API, so a run costs its
imports and its work (~5-15 s here) rather than a Prefect server start as well.
`tests/test_reliability.py` holds the rest: readers, symlinks, full disks, special files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cliruns import (
    World,
    assert_before_or_after,
    connect,
    copy_db,
    latest_run,
    lock_is_free,
    one_clear_line,
    process_state,
    state,
    wait_until,
)

from claims.cli import main
from claims.dbfiles import working_path
from claims.failpoints import ENV, POINTS, parse

RUN_TIMEOUT = 240


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


# --- killed runs -----------------------------------------------------------------------------

# The order matters: the first four must leave P, so the next one still has work to publish.
CHAIN = [
    ("extract.document", "before"),
    ("stage.batch", "before"),
    ("publish.before_commit", "before"),
    ("publish.before_swap", "before"),
    ("publish.after_swap", "after"),
]


def statuses(db: Path) -> dict[str, str]:
    con = connect(db)
    try:
        return dict(con.execute("SELECT run_id, status FROM runs").fetchall())
    finally:
        con.close()


def test_runs_killed_at_each_failpoint_publish_all_or_nothing_and_the_next_run_completes(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "chain.duckdb")
    checked = 0
    for i, (point, expected) in enumerate(CHAIN):
        known = set(statuses(db))
        done = world.cli.run(world.corpus, db, failpoint=point)
        assert done.returncode == -signal.SIGKILL, (point, done.returncode, done.stderr[-2000:])
        assert lock_is_free(db), f"{point}: the kernel releases a dead process's flock"
        if point == "publish.before_swap":
            assert working_path(db).is_file(), "the next state was complete, but not in place"
        assert assert_before_or_after(world, db, point) == expected, point
        new = sorted(s for r, s in statuses(db).items() if r not in known)
        # A run killed before the rename is not in the runs table yet: the next run records
        # it as abandoned when it starts. One killed after the rename is there, published.
        assert new == ["abandoned"] * (i > 0) + ["published"] * (expected == "after"), new
        checked += state(db).rows
    done = world.cli.run(world.corpus, db)
    assert done.returncode == 0, done.stderr
    assert not working_path(db).exists()
    assert assert_before_or_after(world, db, "after recovery") == "after"
    # The last kill came after the rename: the new state was published, so nothing is left to
    # publish and the run is recorded as skipped.
    assert latest_run(db)[1] == "skipped"
    counts = sorted(statuses(db).values())
    # The base run, four runs that died before publishing, one that died just after, the last.
    assert counts == ["abandoned"] * 4 + ["published"] * 2 + ["skipped"], counts
    assert main(["flags", "--all", "--db", str(db), "--format", "csv"]) == 0
    print(f"{len(CHAIN)} kills, {checked} published rows compared, 0 lost")


def test_every_failpoint_is_exercised_by_a_test() -> None:
    assert {p for p, _ in CHAIN} == set(POINTS)


# --- concurrency and foreign files -----------------------------------------------------------


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
