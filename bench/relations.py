"""The pipeline against the hand annotation of real news: figures found, relations decided.

    .venv/bin/python bench/relations.py                    # bench/news + the seeds
    .venv/bin/python bench/relations.py --worst 40 --story grenfell
    .venv/bin/python bench/relations.py --baseline 5dfde0d # the same bench on another commit, side by side

The corpus is ``bench/news`` (gold: ``bench/news/gold.json``, see ``bench/news/GUIDE.md``) and
the seed articles (gold: ``../shared/gold/seed_claims.json``), read in one run as a newsroom
would: the library path of a flow run (ingest, extract with mentions merged, cross-check).

Figures: a gold figure is found when a claim of the same article overlaps its span; a claim
that overlaps no gold figure is a false figure. Relations: every relation the pipeline makes
is mapped, through the claims, to a pair of gold figures (first mentions); the gold label of
that pair is its annotated relation, else ``none``. So a relation between a part and its
whole, or between two different quantities, counts against the pipeline; a gold pair the
pipeline leaves alone counts as ``none`` predicted.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.newsgold import NEWS, Gold, article_tree, find, span_end  # noqa: E402
from bench.newsgold import load as load_news_gold  # noqa: E402
from claims.crosscheck import cross_check_frame  # noqa: E402
from claims.extract import extract_key  # noqa: E402
from claims.ingest import discover, read_sources  # noqa: E402
from claims.models import Document, QuantityClaim, Rejection  # noqa: E402
from claims.settings import Settings  # noqa: E402
from claims.stages import extract_batch  # noqa: E402

SEEDS = REPO / "seeds"
LABELS = ("agree", "conflict", "update", "none")
NO_RELATION = {"none", "distinct", "unrelated-same-number"}


def shared_dir() -> Path:
    return Path(os.environ.get("CLAIMS_SHARED_DIR", REPO.parent / "shared"))


# --- the gold, seeds and news together --------------------------------------------------------


@dataclass
class GoldFigure:
    id: str
    doc_id: str
    start: int
    end: int
    kind: str
    quantity: str | None
    first: str  # id of the first mention of this figure in its article
    data: dict[str, Any]


@dataclass
class Corpus:
    figures: dict[str, GoldFigure] = field(default_factory=dict)
    labels: dict[frozenset[str], str] = field(default_factory=dict)
    why: dict[frozenset[str], str] = field(default_factory=dict)
    not_quantities: list[tuple[str, int, int]] = field(default_factory=list)
    part_whole: set[frozenset[str]] = field(default_factory=set)  # pairs of quantity keys
    story_of: dict[str, str] = field(default_factory=dict)  # doc_id -> story

    def by_doc(self) -> dict[str, list[GoldFigure]]:
        out: dict[str, list[GoldFigure]] = defaultdict(list)
        for f in self.figures.values():
            out[f.doc_id].append(f)
        return out


def news_doc_id(file: str) -> str:
    return file  # bench/news is read as one root: a document's id is its path under it


def load_corpus(news: Gold, documents: dict[str, Document], stories: set[str] | None) -> Corpus:
    corpus = Corpus()
    for c in news.claims:
        if stories and c["file"].split("/")[0] not in stories:
            continue
        at = news.located.get(c["id"])
        if at is None:
            continue
        corpus.figures[c["id"]] = GoldFigure(
            c["id"],
            news_doc_id(c["file"]),
            at.start,
            at.end,
            c["kind"],
            c["quantity"],
            c.get("mention_of") or c["id"],
            c,
        )
    for r in news.data["relations"]:
        if r["a"] in corpus.figures and r["b"] in corpus.figures:
            pair = frozenset((r["a"], r["b"]))
            corpus.labels[pair] = "none" if r["relation"] in NO_RELATION else r["relation"]
            corpus.why[pair] = r.get("why", "")
    for c in news.claims:
        if c.get("part_of"):
            corpus.part_whole.add(frozenset((c["quantity"], c["part_of"])))
    for n in news.data.get("not_quantities", []):
        text = news.texts.get(n["file"], "")
        for start in find(text, n["quote"]):
            corpus.not_quantities.append(
                (news_doc_id(n["file"]), start, span_end(text, start, n["quote"]))
            )
    for d in news.data["documents"]:
        corpus.story_of[news_doc_id(d["file"])] = d["file"].split("/")[0]
    if not stories or "seeds" in stories:
        add_seeds(corpus, documents)
    return corpus


def add_seeds(corpus: Corpus, documents: dict[str, Document]) -> None:
    gold = json.loads((shared_dir() / "gold" / "seed_claims.json").read_text(encoding="utf-8"))
    first = {w["b"]: w["a"] for w in gold["within_document"] if w["relation"] == "same figure"}
    for c in gold["quantity_claims"]:
        text = documents[c["file"]].text
        hits = find(text, c["quote"])
        if not hits:
            raise SystemExit(f"seed gold quote not in {c['file']}: {c['quote']!r}")
        end = span_end(text, hits[0], c["quote"])
        corpus.figures[c["id"]] = GoldFigure(
            c["id"], c["file"], hits[0], end, c["kind"], None, first.get(c["id"], c["id"]), c
        )
        corpus.story_of[c["file"]] = "seeds"
    for r in gold["relations"]:
        if r["a"] in corpus.figures and r["b"] in corpus.figures:
            pair = frozenset((r["a"], r["b"]))
            corpus.labels[pair] = "none" if r["relation"] in NO_RELATION else r["relation"]
            corpus.why[pair] = r.get("why", "")
    for n in gold["not_quantities"]:
        text = documents[n["file"]].text
        for at in find(text, n["quote"]):
            corpus.not_quantities.append((n["file"], at, span_end(text, at, n["quote"])))


# --- running the pipeline ---------------------------------------------------------------------


@dataclass
class Run:
    documents: dict[str, Document]
    claims: list[QuantityClaim]
    relations: list[dict[str, Any]]
    rejected: list[Rejection]
    seconds: dict[str, float]


def run_pipeline(paths: Iterable[Path], settings: Settings, cache: Path | None = None) -> Run:
    """Ingest, extract (mentions merged) and cross-check, as a flow run does. With ``cache``,
    extraction is read from (or written to) that file when the extractor and the corpus are
    the same: for iterating on cross-checking."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    documents: list[Document] = []
    rejected: list[Rejection] = []
    for item in read_sources(discover(list(paths)), settings):
        (rejected if isinstance(item, Rejection) else documents).append(item)  # type: ignore[arg-type]
    t1 = time.perf_counter()
    key = extract_key(settings) + ":" + ",".join(sorted(d.sha256 for d in documents))
    extractions = None
    if cache is not None and cache.exists():
        stored_key, stored = pickle.loads(cache.read_bytes())
        extractions = stored if stored_key == key else None
    if extractions is None:
        extractions = extract_batch(documents, settings)
        if cache is not None:
            cache.write_bytes(pickle.dumps((key, extractions)))
    t2 = time.perf_counter()
    claims = [c for e in extractions for c in e.claims]
    facts = [f for e in extractions for f in e.facts]
    by_id = {d.doc_id: d for d in documents}
    frame = cross_check_frame(claims, facts, by_id, settings)
    t3 = time.perf_counter()
    seconds.update(ingest=t1 - t0, extract=t2 - t1, crosscheck=t3 - t2)
    relations = frame[frame["claim_type"] == "quantity"].to_dict("records")
    return Run(by_id, claims, relations, rejected, seconds)


