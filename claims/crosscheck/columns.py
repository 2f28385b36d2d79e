"""Claims and documents as Arrow columns: the input cross-checking reads.

Cross-checking takes its claims and documents either as pydantic models (library use, tests)
or as Arrow tables (the pipeline's staged rows, a benchmark's million claims): a million
``QuantityClaim`` objects take gigabytes, their columns a few hundred megabytes. Both become
the same columns here, so everything after reads one form. Only the fields cross-checking
reads are kept, and of a document's text only its opening (what stories are told by).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import NamedTuple, TypeAlias, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claims.models import Document, QuantityClaim

LEAD_CHARS = 700  # the opening of a text that stories are told by (``stories``)

_STRINGS = pa.list_(pa.string())


class ClaimRow(NamedTuple):
    """The fields of a ``QuantityClaim`` that cross-checking reads, as one row."""

    claim_id: str
    doc_id: str
    kind: str
    span: str
    char_start: int
    char_end: int
    value: float | None
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    qualifier: str | None
    unit: str | None
    measure: str | None
    key_terms: list[str]
    as_of_start: date | None
    as_of_end: date | None
    time_basis: str
    time_text: str | None
    scope_type: str
    mention_of: str | None
    change: str
    stance: str
    tolerance: float
    measure_factor: float
    counted: str | None
    holder: str | None
    facets: list[str]
    cues: list[str]
    places: list[str]
    context_words: list[str]


_CLAIM_TYPES = {
    **dict.fromkeys(("char_start", "char_end"), pa.int64()),
    **dict.fromkeys(("value", "low", "high", "tolerance", "measure_factor"), pa.float64()),
    **dict.fromkeys(("low_inclusive", "high_inclusive"), pa.bool_()),
    **dict.fromkeys(("as_of_start", "as_of_end"), pa.date32()),
    **dict.fromkeys(("key_terms", "facets", "cues", "places", "context_words"), _STRINGS),
}
CLAIM_SCHEMA = pa.schema([(f, _CLAIM_TYPES.get(f, pa.string())) for f in ClaimRow._fields])


def claim_table(claims: Sequence[QuantityClaim] | pa.Table) -> pa.Table:
    """The claims' columns of :data:`CLAIM_SCHEMA`, in the order given."""
    if isinstance(claims, pa.Table):
        return claims.select(list(CLAIM_SCHEMA.names)).cast(CLAIM_SCHEMA)
    return pa.table(
        {f.name: pa.array([getattr(c, f.name) for c in claims], f.type) for f in CLAIM_SCHEMA},
        schema=CLAIM_SCHEMA,
    )


class ReadRow(NamedTuple):
    """The fields of a claim that ``profiles`` reads one claim at a time (its rules); the rest
    it reads as columns."""

    doc_id: str
    kind: str
    span: str
    stance: str
    value: float | None
    low: float | None
    high: float | None
    low_inclusive: bool
    high_inclusive: bool
    qualifier: str | None
    unit: str | None
    measure: str | None
    as_of_start: date | None
    as_of_end: date | None
    time_basis: str
    time_text: str | None
    scope_type: str
    mention_of: str | None
    change: str
    tolerance: float
    measure_factor: float
    cues: list[str]


def read_rows(table: pa.Table) -> Iterator[ReadRow]:
    """The :class:`ReadRow` of each row of a table of :data:`CLAIM_SCHEMA`."""
    for batch in table.select(list(ReadRow._fields)).to_batches():
        yield from map(ReadRow._make, zip(*(c.to_pylist() for c in batch.columns), strict=True))


def as_floats(values: pa.Array | pa.ChunkedArray, null: float = np.nan) -> np.ndarray:
    """A float column as numpy, ``null`` where it has none."""
    out: np.ndarray = values.fill_null(null).to_numpy(zero_copy_only=False).astype(np.float64)
    return out


