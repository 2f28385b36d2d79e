"""Builders for tests that write a claims database by hand rather than through a run.

A plain module, not fixtures: each test file keeps its own articles and figures and builds them
with these, so the offsets, ids and run counts are computed one way everywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claims.models import Extraction, QuantityClaim, RunSummary
from claims.store import Store

if TYPE_CHECKING:
    from claims.models import Document, FactClaim, Rejection, Relation


def quantity_claim(
    d: Document, span: str, *, sentence_from: str | None = None, **fields: Any
) -> QuantityClaim:
    """A count claim on ``span`` in ``d``, dated to its publication, with an unknown value.

    The claim's id and offsets come from where ``span`` stands in ``d.text``; its sentence runs
    from the previous ". " (or the text's start) to the next one (or the text's end). Give
    ``sentence_from``, the sentence's first words, to pick the sentence and find ``span`` in it
    when the span also stands earlier. ``fields`` set any other ``QuantityClaim`` field.
    """
    if sentence_from is None:
        start = d.text.index(span)
        cut = d.text.rfind(". ", 0, start)
        sentence_start = cut + 2 if cut >= 0 else 0
    else:
        sentence_start = d.text.index(sentence_from)
        start = d.text.index(span, sentence_start)
    end = d.text.find(". ", start)
    base: dict[str, Any] = dict(
        claim_id=QuantityClaim.make_id(d.sha256, start, start + len(span)),
        doc_id=d.doc_id,
        kind="count",
        span=span,
        char_start=start,
        char_end=start + len(span),
        sentence=d.text[sentence_start : end + 1 if end >= 0 else len(d.text)],
        sentence_start=sentence_start,
        value=None,
        low=None,
        high=None,
        low_inclusive=True,
        high_inclusive=True,
        as_of_start=d.published,
        as_of_end=d.published,
        time_basis="published",
    )
    return QuantityClaim(**{**base, **fields})


def publish_state(
    db: Path,
    documents: Sequence[Document],
    claims: Sequence[QuantityClaim],
    relations: Sequence[Relation],
    *,
    run_id: str,
    facts: Sequence[FactClaim] = (),
    started_at: datetime | None = None,
    seconds: float = 0,
    rejections: Sequence[Rejection] = (),
    inputs: Sequence[str] = (),
) -> None:
    """Publish ``documents``, each extracted with its own claims and facts, and ``relations``
    through the Store's staging path, as run ``run_id`` would.

    With ``started_at``, also record that run as published after ``seconds``, its gate passed
    and its counts those of what it published and of ``rejections``; without it no run is
    recorded, for tests that read only the published tables.
    """
    extractions = [
        Extraction(
            doc_id=d.doc_id,
            sha256=d.sha256,
            claims=[c for c in claims if c.doc_id == d.doc_id],
            facts=[f for f in facts if f.doc_id == d.doc_id],
        )
        for d in documents
    ]
    with Store(db) as store:
        store.reset_staging()
        store.stage_batch(documents, extractions, run_id)
        store.stage_relations(relations)
        store.publish()
        store.record_rejections(run_id, rejections)
        if started_at is None:
            return
        kinds = Counter(r.relation for r in relations)
        store.record_run(
            RunSummary(
                run_id=run_id,
                started_at=started_at,
                finished_at=started_at + timedelta(seconds=seconds),
                status="published",
                inputs=list(inputs),
                documents=len(documents),
                documents_extracted=len(documents),
                documents_rejected=len(rejections),
                claims=len(claims),
                facts=len(facts),
                relations=len(relations),
                agreements=kinds["agree"],
                conflicts=kinds["conflict"],
                updates=kinds["update"],
                gate_passed=True,
            )
        )