# --- scoring ----------------------------------------------------------------------------------


def overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return min(a1, b1) - max(a0, b0)


def match(corpus: Corpus, claims: list[QuantityClaim]) -> dict[str, str]:
    """claim_id -> gold figure id: each gold figure takes the best overlapping claim."""
    by_doc: dict[str, list[QuantityClaim]] = defaultdict(list)
    for c in claims:
        by_doc[c.doc_id].append(c)
    out: dict[str, str] = {}
    for doc_id, figures in corpus.by_doc().items():
        options = []
        for f in figures:
            for c in by_doc.get(doc_id, []):
                size = overlap(f.start, f.end, c.char_start, c.char_end)
                if size > 0:
                    same_value = f.data.get("value") == c.value
                    options.append((not same_value, -size, f.id, c.claim_id))
        taken_f: set[str] = set()
        for _, _, fid, cid in sorted(options):
            if fid not in taken_f and cid not in out:
                out[cid] = fid
                taken_f.add(fid)
    return out


def same_interval(gold: dict[str, Any], c: QuantityClaim) -> bool:
    """The gold interval is the claim's; a date's gold bounds are ISO days, the claim's its
    as_of range (its low/high count days since 1970-01-01)."""
    if gold.get("kind") == "date" and c.kind == "date":
        start = c.as_of_start.isoformat() if c.as_of_start else None
        end = c.as_of_end.isoformat() if c.as_of_end else None
        return (gold.get("low"), gold.get("high")) == (start, end)
    return bool(gold.get("low") == c.low and gold.get("high") == c.high)


