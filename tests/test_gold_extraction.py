"""The extractor against the hand-annotated seed articles (shared/gold/seed_claims.json).

The seeds are a development set: the rules are general English-news rules, so this test guards
recall and precision, and that no annotated non-quantity becomes a claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language

from claims.extract import extract_documents, units
from claims.extract.dates import days
from claims.lexicon import measure_for
from claims.models import Document, QuantityClaim
from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
MIN_RECALL = 0.95
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def extracted(gold: dict, settings: Settings, nlp: Language) -> dict[str, tuple[str, list]]:
    published = {d["file"]: date.fromisoformat(d["published"]) for d in gold["documents"]}
    docs = [
        Document.build(
            doc_id=path.name,
            source_path=str(path),
            text=path.read_text(encoding="utf-8"),
            published=published.get(path.name),
        )
        for path in sorted(SEEDS.glob("*.txt"))
    ]
    texts = {d.doc_id: d.text for d in docs}
    return {e.doc_id: (texts[e.doc_id], e.claims) for e in extract_documents(docs, settings, nlp)}


@dataclass
class Located:
    gold: dict
    start: int
    end: int


def locate(text: str, quote: str) -> tuple[int, int]:
    at = text.find(quote)
    assert at >= 0, f"gold quote not in text: {quote!r}"
    return at, at + len(quote)


def unit_class(unit: str, nlp: Language) -> str:
    """The gold unit ("allies and partners", "lives") lemmatised, then its synonym class."""
    lemmas = " ".join(t.lemma_.lower() for t in nlp(unit))
    first = nlp(unit)[0].lemma_.lower()
    options = {measure_for(lemmas), measure_for(first), measure_for(unit)}
    return "|".join(sorted(str(o).lower() for o in options))


def as_of_problem(g: dict, c: QuantityClaim) -> str | None:
    """Gold as_of is 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or 'start/end'; full dates are compared."""
    parts = str(g["as_of"]).split("/")
    sides = [(parts[0], c.as_of_start), (parts[-1], c.as_of_end)]
    if len(parts) == 1:
        sides = [(parts[0], c.as_of_start), (parts[0], c.as_of_end)]
    for want, got in sides:
        if len(want) == 10 and got != date.fromisoformat(want):
            return f"as_of {want} != {c.as_of_start}..{c.as_of_end}"
    return None


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def as_stored(g: dict) -> dict:
    """The gold claim in the representation claims are stored in: a date's value, low and
    high are days since 1970-01-01 (the gold writes the year), its unit the precision; a
    duration's or measure's unit is compared by name ('years' is the unit 'year')."""
    if g["kind"] != "date":
        return g
    year = int(g["value"])
    first, last = date(year, 1, 1), date(year, 12, 31)
    return {**g, "value": days(first), "low": days(first), "high": days(last), "unit": "year"}


def problems(g: dict, c: QuantityClaim, nlp: Language) -> list[str]:
    out = []
    g = as_stored(g)
    for key in ("value", "low", "high"):
        if not close(g[key], getattr(c, key)):
            out.append(f"{key} {g[key]} != {getattr(c, key)}")
    for key in ("low_inclusive", "high_inclusive"):
        if g[key] != getattr(c, key):
            out.append(f"{key} {g[key]} != {getattr(c, key)}")
    if g["kind"] != c.kind:
        out.append(f"kind {g['kind']} != {c.kind}")
    if g["kind"] in ("date", "duration", "measure"):
        named = units.lookup(g["unit"])
        if c.unit != (named.name if named is not None else g["unit"]):
            out.append(f"unit {g['unit']!r} != {c.unit!r}")
    elif str(c.measure).lower() not in unit_class(g["unit"], nlp).split("|"):
        out.append(f"unit {g['unit']!r} ({unit_class(g['unit'], nlp)}) != {c.unit!r} ({c.measure})")
    problem = as_of_problem(g, c)
    if problem:
        out.append(problem)
    return out


def overlapping(claims: list[QuantityClaim], start: int, end: int) -> list[QuantityClaim]:
    return [c for c in claims if c.char_start < end and start < c.char_end]


def test_gold_quantity_claims_are_found_with_their_values_and_intervals(
    gold: dict, extracted: dict, nlp: Language
) -> None:
    """Recall: each gold claim has an overlapping claim with the same value, interval, kind,
    unit class and (for full dates) time scope."""
    misses = []
    for g in gold["quantity_claims"]:
        text, claims = extracted[g["file"]]
        start, end = locate(text, g["quote"])
        found = overlapping(claims, start, end)
        if not found:
            misses.append(f"{g['id']}: nothing extracted in {g['quote']!r}")
            continue
        reports = [problems(g, c, nlp) for c in found]
        if all(reports):
            best = min(zip(reports, found, strict=True), key=lambda rc: len(rc[0]))
            misses.append(f"{g['id']}: {best[1].span!r}: " + "; ".join(best[0]))
    recall = 1 - len(misses) / len(gold["quantity_claims"])
    assert recall >= MIN_RECALL, f"recall {recall:.0%}:\n" + "\n".join(misses)


def test_extracted_claims_are_gold_claims_or_repeats_of_them(
    gold: dict, extracted: dict, nlp: Language
) -> None:
    """Precision: every extracted claim matches a gold claim of its file (a repeat of a gold
    figure elsewhere in the document counts)."""
    by_file: dict[str, list[Located]] = {}
    for g in gold["quantity_claims"]:
        text, _ = extracted[g["file"]]
        by_file.setdefault(g["file"], []).append(Located(g, *locate(text, g["quote"])))
    wrong, total = [], 0
    for doc_id, (_, claims) in extracted.items():
        for c in claims:
            total += 1
            golds = by_file.get(doc_id, [])
            here = [x for x in golds if c.char_start < x.end and x.start < c.char_end]
            pool = here or [
                x for x in golds if close(x.gold["value"], c.value) and x.gold["kind"] == c.kind
            ]
            if not any(not problems(x.gold, c, nlp) for x in pool):
                wrong.append(f"{doc_id}: {c.span!r} ({c.kind}, {c.value}, {c.unit})")
    precision = 1 - len(wrong) / max(total, 1)
    assert precision >= MIN_PRECISION, f"precision {precision:.0%}:\n" + "\n".join(wrong)


def test_annotated_non_quantities_yield_no_claim(gold: dict, extracted: dict) -> None:
    """Identifiers, names, idioms and list markers of the gold file are never claims."""
    found = []
    for nq in gold["not_quantities"]:
        text, claims = extracted[nq["file"]]
        start, end = locate(text, nq["quote"])
        found += [f"{nq['quote']!r} -> {c.span!r}" for c in overlapping(claims, start, end)]
    assert not found, "\n".join(found)
