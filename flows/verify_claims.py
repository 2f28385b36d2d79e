"""The ``verify-claims`` flow: ingest → extract → stage → cross-check → validate → publish → report.

Every task wraps one library call (``claims.stages``); the flow holds no logic of its own beyond
the order of the stages and the gate's decision. When the staged candidate is identical to what
is published (nothing changed since the last run), there is nothing to validate or publish.

Extraction is the one task submitted to the task runner: by default one background thread (so
reading the next batch and staging the one before overlap extracting this one), a thread per
worker process with ``-j N`` (so the workers start the next batch while this one's last chunk
finishes), or Dask workers when ``flows.deployments`` configures a ``DaskTaskRunner``. Whatever runs it, its results come back
here and only this process writes to DuckDB, which allows one writing process per file.
"""

from __future__ import annotations

import functools
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from claims import multicore, stages, timings
from claims.errors import InputError, describe_failure
from claims.ingest import Source
from claims.models import Document, Extraction, RunSummary, gate_words
from claims.settings import Settings
from claims.store import check_database, run_lock

if TYPE_CHECKING:
    from expectations import GateResult

# Inputs are large and not worth hashing, and a re-run must re-read the files: no task caching.
TASK: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
P = ParamSpec("P")
R = TypeVar("R")


def timed(fn: Callable[P, R]) -> Callable[P, R]:
    """The task's body timed as a phase of the run (``claims run --timings``)."""

    @functools.wraps(fn)
    def body(*args: P.args, **kwargs: P.kwargs) -> R:
        with timings.phase(f"task {fn.__name__}"):
            return fn(*args, **kwargs)

    return body


@task(name="discover", **TASK)
@timed
def discover_inputs(paths: Sequence[str]) -> list[Source] | State:
    try:
        return stages.discover_inputs(paths)
    except InputError as e:
        # A missing inbox is the user's to fix: a failed state with the reason, no traceback.
        return Failed(message=str(e))


@task(name="begin", **TASK)
@timed
def begin_run(summary: RunSummary, settings: Settings) -> RunSummary:
    return stages.start_run(summary, settings)


@task(name="ingest", retries=2, retry_delay_seconds=1, **TASK)
@timed
def ingest(sources: list[Source], known: dict[str, str], settings: Settings) -> stages.IngestBatch:
    return stages.ingest_batch(sources, known, settings)


@task(name="extract", **TASK)
@timed
def extract(documents: list[Document], settings: Settings) -> list[Extraction]:
    return stages.extract_batch(documents, settings)


@task(name="stage", **TASK)
@timed
def stage(
    batch: stages.IngestBatch,
    extractions: list[Extraction],
    summary: RunSummary,
    settings: Settings,
) -> RunSummary:
    return stages.stage_batch(batch, extractions, summary, settings)


@task(name="cross-check", **TASK)
@timed
def cross_check(summary: RunSummary, settings: Settings) -> RunSummary:
    return stages.cross_check_staged(summary, settings)


@task(name="validate", **TASK)
@timed
def validate(settings: Settings) -> GateResult:
    # Imported here, when the gate runs: Great Expectations takes seconds to import, a run
    # with nothing changed skips the gate, and Dask workers load this module only to extract.
    with timings.phase("import great_expectations"):
        from expectations import run_gate

    data_docs = settings.reports_dir / "data_docs"
    return run_gate(stages.staged_frames(settings), data_docs_dir=data_docs)


@task(name="unchanged", **TASK)
@timed
def unchanged(settings: Settings) -> bool:
    return stages.staging_matches_published(settings)


@task(name="publish", **TASK)
@timed
def publish(summary: RunSummary, gate: GateResult | None, settings: Settings) -> RunSummary:
    # Whatever the gate said, the run's row is published; the tables only if it passed.
    if gate is None:
        # Nothing to validate: staged is exactly what is published (it passed the gate then and
        # stays published), or the run read no document. The run published nothing.
        return stages.finish_run(summary, settings, status="skipped", tables_changed=False)
    if gate.passed:
        stages.publish_staged(settings)
        return stages.finish_run(
            summary, settings, status="published", gate_passed=True, tables_changed=True
        )
    return stages.finish_run(
        summary, settings, status="gate_failed", gate_passed=False, failed=gate.failed
    )