def as_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean column as numpy, False where it has none."""
    out: np.ndarray = values.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)
    return out


class ClaimRows(Sequence[QuantityClaim]):
    """Rows ``at`` of a claim table: ``Profiles.claims``. Columns are what the work reads;
    a row (``claims[i]``) is the claim as given, or one made from its columns."""

    def __init__(
        self, table: pa.Table, at: np.ndarray, given: Sequence[QuantityClaim] | None = None
    ) -> None:
        self.table, self.at, self.given = table, at, given

    def __len__(self) -> int:
        return len(self.at)

    @overload
    def __getitem__(self, i: int) -> QuantityClaim: ...
    @overload
    def __getitem__(self, i: slice) -> list[QuantityClaim]: ...
    def __getitem__(self, i: int | slice) -> QuantityClaim | list[QuantityClaim]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        row = int(self.at[i])
        if self.given is not None:
            return self.given[row]
        fields = self.table.slice(row, 1).to_pylist()[0]
        return QuantityClaim.model_construct(**fields)

    def column(self, name: str, rows: np.ndarray | None = None) -> pa.Array:
        """Field ``name`` of every row (of ``rows`` only, when given)."""
        at = self.at if rows is None else self.at[rows]
        taken: pa.ChunkedArray = self.table[name].take(pa.array(at, pa.int64()))
        return taken.combine_chunks()


class DocRow(NamedTuple):
    """What cross-checking reads of a document; ``text`` is its opening only."""

    doc_id: str
    title: str | None
    outlet: str | None
    published: date | None
    url: str | None
    text: str


DOC_SCHEMA = pa.schema(
    [(f, pa.date32() if f == "published" else pa.string()) for f in DocRow._fields]
)


class DocColumns(Mapping[str, DocRow]):
    """Documents as columns (:data:`DOC_SCHEMA`), in the order given; also a mapping from
    ``doc_id`` to the row, for the few lookups by id."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._index: dict[str, int] | None = None

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self.table["doc_id"].to_pylist())

    def __getitem__(self, doc_id: str) -> DocRow:
        if self._index is None:
            self._index = {d: k for k, d in enumerate(self.table["doc_id"].to_pylist())}
        return self.row(self._index[doc_id])

    def row(self, k: int) -> DocRow:
        return DocRow(**self.table.slice(k, 1).to_pylist()[0])

    def rows(self, doc_ids: Sequence[str]) -> list[DocRow | None]:
        """The rows of ``doc_ids`` (None for one not here), in one take."""
        if not len(self):
            return [None] * len(doc_ids)
        at = pc.index_in(pa.array(doc_ids, pa.string()), value_set=self.table["doc_id"])
        found = self.table.take(at.fill_null(0)).to_pylist()
        valid = at.is_valid().to_pylist()
        return [DocRow(**r) if ok else None for r, ok in zip(found, valid, strict=True)]


ClaimsIn: TypeAlias = Sequence[QuantityClaim] | pa.Table
DocumentsIn: TypeAlias = Mapping[str, Document] | DocColumns | pa.Table


def document_columns(documents: DocumentsIn) -> DocColumns:
    """The documents as :class:`DocColumns` (a table needs ``DOC_SCHEMA``'s columns; its
    text may be whole)."""
    if isinstance(documents, DocColumns):
        return documents
    if isinstance(documents, pa.Table):
        table = documents.select(list(DOC_SCHEMA.names))
        head = pc.utf8_slice_codeunits(table["text"], 0, LEAD_CHARS)
        table = table.set_column(table.schema.get_field_index("text"), "text", head)
        # Copied, so that the whole texts can go even where the columns share one buffer (a
        # record batch read from an Arrow IPC file).
        table = table.take(pa.array(np.arange(table.num_rows))).combine_chunks()
        return DocColumns(table.cast(DOC_SCHEMA))
    values = list(documents.values())
    columns = {f: [getattr(d, f) for d in values] for f in DOC_SCHEMA.names if f != "text"}
    columns["text"] = [d.text[:LEAD_CHARS] for d in values]
    return DocColumns(pa.table(columns, schema=DOC_SCHEMA))


__all__ = [
    "CLAIM_SCHEMA",
    "DOC_SCHEMA",
    "LEAD_CHARS",
    "ClaimRow",
    "ClaimRows",
    "ClaimsIn",
    "DocColumns",
    "DocRow",
    "DocumentsIn",
    "ReadRow",
    "as_floats",
    "as_mask",
    "claim_table",
    "document_columns",
    "read_rows",
]