@dataclass
class Scores:
    found: int
    gold: int
    true_claims: int
    claims: int
    by_kind: dict[str, tuple[int, int]]
    confusion: dict[tuple[str, str], int]
    errors: list[dict[str, Any]]
    part_whole_conflicts: list[str]  # each a pair of quotes
    exact_values: int


def score(corpus: Corpus, run: Run, in_scope: set[str]) -> Scores:
    claims = [c for c in run.claims if c.doc_id in in_scope]
    matched = match(corpus, claims)
    gold_found = set(matched.values())
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in corpus.figures.values():
        kinds[f.kind][1] += 1
        kinds[f.kind][0] += f.id in gold_found
    by_id = {c.claim_id: c for c in claims}
    exact = sum(
        1 for cid, fid in matched.items() if same_interval(corpus.figures[fid].data, by_id[cid])
    )
    by_claim = {c.claim_id: c for c in claims}
    predicted: dict[frozenset[str], tuple[str, dict[str, Any]]] = {}
    unknown: list[tuple[str, dict[str, Any]]] = []
    for r in run.relations:
        if r["doc_a"] not in in_scope or r["doc_b"] not in in_scope:
            continue
        fa, fb = matched.get(r["claim_a"]), matched.get(r["claim_b"])
        if fa is None or fb is None:
            unknown.append((r["relation"], r))
            continue
        pair = frozenset((corpus.figures[fa].first, corpus.figures[fb].first))
        if len(pair) < 2:
            continue
        if pair not in predicted or r["relation"] == "conflict":
            predicted[pair] = (r["relation"], r)
    confusion: Counter[tuple[str, str]] = Counter()
    errors: list[dict[str, Any]] = []
    firsts = {f.first for f in corpus.figures.values()}
    gold_pairs = {p for p in corpus.labels if p <= firsts}
    part_whole: list[str] = []
    # In a fixed order (sets of strings iterate by their hashes, which change per process):
    # the errors of equal severity print the same way in every run.
    for pair in sorted(gold_pairs | set(predicted), key=sorted):
        want = corpus.labels.get(pair, "none")
        got, rel = predicted.get(pair, ("none", None))
        confusion[want, got] += 1
        a, b = sorted(pair)
        keys = frozenset((corpus.figures[a].quantity, corpus.figures[b].quantity))
        if got == "conflict" and keys in corpus.part_whole:
            quotes = (corpus.figures[x].data["quote"] for x in (a, b))
            part_whole.append(" / ".join(f"«{q}»" for q in quotes))
        if want != got:
            errors.append(error_row(corpus, run, by_claim, a, b, want, got, rel, matched))
    for got, r in unknown:
        confusion["none", got] += 1
        errors.append(
            {
                "want": "none",
                "got": got,
                "score": r["score"],
                "sides": [side(run, by_claim[r["claim_a"]]), side(run, by_claim[r["claim_b"]])],
                "why": "a claim the gold does not count as a figure",
                "reason": r["reason"],
            }
        )
    return Scores(
        len(gold_found),
        len(corpus.figures),
        len(matched),
        len(claims),
        {k: (v[0], v[1]) for k, v in kinds.items()},
        dict(confusion),
        errors,
        part_whole,
        exact,
    )


