"""Extraction on Dask publishes exactly what the default runner publishes.

Dask workers only extract; the flow process stages, cross-checks, validates and publishes, so
the database is written by one process whichever runner extracts.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import duckdb
import pytest
from databases import published_rows

from claims.cli import main
from claims.store import PUBLISHED_TABLES

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

pytestmark = pytest.mark.slow


def run_summary(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT status, documents, documents_extracted, documents_unchanged FROM runs"
        ).fetchone()
        assert row is not None
        return row
    finally:
        con.close()


def test_local_dask_cluster_publishes_the_same_tables_as_the_default_runner(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so the five seed articles go out as several tasks over both workers.
    monkeypatch.setenv("CLAIMS_BATCH_SIZE", "2")
    databases = {}
    for name, extra in (("default", []), ("dask", ["--workers", "2"])):
        db = tmp_path / f"{name}.duckdb"
        reports = tmp_path / f"reports-{name}"
        assert main(["run", str(SEEDS), "--db", str(db), "--reports", str(reports), *extra]) == 0
        databases[name] = db

    default, dask = (published_rows(databases[k], with_run=False) for k in ("default", "dask"))
    assert default["claims"], "the seed corpus has claims"
    for table in PUBLISHED_TABLES:
        assert dask[table] == default[table], table
    documents = len(default["documents"])
    assert run_summary(databases["dask"]) == ("published", documents, documents, 0)


def test_extracting_in_worker_processes_publishes_the_same_tables_as_one_process(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claims import multicore

    monkeypatch.setenv("CLAIMS_BATCH_SIZE", "4")  # each batch splits over both processes
    databases = {}
    for name, extra in (("one", []), ("two", ["--processes", "2"])):
        pools = multicore.started
        db = tmp_path / f"{name}.duckdb"
        reports = tmp_path / f"reports-{name}"
        assert main(["run", str(SEEDS), "--db", str(db), "--reports", str(reports), *extra]) == 0
        databases[name] = db
        # Only the second run extracts in worker processes; the flow stops them when it ends.
        assert multicore.started - pools == (name == "two")
        assert not multicore._POOLS
        # -j reached the flow in its settings parameter, not through the environment.
        assert "CLAIMS_N_PROCESS" not in os.environ
    one, two = (published_rows(databases[k], with_run=False) for k in ("one", "two"))
    assert one["claims"]
    for table in PUBLISHED_TABLES:
        assert two[table] == one[table], table


def test_an_unreachable_dask_scheduler_is_refused_with_its_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    # Nothing listens once the socket is closed.
    code = main(["run", str(SEEDS), "--db", str(tmp_path / "x.duckdb"), "--dask-address", address])
    assert code == 2
    err = capsys.readouterr().err
    assert address in err and "no Dask scheduler" in err
    assert not (tmp_path / "x.duckdb").exists()


def test_workers_and_dask_address_cannot_be_combined() -> None:
    with pytest.raises(SystemExit):
        main(["run", "--workers", "2", "--dask-address", "tcp://127.0.0.1:8786"])


def test_local_cluster_listens_only_on_loopback_with_single_threaded_processes() -> None:
    from flows.deployments import local_cluster_kwargs

    kwargs = local_cluster_kwargs(3)
    assert kwargs["host"] == "127.0.0.1"
    assert (kwargs["n_workers"], kwargs["processes"], kwargs["threads_per_worker"]) == (3, True, 1)
    assert kwargs["dashboard_address"] is None


def test_processes_get_a_thread_each_so_the_next_batch_starts_while_one_finishes() -> None:
    """-j N extracts on N threads (each feeding the worker pool); one process keeps one."""
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.deployments import task_runner

    assert task_runner() is None and task_runner(processes=1) is None
    runner = task_runner(processes=3)
    assert isinstance(runner, ThreadPoolTaskRunner)
    assert runner._max_workers == 3


def test_threads_asking_for_the_worker_pool_at_once_get_one_pool() -> None:
    """With a thread per worker process, the first batches ask for the pool together: one pool
    is started, not one per thread (each would start its own worker processes)."""
    import threading

    from claims import multicore
    from claims.settings import Settings

    settings = Settings(n_process=2)
    before = multicore.started
    gate = threading.Barrier(8)
    pools: list[object] = []

    def ask() -> None:
        gate.wait()
        pools.append(multicore.pool(settings))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert multicore.started - before == 1
        assert len({id(p) for p in pools}) == 1
    finally:
        multicore.shutdown()
    assert not multicore._POOLS
