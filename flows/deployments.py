"""How the verify-claims flow runs beyond a single ``claims run``: schedules, serving, Dask.

Every schedule and every choice of task runner lives here, so the flow itself stays one
definition. Three ways to run it:

- ``claims run``: one run now, in this process (``configured_flow``).
- ``claims serve``: a long-running process that serves the flow as a Prefect deployment on a
  cron or interval schedule (``serve``); needs a Prefect server (``PREFECT_API_URL``).
- ``prefect deploy --all``: the deployments in ``prefect.yaml``, for users who run work-pool
  workers instead of a serve process.

Extraction can go out to Dask (``--workers N`` for a local cluster, ``--dask-address`` for an
existing scheduler). Only extraction does: results come back to the flow process, the one
process that ever opens the DuckDB file.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
import sys
import threading
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prefect import Flow
from prefect.runner import Runner
from prefect.states import State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from claims import timings
from claims.errors import ClaimsError
from claims.settings import Settings
from flows.verify_claims import DEFAULT_EXTRACT_AHEAD, verify_claims

DEPLOYMENT_NAME = "scheduled"
DEFAULT_CRON = "0 * * * *"
DASK_SCHEDULER_PORT = 8786
# How long `--dask-address` may take to answer before the run is refused with a clear message.
SCHEDULER_CONNECT_TIMEOUT_S = 5.0
# Extraction batches in flight per Dask worker: enough to keep each busy while the flow
# stages the batch before, few enough that documents waiting in memory stay bounded.
BATCHES_PER_WORKER = 2


def local_cluster_kwargs(workers: int) -> dict[str, Any]:
    """A LocalCluster of ``workers`` single-threaded processes, reachable only from this host.

    spaCy holds the GIL, so extraction scales with processes, not threads.
    """
    return {
        "n_workers": workers,
        "processes": True,
        "threads_per_worker": 1,
        "dashboard_address": None,
        "host": "127.0.0.1",
    }


def task_runner(
    workers: int | None = None, dask_address: str | None = None, processes: int = 1
) -> TaskRunner[Any] | None:
    """The Dask task runner for ``--workers`` / ``--dask-address``, one thread per extraction
    process for ``-j N``, or None for the default (one thread)."""
    if workers is not None and dask_address is not None:
        raise ClaimsError("give --workers (a local cluster) or --dask-address, not both")
    if workers is not None and workers < 1:
        raise ClaimsError(f"--workers {workers}: need at least one worker")
    if workers is None and dask_address is None:
        if processes <= 1:
            return None
        # With one thread, the worker processes wait at the end of every batch for its
        # slowest chunk; a thread per process hands them the next batch's chunks meanwhile.
        return ThreadPoolTaskRunner(max_workers=processes)
    # Imported here: distributed is slow to import and the default path does not need it.
    from prefect_dask import DaskTaskRunner

    if dask_address is not None:
        check_scheduler(dask_address)
        return DaskTaskRunner(address=dask_address)
    assert workers is not None
    return DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(workers))


def check_scheduler(address: str, timeout: float = SCHEDULER_CONNECT_TIMEOUT_S) -> None:
    """Fail at once, naming the address, when no Dask scheduler listens there.

    Without this a wrong address surfaces as a connect timeout deep inside the flow run.
    """
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or not parts.hostname:
        raise ClaimsError(f"--dask-address {address!r}: expected tcp://HOST:PORT")
    try:
        port = parts.port or DASK_SCHEDULER_PORT
    except ValueError:
        raise ClaimsError(f"--dask-address {address!r}: the port is not a number") from None
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except OSError as e:
        raise ClaimsError(
            f"--dask-address {address}: no Dask scheduler answers there ({e.strerror or e}); "
            "start one with `dask scheduler` or use --workers N for a local cluster"
        ) from None


def extract_ahead(workers: int | None) -> int:
    """Batches the flow may submit for extraction before it stages the oldest."""
    return DEFAULT_EXTRACT_AHEAD if workers is None else max(1, BATCHES_PER_WORKER * workers)


class ApiStart:
    """Prefect's temporary API starting in a thread of this process (see :func:`start_api`)."""

    def __init__(self) -> None:
        self.booting = threading.Event()
        """Set once this process has done its share: the API's own process is starting."""
        self._failed: list[BaseException] = []
        self._thread = threading.Thread(target=self._start, name="prefect-api-start", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        from prefect.client.orchestration import get_client

        try:
            with timings.phase("Prefect API start"):
                # Most of this process's share is importing the server's code; done first, so
                # the caller can keep its own work for the seconds the server takes to boot.
                with contextlib.suppress(ImportError):
                    importlib.import_module("prefect.server.api.server")
                self.booting.set()
                with get_client(sync_client=True):
                    pass
        except BaseException as e:
            self._failed.append(e)
        finally:
            self.booting.set()

    def wait(self) -> None:
        """Block until the API answers; raise what stopped it."""
        self._thread.join()
        if self._failed:
            raise self._failed[0]


def start_api() -> ApiStart | None:
    """Start Prefect's temporary API in a thread, unless one is configured.

    Without ``PREFECT_API_URL``, Prefect starts a temporary API in a subprocess when the flow
    begins and waits seconds for it to answer. Started here, that wait can overlap the caller's
    own work (loading the spaCy model); the flow then finds the API running, as ``get_client``
    keeps one temporary server per process. Call ``wait()`` before the flow. None: an API is
    configured (``PREFECT_API_URL``), nothing to start or wait for.
    """
    from prefect.settings import get_current_settings

    current = get_current_settings()
    if current.api.url or not current.server.ephemeral.enabled:
        return None
    return ApiStart()


def preload_gate() -> None:
    """Import the gate's library (Great Expectations, seconds) and build its suites now: for
    a run on a new database, whose every document is new, so the gate runs."""
    with timings.phase("load the gate"):
        from expectations import warm_up

        warm_up()


def configured_flow(
    workers: int | None = None, dask_address: str | None = None, processes: int = 1
) -> Flow[..., State]:
    """The verify-claims flow with the task runner the options ask for."""
    runner = task_runner(workers, dask_address, processes)
    return verify_claims if runner is None else verify_claims.with_options(task_runner=runner)


def flow_parameters(
    paths: Sequence[str | Path], settings: Settings | None = None, *, ahead: int | None = None
) -> dict[str, Any]:
    """The deployment's parameters; paths made absolute, as runs start in another process."""
    params: dict[str, Any] = {"paths": [str(Path(p).resolve()) for p in paths] or None}
    if settings is not None:
        absolute = settings.model_copy(
            update={
                "db": settings.db.resolve(),
                "reports_dir": settings.reports_dir.resolve(),
                "data_dir": settings.data_dir.resolve(),
            }
        )
        params["settings"] = absolute.model_dump(mode="json")
    if ahead is not None:
        params["extract_ahead"] = ahead
    return {k: v for k, v in params.items() if v is not None}


def schedule(cron: str | None, interval: float | None) -> dict[str, Any]:
    """``serve`` keyword arguments for one schedule: an interval in seconds, or a cron line."""
    if cron is not None and interval is not None:
        raise ClaimsError("give --cron or --interval, not both")
    if interval is not None:
        if interval <= 0:
            raise ClaimsError(f"--interval {interval}: must be a positive number of seconds")
        return {"interval": timedelta(seconds=interval)}
    line = cron or DEFAULT_CRON
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=line)
    except ValidationError:
        raise ClaimsError(
            f"--cron {line!r}: not a cron expression (e.g. '0 * * * *' for hourly)"
        ) from None
    return {"cron": line}