def side(run: Run, c: QuantityClaim) -> str:
    doc = run.documents[c.doc_id]
    when = doc.published.isoformat() if doc.published else "undated"
    return f"[{doc.outlet or c.doc_id}, {when}] «{c.span}» in: {c.sentence.strip()[:220]}"


def error_row(
    corpus: Corpus,
    run: Run,
    by_claim: dict[str, QuantityClaim],
    a: str,
    b: str,
    want: str,
    got: str,
    rel: dict[str, Any] | None,
    matched: dict[str, str],
) -> dict[str, Any]:
    sides = []
    for fid in (a, b):
        claim = next((by_claim[c] for c, f in matched.items() if f == fid), None)
        if claim is not None:
            sides.append(side(run, claim))
        else:
            f = corpus.figures[fid]
            sides.append(f"[{f.doc_id}] «{f.data.get('span') or f.data['quote']}» (not extracted)")
    return {
        "want": want,
        "got": got,
        "score": rel["score"] if rel else 0.0,
        "sides": sides,
        "why": corpus.why.get(frozenset((a, b)), "different quantities in the gold"),
        "reason": rel["reason"] if rel else "",
    }


def severity(e: dict[str, Any]) -> tuple[int, float]:
    """Wrong conflicts first (they cost a reviewer's trust), then missed conflicts, then the
    rest; within each, the surest mistakes first."""
    if e["got"] == "conflict":
        rank = 0
    elif e["want"] == "conflict":
        rank = 1
    elif e["got"] != "none":
        rank = 2
    else:
        rank = 3
    return rank, -e["score"]


def prf(confusion: dict[tuple[str, str], int], label: str) -> tuple[float, float, int, int]:
    tp = confusion.get((label, label), 0)
    predicted = sum(n for (w, g), n in confusion.items() if g == label)
    actual = sum(n for (w, g), n in confusion.items() if w == label)
    return (
        (tp / predicted if predicted else 0.0),
        (tp / actual if actual else 0.0),
        predicted,
        actual,
    )


def report(s: Scores, title: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": title,
        "figure_recall": s.found / s.gold if s.gold else 0.0,
        "figure_precision": s.true_claims / s.claims if s.claims else 0.0,
        "figures_gold": s.gold,
        "claims": s.claims,
        "exact_intervals": s.exact_values / s.true_claims if s.true_claims else 0.0,
        "by_kind": {k: v[0] / v[1] for k, v in sorted(s.by_kind.items())},
        "part_whole_conflicts": len(s.part_whole_conflicts),
        "part_whole_pairs": sorted(s.part_whole_conflicts),
    }
    for label in ("agree", "conflict", "update"):
        p, r, n_pred, n_gold = prf(s.confusion, label)
        out[label] = {"precision": p, "recall": r, "predicted": n_pred, "gold": n_gold}
    out["confusion"] = {f"{w}->{g}": n for (w, g), n in sorted(s.confusion.items())}
    return out


