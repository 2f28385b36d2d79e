"""The pipeline's stages as plain functions over the library; ``flows/`` wraps each in a task.

Each stage opens the database for as long as it needs it and closes it again, so a stage can
run in any process; the run as a whole is serialised by ``store.run_lock``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from claims import progress
from claims.failpoints import failpoint
from claims.ingest import Source, discover, read_sources
from claims.models import Document, Extraction, Rejection, RunSummary
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
    """Text hashes of the published documents that need not be read again: those the
    current extractor read (an extractor change reads everything again)."""
    from claims.extract import extract_key

    with Store(settings.db) as store:
        return store.published_hashes(extract_key(settings))


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
    """Claims and facts of each document, repeats of a figure within a document merged, and
    what each figure counts read from its sentence."""
    from claims.crosscheck import read_extraction
    from claims.extract import extract_documents, load_nlp

    if not documents:
        return []
    if settings.n_process > 1 and not multiprocessing.current_process().daemon:
        from claims.multicore import extract_in_processes

        extracted: Iterable[Extraction] = extract_in_processes(documents, settings)
    else:
        # One process; also inside a Dask worker, which is a daemon and may not start more.
        one = settings.model_copy(update={"n_process": 1})
        extracted = (
            read_extraction(e, one) for e in extract_documents(documents, one, load_nlp(settings))
        )
    out = []
    for extraction in extracted:
        out.append(extraction)
        failpoint("extract.document")
    return out


def stage_batch(
    batch: IngestBatch, extractions: Sequence[Extraction], summary: RunSummary, settings: Settings
) -> RunSummary:
    """Write a batch into staging and return the summary with its counts added."""
    from claims.extract import extract_key

    with Store(settings.db) as store:
        duplicates = store.stage_batch(
            batch.documents, extractions, summary.run_id, extract_key(settings)
        )
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
    """Carry over unseen published documents, then relate every staged claim across documents.

    When the staged documents, claims and facts are exactly the published ones and the
    published relations were computed under the same settings, lexicons and code, the published
    relations are kept as they are: cross-checking again could only give them back. Anything
    else recomputes every relation, because a relation's score weighs its key terms by their
    rarity across the whole corpus, so one new document can move scores in every block.
    """
    from claims.crosscheck import cross_check_run, crosscheck_key

    key = crosscheck_key(settings)
    with Store(settings.db) as store:
        store.stage_carry_over()
        staged = store.counts("staging")
        keep = store.published_crosscheck_key() == key and store.staged_as_published(
            ("documents", "claims", "facts")
        )
        if keep:
            store.stage_published_relations()
        else:
            claims = store.claims(schema="staging")
            facts = store.facts(schema="staging")
            documents = {d.doc_id: d for d in store.documents(schema="staging")}
            result = cross_check_run(claims, facts, documents, settings)
            store.stage_relations(result.relations)
            store.stage_stories(result.stories.frame(), result.stories.assignments())
        by_kind = store.relation_counts("staging")
    return summary.model_copy(
        update={
            "claims": staged["claims"],
            "facts": staged["facts"],
            "relations": sum(by_kind.values()),
            "agreements": by_kind.get("agree", 0),
            "conflicts": by_kind.get("conflict", 0),
            "updates": by_kind.get("update", 0),
            "crosscheck_key": key,
            "relations_recomputed": not keep,
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
    tables_changed: bool | None = None,
) -> RunSummary:
    """Record the run's outcome in ``runs``."""
    done = summary.model_copy(
        update={
            "tables_changed": tables_changed,
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

    paths = write_report(
        settings.db,
        settings.reports_dir,
        run_id=summary.run_id,
        limit=settings.report_max_items,
        keep=settings.reports_keep,
    )
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
    with Store(settings.db) as store:
        if not store.has_published_run():
            return False  # nothing has passed the gate yet, not even empty tables
        return store.staged_as_published()
