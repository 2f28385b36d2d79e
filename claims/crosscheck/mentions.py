"""Repeats of one figure within a document ("$2.3 billion" in the headline, "exceeding $2.3
billion" in the body): later mentions point at the first, and only first mentions are
cross-checked."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from claims.crosscheck.intervals import claim_interval, intervals_overlap
from claims.crosscheck.terms import conflicting_role, term_set
from claims.lexicon import crosscheck_lexicon, fold, measure_for
from claims.models import QuantityClaim
from claims.settings import Settings


def merge_mentions(claims: Sequence[QuantityClaim], settings: Settings) -> list[QuantityClaim]:
    """Within one document, mark repeated mentions of the same figure.

    A later claim gets ``mention_of`` = the ``claim_id`` of the first mention when both have
    the same kind and measure, the same stated value (or, for vague amounts such as "tens of
    thousands", the same wording and interval and a shared key term), overlapping intervals
    and time scopes, and compatible key terms. Returns a new list in the input order.
    """
    out = list(claims)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for k, c in enumerate(claims):
        by_doc[c.doc_id].append(k)
    for positions in by_doc.values():
        positions.sort(key=lambda k: (claims[k].char_start, claims[k].char_end, claims[k].claim_id))
        firsts: list[QuantityClaim] = []
        for k in positions:
            c = claims[k]
            if c.mention_of is not None:
                continue
            first = next((f for f in firsts if same_figure(f, c, settings)), None)
            if first is None:
                firsts.append(c)
            else:
                out[k] = c.model_copy(update={"mention_of": first.claim_id})
    return out


def same_figure(a: QuantityClaim, b: QuantityClaim, settings: Settings) -> bool:
    """Whether ``b`` repeats ``a``'s figure (same document assumed)."""
    data_dir = settings.data_dir
    measure = a.measure or measure_for(a.unit, data_dir)
    if (
        a.kind != b.kind
        or a.change != b.change
        or measure is None
        or measure != (b.measure or measure_for(b.unit, data_dir))
    ):
        return False
    ta, tb = term_set(tuple(a.key_terms), data_dir), term_set(tuple(b.key_terms), data_dir)
    if a.value is None and b.value is None:
        same_words = fold(a.qualifier or "") == fold(b.qualifier or "")
        bounds = (a.low, a.high, a.low_inclusive, a.high_inclusive)
        if not same_words or bounds != (b.low, b.high, b.low_inclusive, b.high_inclusive):
            return False
        # A vague amount repeated is the same figure only if something beyond the unit is shared.
        units = {t.anchor for t in (*ta.terms, *tb.terms) if t.role is None and t.word == measure}
        if not (ta.anchors & tb.anchors) - units:
            return False
    elif a.value is None or b.value is None or not math.isclose(a.value, b.value, rel_tol=1e-9):
        return False
    if not intervals_overlap(claim_interval(a, settings), claim_interval(b, settings)):
        return False
    if a.time_basis == b.time_basis == "explicit" and not _times_overlap(a, b):
        return False
    return conflicting_role(ta, tb, crosscheck_lexicon(data_dir)) is None


def _times_overlap(a: QuantityClaim, b: QuantityClaim) -> bool:
    sa, ea = a.as_of_start or a.as_of_end, a.as_of_end or a.as_of_start
    sb, eb = b.as_of_start or b.as_of_end, b.as_of_end or b.as_of_start
    if sa is None or ea is None or sb is None or eb is None:
        return True
    return max(sa, sb) <= min(ea, eb)