@task(name="report", **TASK)
@timed
def report(summary: RunSummary, settings: Settings) -> RunSummary:
    from prefect import get_run_logger
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from claims.report.artifacts import FLAGS_KEY, SUMMARY_KEY, run_artifacts

    done = stages.write_run_report(summary, settings)
    # The run is published by now: a Prefect API that refuses an artifact must not fail it.
    try:
        made = run_artifacts(settings.db, done.run_id, reports_dir=settings.reports_dir)
        create_markdown_artifact(
            made.summary, key=SUMMARY_KEY, description=made.summary_description
        )
        create_table_artifact(made.flags, key=FLAGS_KEY, description=made.flags_description)
    except Exception as e:
        get_run_logger().warning("the run's Prefect artifacts were not published: %s", e)
    return done


# One extraction at a time unless a Dask runner replaces this: spaCy gains nothing from threads.
ONE_THREAD: TaskRunner[Any] = ThreadPoolTaskRunner(max_workers=1)
# Reading the next batch overlaps extracting this one; more only helps with more workers.
DEFAULT_EXTRACT_AHEAD = 2


@flow(name="verify-claims", log_prints=True, task_runner=ONE_THREAD)
def verify_claims(
    paths: list[str] | None = None,
    settings: Settings | None = None,
    extract_ahead: int = DEFAULT_EXTRACT_AHEAD,
) -> State:
    """Verify the claims in the articles under ``paths`` and publish them if the gate passes.

    Args:
        paths: Files or folders to read (default: ``seeds``).
        settings: Everything else: the database, the reports folder, batch sizes, thresholds
            (``claims.settings.Settings``). The CLI builds it once and hands it over; without
            it the flow is the entry point and reads ``CLAIMS_*`` from its environment.
        extract_ahead: Batches submitted for extraction before the oldest is staged; raise it
            to keep more Dask workers busy, at the cost of documents waiting in memory.
    """
    settings = settings or Settings()
    inputs = paths or ["seeds"]
    run_id = str(flow_run.get_id() or uuid.uuid4())
    check_database(settings.db)

    with run_lock(Path(settings.db)):
        summary = stages.new_run(run_id, inputs)
        found = discover_inputs(inputs, return_state=True)
        if found.is_failed():
            # A missing inbox: the run is recorded as failed, with the reason, and ends here.
            summary = stages.fail_run(summary, settings, error=str(found.message))
            return Failed(message=found.message, data=summary)
        sources = cast(list[Source], found.result())
        try:
            summary = begin_run(summary, settings)
            known = stages.published_hashes(settings)
            pending: deque[tuple[stages.IngestBatch, PrefectFuture[list[Extraction]]]] = deque()
            for chunk in stages.batches(sources, settings):
                batch = ingest(chunk, known, settings)
                pending.append((batch, extract.submit(batch.changed, settings)))
                if len(pending) > extract_ahead:
                    ready, extracted = pending.popleft()
                    summary = stage(ready, extracted.result(), summary, settings)
            for ready, extracted in pending:
                summary = stage(ready, extracted.result(), summary, settings)
            summary = cross_check(summary, settings)
            skip = summary.documents == 0 or unchanged(settings)
            gate = None if skip else validate(settings)
            # The last step that can fail the run: once it returns, the run is published.
            summary = publish(summary, gate, settings)
        except BaseException as e:
            stages.fail_run(summary, settings, error=describe_failure(e))
            raise
        finally:
            # Extraction worker processes (`-j N`) live for one flow run: a served flow's run
            # process must exit when its run ends, or the runner waits for it.
            multicore.shutdown()
        summary = report(summary, settings)
    message = summary_line(summary)
    if summary.documents == 0:
        return Failed(message=message, data=summary)
    if summary.status == "skipped":
        return Completed(message=message, data=summary)
    if not summary.gate_passed:
        return Failed(message=message, data=summary)
    return Completed(message=message, data=summary)


# How running out of memory shows when it is not a MemoryError: a library that cannot be
# mapped, DuckDB's own allocator.
def summary_line(summary: RunSummary) -> str:
    """One line for the flow run's final state; says how much of the run was incremental."""
    gate = gate_words(summary.status, summary.gate_passed, summary.documents)
    took = ""
    if summary.finished_at is not None:
        took = f" in {(summary.finished_at - summary.started_at).total_seconds():.1f} s"
    return (
        f"{summary.documents} documents ({summary.documents_extracted} extracted, "
        f"{summary.documents_unchanged} unchanged and not extracted again, "
        f"{summary.documents_rejected} rejected), "
        f"{summary.claims} claims, {summary.facts} facts, {summary.agreements} agreements, "
        f"{summary.conflicts} conflicts, {summary.updates} updates"
        f"{' (kept: nothing changed)' if summary.relations_recomputed is False else ''}; "
        f"gate {gate}{took}"
    )
