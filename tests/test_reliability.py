"""Reliability as a deployment meets it, through the real CLI and real DuckDB files: readers
held open during runs, reviews made during runs, one database by two names, queries and exports
that try to write, special files in the inbox, full disks, killed runs and their processes, and
every error the CLI can give.

Runs are child processes against the session's Prefect API (``cliruns.Cli``); P and N are the
states of ``cliruns.World``: each run over the world's corpus must leave exactly one of them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from cliruns import (
    RUN_TIMEOUT,
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

from claims import reaper
from claims.dbfiles import RunMarker, run_lock, working_path
from claims.ingest import discover, read_sources
from claims.models import Rejection
from claims.settings import Settings
from claims.store import Store

pytestmark = pytest.mark.slow

ARTICLE = "---\noutlet: Wire\npublished: 2024-09-03\n---\nAbout 40 trucks crossed the border.\n"
# 400 bytes of YAML that expand to 9^9 (387 million) strings when aliases are followed.
ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "title: *h\n"
    "---\nAbout 30 people attended.\n"
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db: Path, sql: str) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- readers and reviews during a run ----------------------------------------------------------

HOLD_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
count = "SELECT count(*) FROM documents"
print(con.execute(count).fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute(count).fetchone()[0], flush=True)
"""


def test_a_reader_held_open_for_a_whole_run_neither_stops_it_nor_sees_it_half_done(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "read.duckdb")
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_READER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        first = int(reader.stdout.readline())
        done = world.cli.run(world.corpus, db)
        assert done.returncode == 0, done.stderr
        out, _ = reader.communicate("\n", timeout=60)
    finally:
        reader.kill()
    # The reader kept the state it opened; the run published the new one beside it.
    assert first == int(out) == len(world.before.tables["documents"])
    assert assert_before_or_after(world, db, "with a reader") == "after"
    assert latest_run(db)[1] == "published"


def test_a_review_made_during_a_run_is_kept_when_the_run_publishes(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "review.duckdb")
    run = world.cli.start(world.corpus, db, failpoint="stage.batch:stop")
    try:
        wait_until(lambda: process_state(run.pid) == "T", "the run to be mid-way", run)
        # A reader holds the file open, so the review cannot write in place: it writes a copy
        # and renames it into place, under the lock the run's publish takes too.
        reader = duckdb.connect(str(db), read_only=True)
        try:
            done = world.cli.command(
                "review", world.flag, "--confirm", "--note", "during the run", "--db", str(db)
            )
        finally:
            reader.close()
        assert done.returncode == 0, done.stderr
        os.kill(run.pid, signal.SIGCONT)
        _, err = run.communicate(timeout=RUN_TIMEOUT)
        assert run.returncode == 0, err
    finally:
        run.kill()
    decisions = rows(db, "SELECT decision, note FROM reviews ORDER BY decided_at")
    assert decisions == [("dismissed", "kept by hand"), ("confirmed", "during the run")]
    assert state(db).tables == world.after.tables


def test_two_runs_through_a_symlink_never_publish_a_wrong_state(
    world: World, tmp_path: Path
) -> None:
    """The second run starts at three moments of the first: as it starts, while it extracts,
    and as it publishes. One refuses in one line, or they run one after the other."""
    for n, offset in enumerate((0.0, 3.0, 7.0)):
        db = copy_db(world.base_db, tmp_path / f"x{n}.duckdb")
        link = tmp_path / f"y{n}.duckdb"
        link.symlink_to(db.name)
        first = world.cli.start(world.corpus, db)
        time.sleep(offset)
        second = world.cli.start(world.corpus, link)
        outcomes = []
        for proc in (first, second):
            _, err = proc.communicate(timeout=RUN_TIMEOUT)
            if proc.returncode != 0:
                assert proc.returncode == 2, err
                assert "another run is using this database" in one_clear_line(err)
            outcomes.append(proc.returncode)
        assert 0 in outcomes, (offset, outcomes)
        assert assert_before_or_after(world, db, f"offset {offset}") == "after"
        assert link.is_symlink(), "publishing replaced the file the link points to, not the link"
        # One database, one set of files: every lock and WAL is named after the real path.
        assert sorted(p.name for p in tmp_path.glob(f"y{n}.duckdb*")) == [link.name]
        assert lock_is_free(db)