def print_report(rep: dict[str, Any], base: dict[str, Any] | None) -> None:
    def cell(key: str, sub: str | None = None) -> str:
        now = rep[key] if sub is None else rep[key][sub]
        if base is None:
            return f"{now:.3f}"
        then = base[key] if sub is None else base[key][sub]
        return f"{now:.3f}  (baseline {then:.3f})"

    print(f"\n== {rep['title']}")
    print(f"figures      recall {cell('figure_recall')}   precision {cell('figure_precision')}")
    print(
        f"             {rep['figures_gold']} gold figures, {rep['claims']} claims; exact intervals {rep['exact_intervals']:.3f}"
    )
    print(
        "             recall by kind: "
        + ", ".join(f"{k} {v:.2f}" for k, v in rep["by_kind"].items())
    )
    for label in ("agree", "conflict", "update"):
        x = rep[label]
        print(
            f"{label:<12} precision {cell(label, 'precision')}   recall {cell(label, 'recall')}"
            f"   ({x['predicted']} predicted, {x['gold']} in the gold)"
        )
    print(f"part-whole conflicts: {rep['part_whole_conflicts']}")
    for pair in rep["part_whole_pairs"]:
        print(f"  {pair}")
    print("confusion (gold -> predicted):")
    print("            " + "".join(f"{g:>10}" for g in LABELS))
    for w in LABELS:
        row = "".join(f"{rep['confusion'].get(f'{w}->{g}', 0):>10}" for g in LABELS)
        print(f"  {w:<10}{row}")


def print_errors(errors: list[dict[str, Any]], n: int) -> None:
    print(f"\n== the {min(n, len(errors))} worst errors (of {len(errors)})")
    for k, e in enumerate(sorted(errors, key=severity)[:n], 1):
        print(f"\n{k}. gold {e['want']}, pipeline {e['got']} (score {e['score']:.2f})")
        for s in e["sides"]:
            print(f"   {s}")
        print(f"   gold: {e['why']}")
        if e["reason"]:
            print(f"   pipeline: {e['reason'][:300]}")


def evaluate(
    stories: set[str] | None, settings: Settings, cache: Path | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], Run]:
    news = load_news_gold(NEWS)
    files = [d["file"] for d in news.data["documents"]]
    with tempfile.TemporaryDirectory() as tmp:
        run = run_pipeline([article_tree(files, Path(tmp) / "news"), SEEDS], settings, cache)
    corpus = load_corpus(news, run.documents, stories)
    scope = {d for d, story in corpus.story_of.items() if not stories or story in stories}
    s = score(corpus, run, scope)
    n_stories = len({corpus.story_of[d] for d in scope})
    rep = report(s, f"bench/news + seeds: {len(scope)} articles, {n_stories} stories")
    rep["seconds"] = run.seconds
    return rep, s.errors, run


def baseline_report(ref: str, stories: set[str] | None) -> dict[str, Any]:
    """The same bench on another commit's code (a temporary git worktree) over today's corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            for sub in ("bench/news", "bench/newsgold.py", "bench/relations.py"):
                subprocess.run(["rm", "-rf", str(tree / sub)], check=True)
                subprocess.run(["cp", "-r", str(REPO / sub), str(tree / sub)], check=True)
            args = [sys.executable, str(tree / "bench" / "relations.py"), "--json"]
            if stories:
                args += ["--story", *sorted(stories)]
            env = {**os.environ, "PYTHONPATH": str(tree)}
            done = subprocess.run(
                args, check=True, capture_output=True, text=True, env=env, cwd=tree
            )
            figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
            return figures
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", nargs="*", help="only these stories (folder names; 'seeds')")
    parser.add_argument("--worst", type=int, default=20, help="how many errors to show")
    parser.add_argument("--baseline", help="a git commit to run the same bench on, for comparison")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="FILE",
        help="keep the extraction in FILE and reuse it while extractor and corpus are unchanged",
    )
    args = parser.parse_args()
    stories = set(args.story) if args.story else None
    settings = Settings()
    rep, errors, run = evaluate(stories, settings, args.reuse)
    if args.json:
        print(json.dumps(rep))
        return 0
    base = baseline_report(args.baseline, stories) if args.baseline else None
    print_report(rep, base)
    print_errors(errors, args.worst)
    print("\ntimes: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items()))
    if run.rejected:
        print("rejected: " + "; ".join(f"{r.source_path}: {r.reason}" for r in run.rejected))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
