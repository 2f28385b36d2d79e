"""Extraction: documents in, quantity claims and factual claims out (spaCy).

``pipeline`` runs the passages of each document through the model and builds claims;
``numbers`` reads figures in text; ``describe`` finds what a figure measures; ``timescope``
dates it; ``attribution`` names who says it; ``facts`` reads (subject, predicate, object)
triples; ``attributes`` stands in for the attribute ruler.
"""

from claims.extract.pipeline import (
    candidate_passages,
    extract_document,
    extract_documents,
    load_nlp,
    split_passages,
)

__all__ = [
    "candidate_passages",
    "extract_document",
    "extract_documents",
    "load_nlp",
    "split_passages",
]