def require_api() -> str:
    """The Prefect API URL a served deployment registers with; refuses if there is none."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise ClaimsError(
            "claims serve needs a Prefect server to hold the schedule: start one with "
            "`prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    return str(url)


def serve(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    cron: str | None = None,
    interval: float | None = None,
    name: str = DEPLOYMENT_NAME,
    workers: int | None = None,
    dask_address: str | None = None,
) -> None:
    """Serve the flow as the deployment ``verify-claims/<name>`` until interrupted.

    Each scheduled run reads ``paths`` again; documents already published unchanged are not
    extracted again. At most one run at a time: a run due while another is still going waits
    for it (runs of one database never overlap, see ``store.run_lock``).

    Args:
        paths: Files or folders watched (default: the flow's default, ``seeds``).
        settings: The settings of every run (the database, the reports folder, ...), stored
            with the deployment as its ``settings`` parameter.
        cron: Cron schedule (default ``0 * * * *``, hourly); exclusive with ``interval``.
        interval: Seconds between runs.
        name: Deployment name.
        workers: Run extraction on a local Dask cluster of this many processes.
        dask_address: Run extraction on an existing Dask scheduler (``tcp://HOST:PORT``).

    ``PREFECT_RUNNER_SERVER_ENABLE=true`` adds a ``/health`` endpoint on
    ``PREFECT_RUNNER_SERVER_HOST:PORT`` (the compose file's health check uses it).
    """
    when = schedule(cron, interval)
    flow = configured_flow(workers, dask_address, settings.n_process)
    require_api()
    parameters = flow_parameters(paths, settings, ahead=extract_ahead(workers))
    # What Flow.serve does, with a runner that stops cleanly on SIGTERM (see StoppingRunner).
    runner = StoppingRunner(name=name, limit=1)
    runner.add_flow(
        flow,
        name=name,
        parameters=parameters,
        description="Verify the claims in new or changed articles and publish through the gate.",
        tags=["claims"],
        **when,
    )
    every = f"cron {when['cron']}" if "cron" in when else f"every {interval:g} s"
    print(
        f"serving {flow.name}/{name} ({every}); trigger a run with "
        f"`prefect deployment run '{flow.name}/{name}'`; stop with Ctrl-C or SIGTERM",
        flush=True,
    )
    asyncio.run(runner.start())


class StoppingRunner(Runner):
    """A Prefect runner whose SIGTERM handler stops it on its event loop.

    Prefect's own handler calls the runner's ``stop`` from inside the running loop, where it
    returns a coroutine that nobody awaits ("coroutine 'Runner.astop' was never awaited"), and
    exits; this one schedules the stop on the loop, so running flow runs are cancelled the way
    ``stop`` means to and ``serve`` returns.
    """

    _stopping: asyncio.Task[None] | None = None

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
        self._logger.info("SIGTERM received, stopping the runner")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            sys.exit(0)
        if not self.started:
            sys.exit(0)
        self._stopping = loop.create_task(self.astop())
