"""Quantity claims compared in numpy: the rules' pairs gated, scored and explained.

The engine behind ``crosscheck.cross_check_frame`` (see ``claims/crosscheck.py`` for what makes
two claims the same quantity and which rule decides). ``claims.crosscheck.pairs`` turns the claims
into arrays and finds the candidate pairs with their rules; here the key-term and role gates,
scores and reasons are array operations too, so the cost grows linearly with the claims; Python
runs only per distinct term, per distinct pair of term sets, and per relation written.
Relations come out as columns, ready for one bulk insert.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.dtypes import StringDType

from claims.crosscheck import _CODES, _MEANING, _SCOPES, Rule, format_interval
from claims.crosscheck.pairs import (
    ClaimArrays,
    candidates,
    decide,
    nearest_updates,
    prepare,
    sorted_unique,
)
from claims.lexicon import crosscheck_lexicon, role_compatible
from claims.models import Document, QuantityClaim, Relation
from claims.settings import Settings

_TEXT = StringDType()
_EPOCH = date(1970, 1, 1).toordinal()
_RULE_TEXT = np.array([r.value for r in Rule], dtype=_TEXT)
_RULE_CODE = np.array([r.value for r in Rule], dtype=object)
_RELATION_KIND = np.array([_MEANING[r][0] for r in Rule], dtype=object)

# Relations as columns named like ``Relation``'s fields, in its order.
Columns = dict[str, Any]


def _no_columns() -> Columns:
    return {name: [] for name in Relation.model_fields}


def to_columns(relations: Sequence[Relation]) -> Columns:
    return {name: [getattr(r, name) for r in relations] for name in Relation.model_fields}


_SCOPE_TEXT = np.array(_SCOPES, dtype=_TEXT)


def _days(ordinals: np.ndarray) -> np.ndarray:
    """ISO dates of date ordinals, as a numpy string array."""
    return np.datetime_as_string((ordinals - _EPOCH).astype("datetime64[D]")).astype(_TEXT)


# --- one pair: gate, score, reason ----------------------------------------------------------------


class _Judge:
    """Per-pair work for the pairs that survive the array stage, with per-claim caches."""

    def __init__(self, q: ClaimArrays, settings: Settings) -> None:
        self.q, self.settings = q, settings
        self.lex = crosscheck_lexicon(settings.data_dir)
        self._named: dict[int, dict[str, tuple[str, ...]]] = {}

    def compatible(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each pair's key terms can be the same quantity, role by role. One-term
        sets are decided with arrays; each other distinct pair of term sets is judged once."""
        q, ok = self.q, np.ones(len(a), dtype=bool)
        for role, ids in sorted(q.roles.items()):
            x, y = ids[a], ids[b]
            need = x != y
            if self.lex.role_rules.get(role, "cover") == "required":
                ok[need & ((x == 0) | (y == 0))] = False
            need &= (x > 0) & (y > 0)
            tx, ty = q.role_single[role][x], q.role_single[role][y]
            single = need & (tx >= 0) & (ty >= 0)
            codes = tx[single] * max(len(q.kterms), 1) + ty[single]
            ok[single] &= np.isin(codes, q.matching)
            need &= ~single
            if not need.any():
                continue
            width = int(ids.max()) + 1
            keys, inverse = np.unique(x[need] * width + y[need], return_inverse=True)
            verdict = [
                role_compatible(
                    role, q.role_set(role, k // width), q.role_set(role, k % width), self.lex
                )
                for k in keys.tolist()
            ]
            ok[need] &= np.array(verdict, dtype=bool)[inverse]
        return ok

    def scores(self, a: np.ndarray, b: np.ndarray, rule: np.ndarray) -> np.ndarray:
        """How sure we are that each pair is one quantity (``score`` in crosscheck.json)."""
        q, w = self.q, self.lex.score
        gap = np.maximum(q.start[b] - q.end[a], 0)
        update = rule == _CODES.index(Rule.UPDATE_DIFFERENT_TIME)
        time = np.where(
            update,
            1 - 0.5 * gap / max(self.settings.update_max_gap_days, 1),
            1 - gap / (q.widen[a] + q.widen[b] + 1),
        )
        entity = q.entity_anchors.shared(a, b)
        weight = w["entity_term"] * entity + w["plain_term"] * (q.anchors.shared(a, b) - entity)
        # Dice overlap of the descriptive words, each weighted by its rarity.
        rarity = q.word_ids.rarity()
        total_a, total_b = q.word_ids.total(a, rarity), q.word_ids.total(b, rarity)
        known = (total_a > 0) & (total_b > 0)
        common = q.word_ids.shared(a, b, rarity)
        dice = 2 * common / np.where(known, total_a + total_b, 1)
        words = np.where(known, dice, w["subject_unknown"])
        score = (
            w["terms"] * (1 - (1 - w["term_base"]) ** weight)
            + w["subject"] * words
            + w["time"] * np.maximum(time, 0)
        )
        return np.round(np.clip(score, 0, 1), 3)

    def relations(
        self, a: np.ndarray, b: np.ndarray, rule: np.ndarray, score: np.ndarray
    ) -> Columns:
        """The relations' columns (older claim first), reasons assembled with numpy strings.

        Columns rather than ``Relation`` objects: a million relations go to DuckDB as one
        DataFrame, and building and dumping a model per row would cost more than deciding them.
        """
        q = self.q
        if not len(a):
            return _no_columns()
        involved = sorted_unique(np.concatenate((a, b)))
        said, iv = (np.empty(len(q.claims), dtype=_TEXT) for _ in range(2))
        said[involved], iv[involved] = self._said(involved)
        names = self.shared_names(a, b)
        gap, slack = q.start[b] - q.end[a], q.widen[a] + q.widen[b]
        apart = "the time scopes are " + gap.astype(_TEXT) + " days apart"
        timing = np.where(
            gap <= 0,
            "the time scopes overlap",
            np.where(
                gap <= slack,
                apart + ", within the tolerance for dates taken from publication, so they are "
                "taken as the same time",
                apart + " and do not overlap",
            ),
        )
        verdict = np.full(len(a), "and the intervals overlap, so the figures agree", dtype=_TEXT)
        k = rule == _CODES.index(Rule.CONFLICT_DISJOINT_SAME_TIME)
        side = np.where(q.hi[a[k]] <= q.lo[b[k]], " lies below ", " lies above ")
        verdict[k] = (
            "but the intervals are disjoint (" + iv[a[k]] + side + iv[b[k]] + "), so both "
            "cannot be true"
        )
        k = rule == _CODES.index(Rule.UPDATE_DIFFERENT_TIME)
        verdict[k] = (
            "so for a " + _SCOPE_TEXT[q.scope[a[k]]] + " figure this is a change over time, not "
            "a contradiction: the newer figure ("
            + self.text("doc_id", b[k])
            + ", "
            + _days(q.end[b[k]])
            + ") supersedes"
        )
        k = rule == _CODES.index(Rule.UPDATE_CUMULATIVE_GROWTH)
        verdict[k] = (
            "and the intervals are disjoint, but a running total only grows and the newer one ("
            + self.text("doc_id", b[k])
            + ") is higher, so it is an update, not a contradiction"
        )
        head = (
            _RULE_TEXT[rule]
            + ": same quantity ("
            + self.text("kind", a)
            + ' of "'
            + np.array([q.measure[i] for i in a.tolist()], dtype=_TEXT)
            + '", '
            + _SCOPE_TEXT[q.scope[a]]
            + "; shared key terms: "
        )
        # Long strings are joined once per row in Python; numpy would copy them at every "+".
        reasons = [
            f"{h}{', '.join(n)}). {x}; {y}; {t}, {v}."
            for h, n, x, y, t, v in zip(
                head.tolist(),
                names,
                said[a].tolist(),
                said[b].tolist(),
                timing.tolist(),
                verdict.tolist(),
                strict=True,
            )
        ]
        claim_ids = [c.claim_id for c in q.claims]
        doc_ids = [c.doc_id for c in q.claims]
        ids_a = [claim_ids[i] for i in a.tolist()]
        ids_b = [claim_ids[j] for j in b.tolist()]
        kinds = _RELATION_KIND[rule].tolist()
        return {
            "relation_id": [
                _relation_id(x, y, k) for x, y, k in zip(ids_a, ids_b, kinds, strict=True)
            ],
            "claim_a": ids_a,
            "claim_b": ids_b,
            "doc_a": [doc_ids[i] for i in a.tolist()],
            "doc_b": [doc_ids[j] for j in b.tolist()],
            "claim_type": ["quantity"] * len(a),
            "relation": kinds,
            "rule": _RULE_CODE[rule].tolist(),
            "reason": reasons,
            "score": score.astype(float),
            "shared_terms": names,
        }

    def text(self, field: str, rows: np.ndarray) -> np.ndarray:
        """One string field of the given claims, as a numpy string array."""
        claims = self.q.claims
        return np.array([getattr(claims[i], field) for i in rows.tolist()], dtype=_TEXT)

    def shared_names(self, a: np.ndarray, b: np.ndarray) -> list[list[str]]:
        """For each pair, the key terms of both claims (as written, sorted) whose anchors the
        two share."""
        out = []
        for i, j in zip(a.tolist(), b.tolist(), strict=True):
            ni, nj = self.named(i), self.named(j)
            out.append(sorted({n for x in ni.keys() & nj.keys() for n in (*ni[x], *nj[x])}))
        return out

    def named(self, i: int) -> dict[str, tuple[str, ...]]:
        """A claim's key terms as written, by anchor."""
        if i not in self._named:
            by_anchor: dict[str, list[str]] = defaultdict(list)
            for t in self.q.terms(i):
                by_anchor[t.anchor].append(str(t))
            self._named[i] = {x: tuple(v) for x, v in by_anchor.items()}
        return self._named[i]

    def _said(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """'doc says "span" = interval as of scope (how)' and the interval, per claim."""
        q, claims = self.q, [self.q.claims[i] for i in rows.tolist()]
        iv = np.array(
            [
                format_interval(lo, hi, li, hi_)
                for lo, hi, li, hi_ in zip(
                    q.lo[rows].tolist(),
                    q.hi[rows].tolist(),
                    q.lo_inc[rows].tolist(),
                    q.hi_inc[rows].tolist(),
                    strict=True,
                )
            ],
            dtype=_TEXT,
        )
        start, end, widen = q.start[rows], q.end[rows], q.widen[rows]
        when = np.where(start == end, _days(start), _days(start) + " to " + _days(end))
        stated = np.array(
            [c.time_basis + (f', from "{c.time_text}"' if c.time_text else "") for c in claims],
            dtype=_TEXT,
        )
        read = (
            "publication date only, read as " + _days(start - widen) + " to " + _days(end + widen)
        )
        how = np.where(widen > 0, read, stated)
        said = (
            self.text("doc_id", rows)
            + ' says "'
            + self.text("span", rows)
            + '" = '
            + iv
            + " as of "
            + when
            + " ("
            + how
            + ")"
        )
        return said, iv


def _relation_id(a: str, b: str, relation: str) -> str:
    """``Relation.make_id`` inlined (same digest, tested): it is called once per relation."""
    first, second = (a, b) if a <= b else (b, a)
    digest = hashlib.sha256(f"{first}\x1f{second}\x1f{relation}".encode()).hexdigest()
    return f"r_{digest[:16]}"


def check_quantities(
    claims: Sequence[QuantityClaim], documents: Mapping[str, Document], settings: Settings
) -> Columns:
    q = prepare(claims, documents, settings)
    judge = _Judge(q, settings)
    a, b = candidates(q, settings.crosscheck_window, settings.update_max_gap_days)
    a, b, rule = decide(q, a, b, settings.update_max_gap_days)
    ok = judge.compatible(a, b)
    a, b, rule = a[ok], b[ok], rule[ok]
    ok = nearest_updates(q, a, b, rule)
    a, b, rule = a[ok], b[ok], rule[ok]
    score = judge.scores(a, b, rule)
    ok = score >= settings.min_relation_score
    a, b, rule, score = a[ok], b[ok], rule[ok], score[ok]
    # The output order (doc_a, doc_b, claim_a, claim_b), set on the arrays: claims are indexed
    # in claim_id order, so only documents need ranking.
    doc_ids = [c.doc_id for c in q.claims]
    rank = {d: k for k, d in enumerate(sorted(set(doc_ids)))}
    doc_rank = np.array([rank[d] for d in doc_ids], dtype=np.int64)
    order = np.lexsort((b, a, doc_rank[b], doc_rank[a]))
    return judge.relations(a[order], b[order], rule[order], score[order])
