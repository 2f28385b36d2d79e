"""The pipeline's stages as plain functions over the library; ``flows/`` wraps each in a task.

Each stage opens the database for as long as it needs it and closes it again, so a stage can
run in any process; the run as a whole is serialised by ``store.run_lock``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from claims import progress
from claims.failpoints import failpoint
from claims.ingest import Source, discover, read_sources
from claims.models import Document, Extraction, Rejection, Relation, RunSummary
from claims.settings import Settings
from claims.store import Store

T = TypeVar("T")


@dataclass
class IngestBatch:
    """One batch of read documents: those to extract, those unchanged since they were published."""

    documents: list[Document] = field(default_factory=list)
    changed: list[Document] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    files: int = 0


def discover_inputs(paths: Sequence[str | Path]) -> list[Source]:
    sources = discover(paths)
    progress.current().start(len(sources))
    return sources


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def begin_run(settings: Settings, run_id: str, inputs: Sequence[str]) -> RunSummary:
    """Record the run as running, prepare empty staging tables and read what is published."""
    summary = RunSummary(run_id=run_id, started_at=datetime.now(), inputs=[str(p) for p in inputs])
    with Store(settings.db) as store:
        store.record_run(summary)
        store.reset_staging()
    return summary


def published_hashes(settings: Settings) -> dict[str, str]:
    with Store(settings.db) as store:
        return store.published_hashes()


def ingest_batch(
    sources: Sequence[Source], known: dict[str, str], settings: Settings
) -> IngestBatch:
    """Read a batch of sources; a document whose text hash is already published is not changed."""
    batch = IngestBatch(files=len(sources))
    for item in read_sources(sources, settings):
        if isinstance(item, Rejection):
            batch.rejected.append(item)
            continue
        batch.documents.append(item)
        if known.get(item.doc_id) != item.sha256:
            batch.changed.append(item)
    return batch


def extract_batch(documents: Sequence[Document], settings: Settings) -> list[Extraction]:
    """Claims and facts of each document, repeats of a figure within a document merged."""
    from claims.crosscheck import merge_mentions
    from claims.extract import extract_documents, load_nlp

    if not documents:
        return []
    nlp = load_nlp(settings)
    out = []
    for extraction in extract_documents(documents, settings, nlp):
        merged = merge_mentions(extraction.claims, settings)
        out.append(extraction.model_copy(update={"claims": merged}))
        failpoint("extract.document")
    return out


def stage_batch(
    batch: IngestBatch, extractions: Sequence[Extraction], summary: RunSummary, settings: Settings
) -> RunSummary:
    """Write a batch into staging and return the summary with its counts added."""
    with Store(settings.db) as store:
        duplicates = store.stage_batch(batch.documents, extractions, summary.run_id)
        rejected = [*batch.rejected, *duplicates]
        store.record_rejections(summary.run_id, rejected)
    failpoint("stage.batch")
    accepted = len(batch.documents) - len(duplicates)
    progress.current().advance(
        files=batch.files,
        documents=len(batch.documents) + len(batch.rejected),
        claims=sum(len(e.claims) for e in extractions),
    )
    return summary.model_copy(
        update={
            "documents": summary.documents + accepted,
            "documents_extracted": summary.documents_extracted + len(extractions),
            "documents_unchanged": summary.documents_unchanged + accepted - len(extractions),
            "documents_rejected": summary.documents_rejected + len(rejected),
        }
    )


def cross_check_staged(summary: RunSummary, settings: Settings) -> RunSummary:
    """Carry over unseen published documents, then relate every staged claim across documents."""
    from claims.crosscheck import cross_check

    with Store(settings.db) as store:
        store.stage_carry_over()
        claims = store.claims(schema="staging")
        facts = store.facts(schema="staging")
        documents = {d.doc_id: d for d in store.documents(schema="staging")}
        relations: list[Relation] = cross_check(claims, facts, documents, settings)
        store.stage_relations(relations)
    by_kind = {k: sum(r.relation == k for r in relations) for k in ("agree", "conflict", "update")}
    return summary.model_copy(
        update={
            "claims": len(claims),
            "facts": len(facts),
            "relations": len(relations),
            "agreements": by_kind["agree"],
            "conflicts": by_kind["conflict"],
            "updates": by_kind["update"],
        }
    )


def staged_frames(settings: Settings) -> dict[str, pd.DataFrame]:
    with Store(settings.db) as store:
        return store.staging_frames()


def publish_staged(settings: Settings) -> None:
    with Store(settings.db) as store:
        store.publish()
    failpoint("publish.before_finish")


def finish_run(
    summary: RunSummary,
    settings: Settings,
    *,
    status: str,
    gate_passed: bool | None = None,
    failed: Sequence[str] = (),
    error: str | None = None,
    report_path: str | None = None,
) -> RunSummary:
    """Record the run's outcome in ``runs``."""
    done = summary.model_copy(
        update={
            "finished_at": datetime.now(),
            "status": status,
            "gate_passed": gate_passed,
            "failed_expectations": list(failed),
            "error": error,
            "report_path": report_path,
        }
    )
    with Store(settings.db) as store:
        store.record_run(done)
    return done


def write_run_report(summary: RunSummary, settings: Settings) -> RunSummary:
    """Write the HTML and Markdown report for the run and note its path in ``runs``."""
    from claims.report import write_report

    paths = write_report(settings.db, settings.reports_dir, run_id=summary.run_id)
    done = summary.model_copy(update={"report_path": str(paths.html)})
    with Store(settings.db) as store:
        store.record_run(done)
    return done


def staging_matches_published(settings: Settings) -> bool:
    """Whether the staged candidate is, row for row, what is already published.

    It is when no document changed and cross-checking found the same relations. The published
    tables passed the gate when they were published, so validating and publishing an identical
    copy would only cost time (on a large inbox, most of an unchanged run's time).
    """
    from claims.store import PUBLISHED_TABLES

    with Store(settings.db) as store:
        runs = store.table_frame("runs")
        if not (runs["status"] == "published").any():
            return False  # nothing has passed the gate yet, not even empty tables
        for table in PUBLISHED_TABLES:
            staged, published = store.table_frame(table, "staging"), store.table_frame(table)
            if not _same_rows(staged, published):
                return False
    return True


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal as multisets of rows (row order in a table means nothing)."""
    if len(a) != len(b) or list(a.columns) != list(b.columns):
        return False
    return bool((_row_hashes(a) == _row_hashes(b)).all())


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    """One 64-bit hash per row, sorted; list columns are joined first, as lists do not hash."""

    def flat(value: object) -> object:
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            return value
        return "\x1f".join(map(str, value))

    plain = frame.apply(lambda column: column.map(flat) if column.dtype == object else column)
    hashes = pd.util.hash_pandas_object(plain, index=False)
    return hashes.sort_values(ignore_index=True)
