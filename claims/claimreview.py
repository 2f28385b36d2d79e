"""schema.org ClaimReview JSON-LD of the decided flags: the format fact-checkers publish in.

A flag relates two claims from different articles, so one ClaimReview reviews the pair: its
``itemReviewed`` is a ``Claim`` whose ``appearance`` is both articles, ``claimReviewed`` quotes
both figures, and ``reviewRating`` carries the verdict on a 1-5 scale (5: the figures are
consistent, 1: they contradict each other) with the verdict's words as ``alternateName``.
The reviewer is the ``author``, the note the ``reviewBody``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from claims.formats import iso_day
from claims.models import VERDICTS
from claims.report.html import plain_rows, safe_href
from claims.store import Store

Row = dict[str, Any]

# How consistent the verdict says the two figures are: the rating scale of the export.
RATINGS = {
    "dismissed": 5,  # not a conflict: the figures are consistent
    "update": 4,  # a later figure replaces an earlier one
    "needs_context": 3,
    "misleading": 2,
    "confirmed": 1,  # a confirmed conflict: both cannot be true
}
assert set(RATINGS) == set(VERDICTS)


def claim_reviews(store: Store) -> list[Row]:
    """One ClaimReview per flag with a verdict, newest verdict first."""
    sides = plain_rows(store.reviewed_sides())
    flags: dict[str, list[Row]] = {}
    for side in sides:
        flags.setdefault(side["relation_id"], []).append(side)
    return [claim_review(pair) for pair in flags.values() if len(pair) == 2]


def claim_review(pair: list[Row]) -> Row:
    a, b = pair
    verdict = a["review"]
    review: Row = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": a["relation_id"],
        "claimReviewed": f"{_quote(a)} vs {_quote(b)}",
        "itemReviewed": {
            "@type": "Claim",
            "text": f"{a['sentence']} / {b['sentence']}",
            "appearance": [_article(a), _article(b)],
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS.get(verdict, 3),
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": VERDICTS.get(verdict, verdict),
        },
        "datePublished": iso_day(a["decided_at"]),
    }
    first = min((s for s in pair if s["published"]), key=lambda s: s["published"], default=None)
    if first is not None:
        review["itemReviewed"]["datePublished"] = iso_day(first["published"])
    if a["reviewer"]:
        review["author"] = {"@type": "Person", "name": a["reviewer"]}
    if a["review_note"]:
        review["reviewBody"] = a["review_note"]
    return review


def write_claim_reviews(store: Store, out: Path) -> int:
    """Write the decided flags' ClaimReviews to ``out`` as one JSON-LD array; returns how many."""
    reviews = claim_reviews(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(reviews, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    return len(reviews)


def _quote(side: Row) -> str:
    source = ", ".join(str(v) for v in (side["outlet"], iso_day(side["published"])) if v)
    return f"“{side['span']}” ({source})" if source else f"“{side['span']}”"


def _article(side: Row) -> Row:
    article: Row = {"@type": "NewsArticle"}
    href = safe_href(side["url"])
    if href:
        article["url"] = href
    if side["title"]:
        article["headline"] = side["title"]
    if side["published"]:
        article["datePublished"] = iso_day(side["published"])
    if side["outlet"]:
        article["publisher"] = {"@type": "Organization", "name": side["outlet"]}
    return article
