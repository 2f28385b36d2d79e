"""Fit the cross-check's pair model on the development corpus, and say how well it holds on
stories it was not fitted on.

    .venv/bin/python bench/fit_crosscheck.py                 # fit, print in-sample and held-out figures
    .venv/bin/python bench/fit_crosscheck.py --write         # also store weights and thresholds

Every candidate pair of quantity claims the pipeline makes over bench/news and the seeds
(``claims.crosscheck.pairs``: same story and kind, one block, different documents) is
labelled from the gold: 1 when both claims are gold figures of one quantity (the same
``quantity`` key; for the seeds, a labelled agree, conflict or update), else 0. A logistic
regression with an L2 penalty is fitted on the features (Newton's method, numpy), the penalty
chosen by held-out log loss. The held-out figures leave one story out at a time: its pairs
are scored by weights fitted on the other stories, and the relation scores of
bench/relations.py are computed on those predictions, so they say what to expect on stories
nobody fitted. The thresholds are chosen on the held-out predictions: the agree threshold
that maximises agree F1 and the update threshold that maximises update F1 (each the lowest
within 0.005 of its best: the curve is flat there, and a relation shown can be reviewed where
one missed cannot), then the lowest conflict threshold whose conflict precision stays at the
target.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.newsgold import NEWS, article_tree  # noqa: E402
from bench.newsgold import load as load_news_gold  # noqa: E402
from bench.relations import (  # noqa: E402
    SEEDS,
    Corpus,
    Run,
    load_corpus,
    match,
    report,
    run_pipeline,
)
from bench.relations import score as score_relations  # noqa: E402
from claims.crosscheck import stories_of  # noqa: E402
from claims.crosscheck.pairs import FEATURES, Pairs, candidates, features, matrix, word_weights  # noqa: E402
from claims.crosscheck.profiles import Profiles, build_profiles, date_by_figures  # noqa: E402
from claims.crosscheck.quantities import (  # noqa: E402
    Decided,
    Thresholds,
    columns,
    in_time_order,
    matched_once,
    passes,
    relate,
    small_counts,
    sure_enough_to_conflict,
)
from claims.crosscheck.stories import StoryMap  # noqa: E402
from claims.settings import Settings  # noqa: E402

CROSSCHECK_JSON = REPO / "claims" / "data" / "crosscheck.json"
_F1_SLACK = 0.005


@dataclass
class Data:
    """The development corpus's candidate pairs, their features and labels."""

    run: Run
    corpus: Corpus
    stories: StoryMap
    profiles: Profiles
    pairs: Pairs
    x: np.ndarray  # features, one row per pair
    y: np.ndarray  # 1: one quantity in the gold
    story: np.ndarray  # the gold story of each pair ("seeds" for the seed articles)


def collect(settings: Settings, cache: Path | None) -> Data:
    news = load_news_gold(NEWS)
    files = [d["file"] for d in news.data["documents"]]
    with tempfile.TemporaryDirectory() as tmp:
        run = run_pipeline([article_tree(files, Path(tmp) / "news"), SEEDS], settings, cache)
    corpus = load_corpus(news, run.documents, None)
    return collect_from(run, corpus, settings)


def collect_from(run: Run, corpus: Corpus, settings: Settings) -> Data:
    """The candidate pairs of claims already extracted (``run``) against ``corpus``."""
    matched = match(corpus, run.claims)
    stories = stories_of(run.claims, [], run.documents, settings)
    p = build_profiles(run.claims, stories, settings)
    date_by_figures(p, stories)
    pairs = candidates(p, settings.crosscheck_window)
    x = matrix(features(p, pairs, word_weights(p)))
    y = np.array(
        [
            _label(corpus, matched.get(p.claims[a].claim_id), matched.get(p.claims[b].claim_id))
            for a, b in zip(pairs.a.tolist(), pairs.b.tolist(), strict=True)
        ],
        dtype=np.float64,
    )
    story = np.array([corpus.story_of.get(p.claims[a].doc_id, "?") for a in pairs.a.tolist()])
    return Data(run, corpus, stories, p, pairs, x, y, story)


def _label(corpus: Corpus, gx: str | None, gy: str | None) -> int:
    if gx is None or gy is None:
        return 0
    fx, fy = corpus.figures[gx], corpus.figures[gy]
    if fx.first == fy.first:
        return 0  # two mentions of one figure of one article
    if fx.quantity is not None and fy.quantity is not None:
        return int(fx.quantity == fy.quantity)
    return int(corpus.labels.get(frozenset((fx.first, fy.first)), "none") != "none")


