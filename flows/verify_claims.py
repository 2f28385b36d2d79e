"""The ``verify-claims`` flow: ingest → extract → stage → cross-check → validate → publish → report.

Every task wraps one library call (``claims.stages``); the flow holds no logic of its own beyond
the order of the stages and the gate's decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State

from claims import stages
from claims.ingest import Source
from claims.models import Document, Extraction, RunSummary
from claims.settings import Settings
from claims.store import run_lock
from expectations import GateResult, run_gate

# Inputs are large and not worth hashing, and a re-run must re-read the files: no task caching.
TASK = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="discover", **TASK)
def discover_inputs(paths: Sequence[str]) -> list[Source]:
    return stages.discover_inputs(paths)


@task(name="begin", **TASK)
def begin_run(settings: Settings, run_id: str, paths: Sequence[str]) -> RunSummary:
    return stages.begin_run(settings, run_id, paths)


@task(name="ingest", retries=2, retry_delay_seconds=1, **TASK)
def ingest(sources: list[Source], known: dict[str, str], settings: Settings) -> stages.IngestBatch:
    return stages.ingest_batch(sources, known, settings)


@task(name="extract", **TASK)
def extract(documents: list[Document], settings: Settings) -> list[Extraction]:
    return stages.extract_batch(documents, settings)


@task(name="stage", **TASK)
def stage(
    batch: stages.IngestBatch,
    extractions: list[Extraction],
    summary: RunSummary,
    settings: Settings,
) -> RunSummary:
    return stages.stage_batch(batch, extractions, summary, settings)


@task(name="cross-check", **TASK)
def cross_check(summary: RunSummary, settings: Settings) -> RunSummary:
    return stages.cross_check_staged(summary, settings)


@task(name="validate", **TASK)
def validate(settings: Settings) -> GateResult:
    data_docs = settings.reports_dir / "data_docs"
    return run_gate(stages.staged_frames(settings), data_docs_dir=data_docs)


@task(name="publish", **TASK)
def publish(summary: RunSummary, gate: GateResult, settings: Settings) -> RunSummary:
    if gate.passed:
        stages.publish_staged(settings)
        return stages.finish_run(summary, settings, status="published", gate_passed=True)
    return stages.finish_run(
        summary, settings, status="gate_failed", gate_passed=False, failed=gate.failed
    )


@task(name="report", **TASK)
def report(summary: RunSummary, settings: Settings) -> RunSummary:
    return stages.write_run_report(summary, settings)


@flow(name="verify-claims", log_prints=True)
def verify_claims(
    paths: list[str] | None = None,
    db: str | None = None,
    reports_dir: str | None = None,
    batch_size: int | None = None,
) -> State:
    """Verify the claims in the articles under ``paths`` and publish them to ``db`` if the gate passes.

    Args:
        paths: Files or folders to read (default: ``seeds``).
        db: DuckDB file (default: ``CLAIMS_DB`` or ``claims.duckdb``).
        reports_dir: Where the report goes (default: ``CLAIMS_REPORTS_DIR`` or ``reports``).
        batch_size: Input files per extraction batch (default: ``CLAIMS_BATCH_SIZE``).
    """
    overrides = {"db": db, "reports_dir": reports_dir, "batch_size": batch_size}
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    inputs = paths or ["seeds"]
    run_id = str(flow_run.get_id() or uuid.uuid4())
    settings.db.parent.mkdir(parents=True, exist_ok=True)

    with run_lock(Path(settings.db)):
        sources = discover_inputs(inputs)
        summary = begin_run(settings, run_id, inputs)
        try:
            known = stages.published_hashes(settings)
            for chunk in stages.batches(sources, settings.batch_size):
                batch = ingest(chunk, known, settings)
                summary = stage(batch, extract(batch.changed, settings), summary, settings)
            summary = cross_check(summary, settings)
            gate = validate(settings)
            summary = publish(summary, gate, settings)
            summary = report(summary, settings)
        except BaseException as e:
            stages.finish_run(summary, settings, status="failed", error=f"{type(e).__name__}: {e}")
            raise
    message = summary_line(summary)
    if not summary.gate_passed:
        return Failed(message=message, data=summary)
    return Completed(message=message, data=summary)


def summary_line(summary: RunSummary) -> str:
    gate = "passed" if summary.gate_passed else "FAILED"
    return (
        f"{summary.documents} documents ({summary.documents_extracted} extracted, "
        f"{summary.documents_unchanged} unchanged, {summary.documents_rejected} rejected), "
        f"{summary.claims} claims, {summary.facts} facts, {summary.agreements} agreements, "
        f"{summary.conflicts} conflicts, {summary.updates} updates; gate {gate}"
    )
