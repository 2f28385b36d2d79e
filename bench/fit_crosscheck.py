"""Fit the cross-check's pair model on the development corpus, and say how well it holds on
stories it was not fitted on.

    .venv/bin/python bench/fit_crosscheck.py                 # fit, print in-sample and held-out figures
    .venv/bin/python bench/fit_crosscheck.py --write         # also store the weights in crosscheck.json

Every candidate pair of quantity claims the pipeline makes over bench/news and the seeds
(``claims.crosscheck.pairs``: same story, kind and measure, different documents) is labelled
from the gold: 1 when both claims are gold figures of one quantity (the same ``quantity`` key;
for the seeds, a labelled agree, conflict or update), else 0. A logistic regression with an L2
penalty is fitted on the features (Newton's method, numpy). The held-out figures leave one
story out at a time: its pairs are scored by weights fitted on the other stories, and the
relation scores of bench/relations.py are computed on those predictions, so they say what to
expect on stories nobody fitted. The relation thresholds are chosen on the held-out
predictions: the lowest conflict threshold whose conflict precision stays at or above the
target, and the relation threshold that maximises the mean F1 of agree and update.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.newsgold import NEWS, article_tree  # noqa: E402
from bench.newsgold import load as load_news_gold  # noqa: E402
from bench.relations import SEEDS, Corpus, Run, load_corpus, match, report, run_pipeline, score  # noqa: E402
from claims.crosscheck import stories_of  # noqa: E402
from claims.crosscheck.pairs import FEATURES, blocks, candidates, features  # noqa: E402
from claims.crosscheck.profiles import Profile, build_profiles, counted_lexicon  # noqa: E402
from claims.crosscheck.quantities import (  # noqa: E402
    Decision,
    _columns,
    in_time_order,
    probability,
    relate,
    sure_enough_to_conflict,
)
from claims.crosscheck.stories import StoryMap  # noqa: E402
from claims.settings import Settings  # noqa: E402

CROSSCHECK_JSON = REPO / "claims" / "data" / "crosscheck.json"


@dataclass
class Pair:
    x: Profile
    y: Profile
    vector: list[float]
    shared: tuple[str, ...]
    label: int
    story: str  # the gold story folder ("seeds" for the seed articles)


def collect(settings: Settings, cache: Path) -> tuple[list[Pair], Run, Corpus, StoryMap]:
    news = load_news_gold(NEWS)
    files = [d["file"] for d in news.data["documents"]]
    with tempfile.TemporaryDirectory() as tmp:
        run = run_pipeline([article_tree(files, Path(tmp) / "news"), SEEDS], settings, cache)
    corpus = load_corpus(news, run.documents, None)
    matched = match(corpus, run.claims)
    stories = stories_of(run.claims, [], run.documents, settings)
    profiles = build_profiles(run.claims, stories, settings)
    lex = counted_lexicon(settings.data_dir)
    pairs = []
    seen: set[tuple[int, int]] = set()
    for block in blocks(profiles, lex.facet_distance):
        for x, y in candidates(block, settings.crosscheck_window, seen):
            vector, shared = features(block, x, y)
            gx, gy = matched.get(x.claim.claim_id), matched.get(y.claim.claim_id)
            pairs.append(
                Pair(
                    x,
                    y,
                    vector,
                    shared,
                    _label(corpus, gx, gy),
                    corpus.story_of.get(x.claim.doc_id, "?"),
                )
            )
    return pairs, run, corpus, stories


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


def decisions(
    pairs: list[Pair], weights: np.ndarray, relation: float, conflict: float, settings: Settings
) -> list[Decision]:
    out = []
    for pair in pairs:
        p = round(probability(pair.vector, weights.tolist()), 3)
        if p < relation:
            continue
        a, b = in_time_order(pair.x, pair.y)
        rule = relate(a, b, settings)
        if rule is None or (
            rule.relation == "conflict"
            and (p < conflict or not sure_enough_to_conflict(pair.vector))
        ):
            continue
        out.append(Decision(a, b, rule, p, pair.shared))
    return out


def evaluate(ds: list[Decision], run: Run, corpus: Corpus, stories: StoryMap) -> dict[str, Any]:
    columns = _columns(ds, run.documents, stories)
    relations = [
        dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)
    ]
    scored = Run(run.documents, run.claims, relations, run.rejected, run.seconds)
    return report(score(corpus, scored, set(corpus.story_of)), "")


def held_out(pairs: list[Pair], l2: float) -> list[tuple[Pair, float]]:
    """Each pair with its probability under weights fitted without its story."""
    by_story: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        by_story[p.story].append(p)
    out = []
    for story, members in sorted(by_story.items()):
        train = [p for p in pairs if p.story != story]
        w = fit(np.array([p.vector for p in train]), np.array([p.label for p in train]), l2)
        out += [(p, probability(p.vector, w.tolist())) for p in members]
    return out


def log_loss(scored: list[tuple[Pair, float]]) -> float:
    eps = 1e-9
    return float(
        -np.mean(
            [p.label * np.log(q + eps) + (1 - p.label) * np.log(1 - q + eps) for p, q in scored]
        )
    )


def thresholds(
    scored: list[tuple[Pair, float]],
    run: Run,
    corpus: Corpus,
    stories: StoryMap,
    target: float,
    settings: Settings,
) -> tuple[float, float, dict[str, Any]]:
    """(relation threshold, conflict threshold, the held-out report at them)."""

    def at(relation: float, conflict: float) -> dict[str, Any]:
        ds = []
        for pair, p in scored:
            if p < relation:
                continue
            a, b = in_time_order(pair.x, pair.y)
            rule = relate(a, b, settings)
            if rule is None or (
                rule.relation == "conflict"
                and (p < conflict or not sure_enough_to_conflict(pair.vector))
            ):
                continue
            ds.append(Decision(a, b, rule, round(p, 3), pair.shared))
        return evaluate(ds, run, corpus, stories)

    def f1(r: dict[str, Any], label: str) -> float:
        p, q = r[label]["precision"], r[label]["recall"]
        return 2 * p * q / (p + q) if p + q else 0.0

    best_rel, best = 0.5, -1.0
    for relation in np.arange(0.2, 0.85, 0.05):
        r = at(float(relation), 1.01)
        value = (f1(r, "agree") + f1(r, "update")) / 2
        if value > best:
            best_rel, best = float(relation), value
    best_conf = 0.99
    for conflict in np.arange(0.99, best_rel - 1e-9, -0.02):
        r = at(best_rel, float(conflict))
        if r["conflict"]["predicted"] and r["conflict"]["precision"] < target:
            break
        best_conf = float(conflict)
    return round(best_rel, 2), round(best_conf, 2), at(best_rel, best_conf)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the weights in crosscheck.json")
    parser.add_argument(
        "--reuse", type=Path, default=Path(tempfile.gettempdir()) / "claims-extract.pkl"
    )
    parser.add_argument("--conflict-precision", type=float, default=0.9)
    args = parser.parse_args()
    settings = Settings()
    pairs, run, corpus, stories = collect(settings, args.reuse)
    x = np.array([p.vector for p in pairs])
    y = np.array([p.label for p in pairs])
    print(f"{len(pairs)} candidate pairs, {int(y.sum())} of one quantity, {len(FEATURES)} features")
    losses = {l2: log_loss(held_out(pairs, l2)) for l2 in (0.1, 0.3, 1.0, 3.0, 10.0)}
    l2 = min(losses, key=losses.__getitem__)
    print(
        "held-out log loss by L2 penalty: "
        + ", ".join(f"{k:g}: {v:.4f}" for k, v in losses.items())
    )
    scored = held_out(pairs, l2)
    relation, conflict, out_of_story = thresholds(
        scored, run, corpus, stories, args.conflict_precision, settings
    )
    weights = fit(x, y, l2)
    in_sample = evaluate(
        decisions(pairs, weights, relation, conflict, settings), run, corpus, stories
    )
    print(f"thresholds: relation {relation}, conflict {conflict} (L2 {l2:g})")
    for name, rep in (
        ("held out, one story at a time", out_of_story),
        ("fitted on all", in_sample),
    ):
        print(f"\n{name}:")
        for label in ("agree", "conflict", "update"):
            r = rep[label]
            print(
                f"  {label:<9} precision {r['precision']:.3f}  recall {r['recall']:.3f}  ({r['predicted']} predicted, {r['gold']} gold)"
            )
    print("\nweights:")
    for name, w in zip(FEATURES, weights, strict=True):
        print(f"  {name:<20} {w:+.3f}")
    if args.write:
        data = json.loads(CROSSCHECK_JSON.read_text(encoding="utf-8"))
        data["pair_weights"] = {
            n: round(float(w), 3) for n, w in zip(FEATURES, weights, strict=True)
        }
        data["pair_thresholds"] = {"relation": relation, "conflict": conflict}
        CROSSCHECK_JSON.write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"\nwrote {CROSSCHECK_JSON.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