def fit(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> np.ndarray:
    """L2-penalised logistic regression by Newton's method (the bias is not penalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 1e-6
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -40, 40)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    p: np.ndarray = 1 / (1 + np.exp(-np.clip(x @ w, -40, 40)))
    return p


def held_out(data: Data, l2: float) -> np.ndarray:
    """Each pair's probability under weights fitted without its story."""
    out = np.zeros(len(data.y))
    for story in np.unique(data.story):
        test = data.story == story
        w = fit(data.x[~test], data.y[~test], l2)
        out[test] = predict(data.x[test], w)
    return out


def log_loss(y: np.ndarray, q: np.ndarray) -> float:
    eps = 1e-9
    return float(-np.mean(y * np.log(q + eps) + (1 - y) * np.log(1 - q + eps)))


def evaluate(
    data: Data, probability: np.ndarray, bar: Thresholds, settings: Settings
) -> dict[str, Any]:
    """The relation scores of bench/relations.py for these probabilities and thresholds."""
    p, pairs = data.profiles, data.pairs
    a, b = in_time_order(p, pairs.a, pairs.b)
    rule = relate(p, a, b, settings)
    cols = {name: data.x[:, k] for k, name in enumerate(FEATURES)}
    rounded = np.round(probability, 3)
    ok = passes(rule, rounded, sure_enough_to_conflict(cols, small_counts(p, a, b)), bar)
    decided = matched_once(p, Decided(a[ok], b[ok], rule[ok], rounded[ok]))
    out = columns(p, decided, data.run.documents, data.stories)
    relations = out.to_pylist()
    scored = Run(data.run.documents, data.run.claims, relations, data.run.rejected, {})
    return report(score_relations(data.corpus, scored, set(data.corpus.story_of)), "")


def thresholds(at: Callable[[Thresholds], dict[str, Any]], target: float) -> Thresholds:
    """The agree and update thresholds each where its own held-out F1 peaks, and the conflict
    threshold for ``target`` precision."""

    def f1(r: dict[str, Any], label: str) -> float:
        p, q = r[label]["precision"], r[label]["recall"]
        return 2 * p * q / (p + q) if p + q else 0.0

    # A pair has one rule, so the agree bar moves only agreements and the update bar only
    # updates: each is fitted on its own curve.
    grid = [round(float(t), 2) for t in np.arange(0.1, 0.81, 0.05)]
    reports = {t: at(Thresholds(t, t, 1.01)) for t in grid}
    chosen = {}
    for label in ("agree", "update"):
        values = {t: f1(r, label) for t, r in reports.items()}
        print(
            f"{label} threshold: {label} F1 held out: "
            + ", ".join(f"{t:.2f} {v:.3f}" for t, v in values.items())
        )
        # Within half a hundredth of the best F1 the curve is flat (a few pairs either way):
        # take the lowest such threshold, since a relation shown can be reviewed and one
        # missed cannot.
        best = max(values.values())
        chosen[label] = min(t for t, v in values.items() if v >= best - _F1_SLACK)
    relation, agree = chosen["update"], chosen["agree"]
    # The lowest conflict threshold still at the target precision (not the first dip: a
    # handful of conflicts make the curve jagged).
    conflict = 0.99
    for c in np.arange(0.99, relation - 1e-9, -0.02):
        r = at(Thresholds(relation, agree, float(c)))
        if not r["conflict"]["predicted"] or r["conflict"]["precision"] >= target:
            conflict = round(float(c), 2)
    return Thresholds(relation, agree, conflict)


def replace_entry(text: str, name: str, value: dict[str, float]) -> str:
    """``text`` (a hand-formatted JSON object) with its top-level object ``name`` replaced,
    everything else as it was."""
    found = re.search(rf'^  "{name}": \{{.*?^  \}}', text, flags=re.S | re.M)
    if found is None:
        raise SystemExit(f"{CROSSCHECK_JSON}: no top-level object {name!r}")
    block = f'  "{name}": ' + json.dumps(value, indent=4).replace("\n}", "\n  }")
    return text[: found.start()] + block + text[found.end() :]


def line(rep: dict[str, Any]) -> str:
    return "   ".join(
        f"{label} P {rep[label]['precision']:.3f} R {rep[label]['recall']:.3f} "
        f"({rep[label]['predicted']}/{rep[label]['gold']})"
        for label in ("agree", "conflict", "update")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store weights and thresholds")
    parser.add_argument(
        "--reuse", type=Path, help="keep the extraction in FILE (bench/relations.py)"
    )
    parser.add_argument("--conflict-precision", type=float, default=0.75)
    args = parser.parse_args()
    settings = Settings()
    data = collect(settings, args.reuse)
    print(
        f"{len(data.y)} candidate pairs, {int(data.y.sum())} of one quantity, {len(FEATURES)} features"
    )
    losses = {l2: log_loss(data.y, held_out(data, l2)) for l2 in (1.0, 3.0, 10.0, 30.0)}
    l2 = min(losses, key=losses.__getitem__)
    print(
        "held-out log loss by L2 penalty: "
        + ", ".join(f"{k:g}: {v:.4f}" for k, v in losses.items())
    )
    q = held_out(data, l2)
    bar = thresholds(lambda t: evaluate(data, q, t, settings), args.conflict_precision)
    out_of_story = evaluate(data, q, bar, settings)
    weights = fit(data.x, data.y, l2)
    in_sample = evaluate(data, predict(data.x, weights), bar, settings)
    print(
        f"thresholds: agree {bar.agree}, update {bar.relation}, conflict {bar.conflict} (L2 {l2:g})"
    )
    print(f"held out, one story at a time:  {line(out_of_story)}")
    print(f"fitted on all stories:          {line(in_sample)}")
    print("weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, weights, strict=True)))
    if args.write:
        text = CROSSCHECK_JSON.read_text(encoding="utf-8")
        fitted = {n: round(float(w), 3) for n, w in zip(FEATURES, weights, strict=True)}
        text = replace_entry(text, "pair_weights", fitted)
        text = replace_entry(text, "pair_thresholds", bar._asdict())
        CROSSCHECK_JSON.write_text(text, encoding="utf-8")
        print(f"wrote {CROSSCHECK_JSON.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
