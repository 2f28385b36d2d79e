"""Extraction on every core of one machine: whole documents go to worker processes, claims
come back.

spaCy's own ``nlp.pipe(n_process=N)`` ships every parsed ``Doc`` back to the calling process,
and pickling a parsed Doc costs nearly as much as parsing it; sending documents out and only
the (small) ``Extraction`` back does not pay that (``bench/throughput.py`` measures both).
The workers never touch the database, as with Dask: the caller stays the single writer.

A pool is started on first use and lives until ``shutdown`` (the flow calls it when its run
ends: loading the model in each worker takes seconds, so a pool serves a whole run). It uses
``forkserver``: forking a process that runs Prefect's threads could copy a held lock.

Workers die with the process that started them, however it dies: a SIGKILL or the OOM killer
runs no cleanup, and a worker waiting for its next chunk would wait forever (it holds the write
end of its own task queue), keeping the fork server and the resource tracker alive with it.
"""

from __future__ import annotations

import atexit
import math
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from claims.models import Document, Extraction
from claims.settings import Settings

_POOLS: dict[tuple[str, int, str], ProcessPoolExecutor] = {}
# The flow extracts on a thread per worker process: two threads asking at once get one pool.
_POOLS_LOCK = threading.Lock()
# How many pools this process has started: lets a test see that extraction went to workers.
started = 0
# Chunks per worker and batch. One: the flow extracts the next batch on another thread
# meanwhile (a thread per process), so a slow chunk does not leave a core idle at the end of a
# batch, and a whole share of the batch fills the model's batches of passages.
CHUNKS_PER_WORKER = 1


def _warm(settings: Settings, parent: int) -> None:
    die_with(parent)
    from claims.extract import load_nlp

    load_nlp(settings)


def die_with(pid: int) -> None:
    """End this process as soon as process ``pid`` ends (a watcher thread)."""
    try:
        # A pidfd names that very process (no pid reuse) and turns readable when it exits.
        fd: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except OSError:
        fd = None  # a kernel before 5.3: poll instead

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
        else:
            while _alive(pid):
                time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name=f"die-with-{pid}", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _extract(documents: Sequence[Document], settings: Settings) -> list[Extraction]:
    from claims.crosscheck import read_extraction
    from claims.extract import extract_documents

    return [read_extraction(e, settings) for e in extract_documents(documents, settings)]


def pool(settings: Settings) -> ProcessPoolExecutor:
    """The worker pool for ``settings`` (model, process count, lexicons), started once."""
    global started
    key = (settings.spacy_model, settings.n_process, str(settings.data_dir))
    with _POOLS_LOCK:
        if key not in _POOLS:
            started += 1
            executor = ProcessPoolExecutor(
                settings.n_process,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_warm,
                initargs=(settings, os.getpid()),
            )
            _POOLS[key] = executor
            atexit.register(executor.shutdown, wait=True, cancel_futures=True)
        return _POOLS[key]


def extract_in_processes(documents: Sequence[Document], settings: Settings) -> list[Extraction]:
    """``extract_documents`` over ``settings.n_process`` worker processes, in input order,
    each extraction read (``crosscheck.read_extraction``) in its worker."""
    if not documents:
        return []
    one = settings.model_copy(update={"n_process": 1})
    size = math.ceil(len(documents) / (settings.n_process * CHUNKS_PER_WORKER))
    chunks = [list(documents[i : i + size]) for i in range(0, len(documents), size)]
    parts = pool(settings).map(_extract, chunks, [one] * len(chunks))
    return [extraction for part in parts for extraction in part]


def shutdown() -> None:
    """Stop every worker pool (tests; the process's exit does it otherwise)."""
    with _POOLS_LOCK:
        stopping = list(_POOLS.values())
        _POOLS.clear()
    for executor in stopping:
        executor.shutdown(wait=True, cancel_futures=True)
