"""The pipeline's stages as plain functions over the library; ``flows/`` wraps each in a task.

A run works on its own copy of the database (``dbfiles.working_path``): ``begin_run`` makes it,
each stage opens it for as long as it needs it, and ``finish_run`` renames it over the published
file, so readers never see a run's work in progress and never hold a run up. The run as a whole
is serialised by ``dbfiles.run_lock``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from claims import dbfiles, progress
from claims.errors import ClaimsError, ReportNotWritten
from claims.failpoints import failpoint
from claims.ingest import Source, discover, read_sources
from claims.models import Document, Extraction, Rejection, RunSummary
from claims.relationkey import crosscheck_key
from claims.settings import Settings
from claims.store import (
    Store,
    discard_working_copy,
    install_working_copy,
    start_working_copy,
)


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


def batches(sources: Sequence[Source], settings: Settings) -> Iterator[list[Source]]:
    """Consecutive sources, a batch ending at ``settings.batch_size`` files or once its files
    reach ``settings.batch_bytes``: a batch's fixed costs (staging, a model batch, a task run)
    are paid per hundreds of small files, not per 64."""
    batch: list[Source] = []
    size = 0
    for source in sources:
        batch.append(source)
        size += source.size
        if len(batch) >= settings.batch_size or size >= settings.batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def working(settings: Settings, *, views: bool = False) -> Store:
    """The run's working copy of the database, open for writing."""
    return Store.working(dbfiles.working_path(settings.db), views=views)


def new_run(run_id: str, inputs: Sequence[str | Path]) -> RunSummary:
    return RunSummary(run_id=run_id, started_at=datetime.now(), inputs=[str(p) for p in inputs])


def begin_run(settings: Settings, run_id: str, inputs: Sequence[str | Path]) -> RunSummary:
    """``start_run`` of a new run."""
    return start_run(new_run(run_id, inputs), settings)


def start_run(summary: RunSummary, settings: Settings) -> RunSummary:
    """Copy the published database to the run's working file, record there the run as running
    and earlier runs that died as abandoned, and prepare empty staging tables."""
    lock = dbfiles.held_run_lock(settings.db)
    if lock is not None:
        # First: if this run dies from here on, the next one knows it ran.
        lock.note_run(summary.run_id, summary.started_at, summary.inputs)
        if lock.unrecorded:
            # Straight into the published database: were this run to die too, they stay
            # recorded.
            with Store(settings.db) as store:
                store.mark_abandoned(lock.unrecorded)
            lock.note_recorded()
    start_working_copy(settings.db)
    with working(settings, views=True) as store:
        store.mark_abandoned()
        store.record_run(summary)
        store.reset_staging()
    return summary