# --- query and export cannot write ------------------------------------------------------------


def test_queries_that_would_write_are_refused_and_the_database_is_untouched(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "q.duckdb")
    before = sha256(db)
    writes = [
        f"COPY (SELECT 'junk') TO '{db}'",
        f"COPY claims TO '{tmp_path / 'out.csv'}'",
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
        f"EXPORT DATABASE '{tmp_path / 'dump'}'",
        "INSERT INTO reviews VALUES ('r_x', 'confirmed', NULL, NULL, now())",
        "DROP TABLE claims",
        "SET enable_external_access = true",
        "INSTALL httpfs",
        "SELECT * FROM read_csv('/etc/passwd')",
    ]
    for sql in writes:
        done = world.cli.command("query", sql, "--db", str(db))
        assert done.returncode == 2, (sql, done.stdout, done.stderr)
        line = one_clear_line(done.stderr)
        assert "queries only read the database" in line, (sql, line)
    assert sha256(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [db.name]
    done = world.cli.command("query", "SELECT count(*) AS n FROM claims", "--db", str(db))
    assert done.returncode == 0 and "(1 row)" in done.stdout


def test_export_never_writes_over_the_database_or_its_files(world: World, tmp_path: Path) -> None:
    db = copy_db(world.base_db, tmp_path / "e.duckdb")
    (tmp_path / "alias.duckdb").symlink_to(db.name)
    os.link(db, tmp_path / "hard.duckdb")
    before = sha256(db)
    for target in ("e.duckdb", "e.duckdb.wal", "e.duckdb.lock", "alias.duckdb", "hard.duckdb"):
        done = world.cli.command(
            "export",
            *("--table", "claims", "--format", "csv", "--out", target, "--db", str(db)),
            cwd=tmp_path,
        )
        assert done.returncode == 2, (target, done.stderr)
        assert "is the database" in one_clear_line(done.stderr), target
    os.unlink(tmp_path / "hard.duckdb")
    assert sha256(db) == before
    done = world.cli.command(
        "export", "--format", "csv", "--out", "claims.csv", "--db", str(db), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "claims.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(world.before.tables["claims"])
    assert not list(tmp_path.glob(".*.tmp")), "the export is written beside and renamed"


# --- special files ------------------------------------------------------------------------------


RLO = "\u202e"


@dataclass(frozen=True)
class SpecialRun:
    db: Path
    reports: Path
    run_id: str


@pytest.fixture(scope="module")
def special(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpecialRun]:
    """One run over an inbox of special files, links, an alias bomb, a folder 1,200 levels
    deep and file names with a right-to-left override, with two special files named on the
    command line."""
    root = tmp_path_factory.mktemp("special")
    inbox = root / "inbox"
    inbox.mkdir()
    outside = root / "elsewhere"
    outside.mkdir()
    (inbox / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (outside / "secret.txt").write_text(ARTICLE.replace("40", "41"), encoding="utf-8")
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "loop.txt").symlink_to("loop.txt")
    (inbox / "outside.txt").symlink_to(outside / "secret.txt")
    (inbox / "zero.txt").symlink_to("/dev/zero")
    # A link inside the folder is followed; a second name of a file read already is not.
    (inbox / ".drafts").mkdir()
    (inbox / ".drafts" / "story.txt").write_text(ARTICLE.replace("40", "43"), encoding="utf-8")
    (inbox / "inside.txt").symlink_to(".drafts/story.txt")
    (inbox / "again.txt").symlink_to("good.txt")
    (inbox / "folder").symlink_to(outside)
    (inbox / "bomb.md").write_text(ALIAS_BOMB, encoding="utf-8")
    # "<RLO>gnp.exe.md" shows as "dm.exe.png" where the override is obeyed.
    (inbox / f"{RLO}gnp.exe.md").write_text(
        ARTICLE.replace("outlet: Wire", f"outlet: {RLO}eriW").replace("40", "44"),
        encoding="utf-8",
    )
    (inbox / f"{RLO}fdp.exe.txt").write_text("", encoding="utf-8")  # rejected: empty
    deep = inbox
    for _ in range(1200):
        deep = deep / "d"
        deep.mkdir()  # one level at a time: pathlib's mkdir(parents=True) recurses
    (deep / "deep.txt").write_text(ARTICLE.replace("40", "42"), encoding="utf-8")
    # Named on the command line: a link is followed (the user chose it), but a FIFO or a
    # device is no file to read.
    named_fifo = root / "named-pipe.txt"
    os.mkfifo(named_fifo)
    (root / "named-zero.txt").symlink_to("/dev/zero")

    db = root / "special.duckdb"
    reports = root / "reports"
    done = world.cli.run([inbox, named_fifo, root / "named-zero.txt"], db, reports=reports)
    assert done.returncode == 0, done.stderr
    [(run_id,)] = rows(db, "SELECT run_id FROM runs")
    yield SpecialRun(db, reports, run_id)
    remove_tree(inbox / "d")


def test_special_files_and_symlinks_are_rejected_with_rows_and_never_hang_the_run(
    special: SpecialRun,
) -> None:
    rejected = {
        Path(path).name: reason
        for path, reason in rows(
            special.db,
            f"SELECT source_path, reason FROM rejected_documents WHERE run_id = '{special.run_id}'",
        )
    }
    assert rejected == {
        "pipe.txt": "not_a_file",
        "loop.txt": "symlink_loop",
        "outside.txt": "outside_input",
        "zero.txt": "outside_input",
        "folder": "symlink_folder",
        "bomb.md": "bad_front_matter",
        "named-pipe.txt": "not_a_file",
        "named-zero.txt": "not_a_file",
        "again.txt": "duplicate_file",
        f"{RLO}fdp.exe.txt": "empty",
    }
    published = {Path(p).name for (p,) in rows(special.db, "SELECT source_path FROM documents")}
    assert published == {"good.txt", "inside.txt", "deep.txt", f"{RLO}gnp.exe.md"}


def test_bidi_controls_in_names_and_text_are_isolated_and_shown_not_obeyed(
    world: World, special: SpecialRun
) -> None:
    """In the report a file name's override shows as [U+202E], inside <bdi>, and so does
    every article value; in the CLI's tables too."""
    html = (special.reports / "latest.html").read_text(encoding="utf-8")
    markdown = (special.reports / "latest.md").read_text(encoding="utf-8")
    assert RLO not in html and RLO not in markdown
    assert "[U+202E]fdp.exe.txt</bdi></code>" in html
    assert '<code class="doc"><bdi>[U+202E]gnp.exe.md</bdi></code>' in html
    assert '<bdi class="outlet">[U+202E]eriW</bdi>' in html
    assert "\\[U+202E\\]fdp.exe.txt" in markdown  # brackets escaped as Markdown
    listed = world.cli.command(
        "query", "SELECT doc_id, outlet FROM documents", "--db", str(special.db)
    )
    assert listed.returncode == 0 and RLO not in listed.stdout
    assert "[U+202E]gnp.exe.md" in listed.stdout


def remove_tree(top: Path) -> None:
    """Remove a folder tree bottom-up without recursion (shutil.rmtree recurses, and pytest's
    clean-up of old temporary folders would fail on a tree 1,200 levels deep)."""
    folders = [top]
    for folder in folders:
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for folder in reversed(folders):
        folder.rmdir()


def test_a_yaml_alias_bomb_is_refused_in_under_a_second(tmp_path: Path) -> None:
    path = tmp_path / "bomb.md"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    manifest = tmp_path / "manifest.yaml"
    start = time.perf_counter()
    [rejection] = list(read_sources(discover([path]), Settings()))
    took = time.perf_counter() - start
    assert isinstance(rejection, Rejection) and rejection.reason == "bad_front_matter"
    assert "alias" in rejection.detail
    assert took < 1.0, took
    # The same YAML as a manifest stops the run, as a broken manifest always has, at once.
    manifest.write_text(ALIAS_BOMB.split("---\n")[1].replace("title:", "x.txt:"), "utf-8")
    (tmp_path / "x.txt").write_text("About 30 people.", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(Exception, match="alias"):
        list(read_sources(discover([tmp_path / "x.txt"]), Settings()))
    assert time.perf_counter() - start < 1.0


# --- full disks and other I/O errors -------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes at ``path``: a disk that fills up for real (ENOSPC)."""
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` until ``leave`` bytes are free; returns the filler file."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def assert_failed_run_is_recorded(db: Path, error: str, cause: str) -> None:
    """The failed run's row says failed and why (the run named in the CLI's error line)."""
    run_id = error.split("run ", 1)[1].split(" ", 1)[0]
    [(status, message)] = rows(db, f"SELECT status, error FROM runs WHERE run_id = '{run_id}'")
    assert status == "failed" and cause in message.lower(), (status, message)


def test_a_full_disk_fails_the_run_in_one_line_and_publishes_nothing(
    world: World, tmp_path: Path
) -> None:
    """Two runs on a nearly full disk: one where not even the run's copy fits, one where the
    copy fits but not what the run writes into it. Each fails in one line with the cause,
    publishes nothing and is recorded as failed; once there is room, the next run publishes."""
    base_size = world.base_db.stat().st_size
    for n, leave in enumerate((base_size // 2, base_size + (1 << 20))):
        with small_disk(tmp_path / f"disk{n}", 4 * base_size + (8 << 20)) as disk:
            db = copy_db(world.base_db, disk / "full.duckdb")
            filler = fill(disk, leave)
            done = world.cli.run(world.corpus, db, reports=tmp_path / f"reports{n}")
            assert done.returncode == 2, (leave, done.returncode, done.stderr)
            line = one_clear_line(done.stderr)
            assert "nothing was published" in line and "no space left" in line.lower(), line
            assert assert_before_or_after(world, db, f"leave {leave}") == "before"
            assert not working_path(db).exists(), "the working copy is dropped to free space"
            assert_failed_run_is_recorded(db, line, "no space left")
            if n == 1:
                filler.unlink()
                again = world.cli.run(world.corpus, db, reports=tmp_path / f"reports{n}")
                assert again.returncode == 0, again.stderr
                assert assert_before_or_after(world, db, "after the disk was freed") == "after"


def limit_file_size(limit: int) -> None:
    # SIGXFSZ would kill the process; ignored, a write past the limit fails with EFBIG.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_an_io_error_while_writing_fails_the_run_with_its_cause_and_records_it(
    world: World, tmp_path: Path
) -> None:
    db = copy_db(world.base_db, tmp_path / "fsize.duckdb")
    limit = db.stat().st_size + (64 << 10)
    done = world.cli.run(
        world.corpus, db, preexec_fn=lambda: limit_file_size(limit), reports=tmp_path / "r"
    )
    assert done.returncode == 2, done.stderr
    line = one_clear_line(done.stderr)
    assert "nothing was published" in line and "file too large" in line.lower(), line
    assert assert_before_or_after(world, db, "file size limit") == "before"
    # The failure was recorded at once: it needed only a small write.
    [(status, error)] = rows(db, "SELECT status, error FROM runs ORDER BY started_at DESC LIMIT 1")
    assert status == "failed" and "file too large" in error.lower()


# --- runs that die, and their processes -------------------------------------------------------


def test_earlier_runs_left_running_or_unrecorded_are_marked_when_the_next_run_starts(
    tmp_path: Path,
) -> None:
    """A row an older version left ``running``, and runs the lock file names as dead."""
    db = tmp_path / "dead.duckdb"
    with Store(db) as store:
        store.con.execute(
            "INSERT INTO runs (run_id, started_at, status) VALUES ('old', now(), 'running')"
        )
        dead = [
            RunMarker(pid=7, since="x", run_id="killed", started_at="2024-01-02T03:04:05"),
            RunMarker(
                pid=8, since="x", run_id="full", started_at="2024-01-02T04:00:00", error="disk full"
            ),
        ]
        assert store.mark_abandoned(dead) == ["old", "killed", "full"]
        assert store.mark_abandoned(dead) == [], "recorded once"
    got = {r[0]: r[1:] for r in rows(db, "SELECT run_id, status, error FROM runs")}
    assert got["old"][0] == got["killed"][0] == "abandoned"
    assert "killed, out of memory" in got["killed"][1] and "(pid 7)" in got["killed"][1]
    assert got["full"] == ("failed", "disk full")


def test_the_lock_file_names_a_run_that_died_until_the_next_run_records_it(
    tmp_path: Path,
) -> None:
    db = tmp_path / "marker.duckdb"
    code = (
        "import os, signal, datetime\n"
        "from claims.dbfiles import run_lock\n"
        f"with run_lock({str(db)!r}) as lock:\n"
        "    lock.note_run('r1', datetime.datetime(2024, 1, 2), ['inbox'])\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    with run_lock(db) as lock:
        [dead] = lock.unrecorded
        assert (dead.run_id, dead.inputs) == ("r1", ["inbox"])
    # Not recorded yet: the next holder still sees it.
    with run_lock(db) as lock:
        assert [m.run_id for m in lock.unrecorded] == ["r1"]
        lock.note_recorded()
        lock.note_finished()
    with run_lock(db) as lock:
        assert lock.unrecorded == []
    data = (tmp_path / "marker.duckdb.lock").read_text()
    assert data == "", "a run that finished leaves nothing to record"


def test_a_killed_run_leaves_no_process_behind(tmp_path: Path) -> None:
    """`claims run -j 2` with its own Prefect API server, killed with SIGKILL mid-run: the API
    server, the fork server, the resource tracker and the two extraction workers all end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
    env.update(
        DO_NOT_TRACK="1",
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        CLAIMS_FAILPOINT="stage.batch:stop",
    )
    db = tmp_path / "kill.duckdb"
    argv = ["run", str(Path(__file__).parents[1] / "seeds"), "--db", str(db), "-j", "2", "-q"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "claims.cli", *argv, "--reports", str(tmp_path / "r")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: process_state(proc.pid) == "T", "the run to be mid-way", proc, 300)
        children = reaper.descendants(proc.pid)
        commands = [
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            for pid in children
        ]
        assert sum("uvicorn" in c for c in commands) == 1, commands
        assert sum("forkserver" in c for c in commands) == 3, commands  # the server, 2 workers
        assert sum("resource_tracker" in c for c in commands) == 1, commands
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        wait_until(
            lambda: all(process_state(pid) in ("gone", "Z") for pid in children),
            "every process the run started to end",
            timeout=60,
        )
    finally:
        proc.kill()
    assert lock_is_free(db)


# --- every CLI error: one line, exit 2 ----------------------------------------------------------


@contextlib.contextmanager
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder not even root can write in: a read-only tmpfs."""
    folder = tmp_path / "ro"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode == 0:
        try:
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    if os.geteuid() == 0:
        pytest.skip("cannot mount a read-only folder here, and root writes anywhere")
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        yield folder
    finally:
        folder.chmod(stat.S_IRWXU)


def test_every_cli_error_is_one_line_and_exit_status_2(world: World, tmp_path: Path) -> None:
    with contextlib.ExitStack() as stack:
        walk_cli_errors(world, tmp_path, stack)


def walk_cli_errors(world: World, tmp_path: Path, stack: contextlib.ExitStack) -> None:
    db = copy_db(world.base_db, tmp_path / "ok.duckdb")
    foreign = tmp_path / "notes.duckdb"
    foreign.write_bytes(b"meeting notes\n" * 500)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    hard = tmp_path / "twice.duckdb"
    os.link(copy_db(world.base_db, tmp_path / "once.duckdb"), hard)
    ro = stack.enter_context(read_only_folder(tmp_path))
    seeds = str(Path(__file__).parents[1] / "seeds")
    cases: list[tuple[list[str], dict[str, str], str]] = [
        (["run", str(tmp_path / "nope")], {}, "no such file or directory"),
        (["run", seeds, "--db", str(tmp_path)], {}, "is a folder"),
        (["run", seeds, "--db", str(ro / "c.duckdb")], {}, "cannot write in its folder"),
        (["run", seeds, "--db", str(foreign)], {}, "not a valid DuckDB database"),
        (["run", seeds, "--db", str(hard)], {}, "hard links"),
        (["run", seeds, "--db", str(db), "--reports", str(a_file)], {}, "must be a folder"),
        (["run", seeds, "--db", str(db)], {"CLAIMS_BATCH_SIZE": "zero"}, "CLAIMS_BATCH_SIZE"),
        (["run", seeds, "--db", str(db)], {"CLAIMS_FAILPOINT": "nowhere"}, "no failpoint"),
        (["run", seeds, "-j", "0"], {}, "must be 1 or more"),
        (["report", "--db", str(db), "--out", str(a_file)], {}, "must be a folder"),
        (["report", "--db", str(tmp_path / "none.duckdb")], {}, "no such database"),
        (["flags", "--db", str(tmp_path / "none.duckdb")], {}, "no such database"),
        (["flags", "--db", str(foreign)], {}, "not a valid DuckDB database"),
        (["review", "r_nope", "--dismiss", "--db", str(db)], {}, "no flag 'r_nope'"),
        (["review", "r_", "--dismiss", "--db", str(tmp_path / "none.duckdb")], {}, "no such"),
        (["review", "r_", "--db", str(db)], {}, "one of the arguments"),
        (["query", "SELEC 1", "--db", str(db)], {}, "the query failed"),
        (["query", "SELECT 1", "--db", str(tmp_path / "none.duckdb")], {}, "no such database"),
        (["export", "--table", "nope", "--db", str(db)], {}, "no table or view 'nope'"),
        (["export", "--format", "csv", "--out", str(db), "--db", str(db)], {}, "is the database"),
        (["export", "--out", str(db), "--db", str(db)], {}, "cannot tell the format"),
        (["export", "--out", f"{tmp_path}/none/", "--db", str(db)], {}, "no such folder"),
        (["export", "--out", str(ro / "x.parquet"), "--db", str(db)], {}, "x.parquet"),
        (["frobnicate"], {}, "invalid choice"),
    ]
    with run_lock(db):
        cases.append((["run", seeds, "--db", str(db)], {}, "another run is using"))
        for argv, env, expected in cases:
            done = subprocess.run(
                [sys.executable, "-m", "claims.cli", *argv],
                env={**world.cli.env(), **env},
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
            )
            assert done.returncode == 2, (argv, done.returncode, done.stderr[-3000:])
            line = one_clear_line(done.stderr)
            assert expected in line, (argv, line)
    assert foreign.read_bytes() == b"meeting notes\n" * 500
    assert json.dumps(state(db).tables, default=str) == json.dumps(world.before.tables, default=str)


def test_a_wal_left_beside_a_replaced_file_is_set_aside_not_replayed(tmp_path: Path) -> None:
    """A crash between renaming a new file into place and removing the old file's WAL leaves a
    WAL that belongs to no file: DuckDB refuses to open the database beside it, so it is moved
    aside (its writes were copied into the new file before the rename)."""
    db = tmp_path / "c.duckdb"
    other = tmp_path / "old.duckdb"
    Store(db).close()
    Store(other).close()
    code = (
        "import duckdb, os, signal, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute(\"INSERT INTO reviews VALUES ('r', 'confirmed', NULL, NULL, now())\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(other)], check=False, timeout=60)
    os.replace(tmp_path / "old.duckdb.wal", tmp_path / "c.duckdb.wal")
    with Store(db, read_only=True) as store:
        assert store.query("SELECT count(*) FROM reviews")[1] == [(0,)]
    assert not (tmp_path / "c.duckdb.wal").exists()
    [aside] = tmp_path.glob("c.duckdb.wal.stale-*")
    assert aside.stat().st_size > 0