def published_hashes(settings: Settings) -> dict[str, str]:
    """Text hashes of the published documents that need not be read again: those the
    current extractor read (an extractor change reads everything again)."""
    from claims.extract import extract_key

    with working(settings) as store:
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
    if not documents:
        # Before the imports: the extractor takes most of a second to import (spaCy and its
        # tables), and a run where nothing changed has nothing to extract.
        return []
    from claims.crosscheck import read_extraction
    from claims.extract import extract_documents, load_nlp

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

    with working(settings) as store:
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
    key = crosscheck_key(settings)
    with working(settings) as store:
        store.stage_carry_over()
        repeated, repeated_extracted = store.drop_repeated_texts(summary.run_id)
        store.record_rejections(summary.run_id, repeated)
        staged = store.counts("staging")
        keep = store.published_crosscheck_key() == key and store.staged_as_published(
            ("documents", "claims", "facts")
        )
        if keep:
            store.stage_published_relations()
        else:
            # Imported only here: a run whose claims did not change never needs it.
            from claims.crosscheck import cross_check_stream
            from claims.crosscheck.columns import CLAIM_SCHEMA, DOC_SCHEMA

            # As columns: a million claims as objects would take gigabytes.
            claims = store.columns_of("claims", CLAIM_SCHEMA.names, schema="staging")
            facts = store.facts(schema="staging")
            documents = store.columns_of("documents", DOC_SCHEMA.names, schema="staging")
            # Relations are staged slice by slice as they are made; the stories after them, since
            # dating undated documents by their figures completes them.
            result = cross_check_stream(claims, facts, documents, settings)
            del claims, facts, documents  # cross-checking holds what it still reads of them
            store.stage_relations(result.tables)
            store.stage_stories(result.stories.frame(), result.stories.assignments())
        by_kind = store.relation_counts("staging")
    return summary.model_copy(
        update={
            "documents": summary.documents - len(repeated),
            "documents_extracted": summary.documents_extracted - repeated_extracted,
            "documents_unchanged": summary.documents_unchanged
            - (len(repeated) - repeated_extracted),
            "documents_rejected": summary.documents_rejected + len(repeated),
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
    with working(settings) as store:
        return store.staging_frames()


def publish_staged(settings: Settings) -> None:
    """Replace the public tables of the working copy with the staged ones (published when
    ``finish_run`` installs the copy)."""
    with working(settings) as store:
        store.publish()


def report_path(settings: Settings, run_id: str) -> Path:
    from claims.report import report_paths

    return report_paths(settings.reports_dir, run_id).html


def finish_run(
    summary: RunSummary,
    settings: Settings,
    *,
    status: str,
    gate_passed: bool | None = None,
    failed: Sequence[str] = (),
    tables_changed: bool | None = None,
) -> RunSummary:
    """Record the run's outcome in its working copy and install the copy: what it publishes
    and its row in ``runs`` become visible together, in one rename."""
    done = summary.model_copy(
        update={
            "tables_changed": tables_changed,
            "finished_at": datetime.now(),
            "status": status,
            "gate_passed": gate_passed,
            "failed_expectations": list(failed),
            "report_path": str(report_path(settings, summary.run_id)),
        }
    )
    with working(settings) as store:
        store.record_run(done)
    install_working_copy(settings.db)
    failpoint("publish.after_swap")
    lock = dbfiles.held_run_lock(settings.db)
    if lock is not None:
        lock.note_finished()
    return done


def fail_run(summary: RunSummary, settings: Settings, error: str) -> RunSummary:
    """Drop the run's working copy and record the run as failed in the published database,
    with the documents it rejected; nothing else of it is published.

    The working copy goes first: on a full disk, that frees the space the record needs. If the
    record cannot be written either, the run lock keeps the error and the next run records it.
    """
    done = summary.model_copy(
        update={"finished_at": datetime.now(), "status": "failed", "error": error}
    )
    rejected: list[Rejection] = []
    work = dbfiles.working_path(settings.db)
    if work.exists():
        # Best effort, read-only: after a full disk or an I/O error the file may be unusable.
        with contextlib.suppress(Exception), Store(work, read_only=True) as store:
            rejected = store.rejected_inputs(summary.run_id)
    discard_working_copy(settings.db)
    lock = dbfiles.held_run_lock(settings.db)
    try:
        with Store(settings.db) as store:
            store.record_run(done)
            store.record_rejections(summary.run_id, rejected)
    except Exception:
        # Best effort: the run's own error is the one to report, not this one's.
        if lock is not None:
            lock.note_error(error)
        return done
    if lock is not None:
        lock.note_finished()
    return done


def write_run_report(summary: RunSummary, settings: Settings) -> RunSummary:
    """Write the HTML and Markdown report of the published run (at ``runs.report_path``)."""
    from claims.report import write_report

    try:
        write_report(
            settings.db,
            settings.reports_dir,
            run_id=summary.run_id,
            limit=settings.report_max_items,
            keep=settings.reports_keep,
        )
    except (ClaimsError, OSError) as e:
        cause = dbfiles.describe_os_error(e) if isinstance(e, OSError) else str(e)
        raise ReportNotWritten(summary, cause) from e
    return summary


def staging_matches_published(settings: Settings) -> bool:
    """Whether the staged candidate is, row for row, what is already published.

    It is when no document changed and cross-checking found the same relations. The published
    tables passed the gate when they were published, so validating and publishing an identical
    copy would only cost time (on a large inbox, most of an unchanged run's time).
    """
    with working(settings) as store:
        if not store.has_published_run():
            return False  # nothing has passed the gate yet, not even empty tables
        return store.staged_as_published()
