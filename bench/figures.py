"""The figures the pipeline misses and the claims it makes that are no figure, by kind.

    .venv/bin/python bench/figures.py                       # every story and the seeds
    .venv/bin/python bench/figures.py --story grenfell --kind measure
    .venv/bin/python bench/figures.py --fields              # also wrong kind/value/change/stance

The same run and the same matching as ``bench/relations.py`` (a gold figure is found when a
claim of its article overlaps its span; a claim that overlaps no gold figure is false), printed
as lists to work from: each missed figure with its quote, each false claim with its sentence.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.newsgold import NEWS, article_tree  # noqa: E402
from bench.newsgold import load as load_news_gold  # noqa: E402
from bench.relations import SEEDS, load_corpus, match, run_pipeline  # noqa: E402
from claims.models import QuantityClaim  # noqa: E402
from claims.settings import Settings  # noqa: E402

FIELDS = ("kind", "value", "low", "high", "change", "stance")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", nargs="*", help="only these stories (folder names; 'seeds')")
    parser.add_argument("--kind", nargs="*", help="only gold figures / claims of these kinds")
    parser.add_argument("--fields", action="store_true", help="list field disagreements too")
    parser.add_argument("--no-misses", action="store_true")
    parser.add_argument("--no-false", action="store_true")
    args = parser.parse_args()
    stories = set(args.story) if args.story else None
    kinds = set(args.kind) if args.kind else None
    news = load_news_gold(NEWS)
    files = [d["file"] for d in news.data["documents"]]
    with tempfile.TemporaryDirectory() as tmp:
        run = run_pipeline([article_tree(files, Path(tmp) / "news"), SEEDS], Settings())
    corpus = load_corpus(news, run.documents, stories)
    scope = {d for d, s in corpus.story_of.items() if not stories or s in stories}
    claims = [c for c in run.claims if c.doc_id in scope]
    matched = match(corpus, claims)
    found = set(matched.values())
    by_id = {c.claim_id: c for c in claims}

    misses = [f for f in corpus.figures.values() if f.id not in found and f.doc_id in scope]
    if kinds:
        misses = [f for f in misses if f.kind in kinds]
    if not args.no_misses:
        print(f"== missed figures: {len(misses)}")
        for f in sorted(misses, key=lambda f: (f.kind, f.doc_id, f.start)):
            d = f.data
            print(f"  [{f.kind}] {f.id}: «{d.get('span')}» in «{d['quote']}» ({d.get('unit')})")
    false = [c for c in claims if c.claim_id not in matched]
    if kinds:
        false = [c for c in false if c.kind in kinds]
    if not args.no_false:
        print(f"\n== false claims: {len(false)}")
        for c in sorted(false, key=lambda c: (c.kind, c.doc_id, c.char_start)):
            print(f"  [{c.kind}] {c.doc_id}: «{c.span}» ({c.unit}) in: {_sentence(c)}")
    if args.fields:
        wrong: Counter[str] = Counter()
        print("\n== field disagreements on found figures")
        for cid, fid in sorted(matched.items(), key=lambda x: x[1]):
            c, g = by_id[cid], corpus.figures[fid].data
            if kinds and g["kind"] not in kinds:
                continue
            diff = [
                f"{k} {g.get(k)!r}≠{_field(c, k)!r}"
                for k in FIELDS
                if k in g and not _same(g.get(k), _field(c, k))
            ]
            if diff:
                wrong.update(x.split()[0] for x in diff)
                print(f"  {fid}: «{c.span}» " + "; ".join(diff))
        print("  by field: " + ", ".join(f"{k} {n}" for k, n in wrong.most_common()))
    print(
        f"\nrecall {len(found) / max(1, len(corpus.figures)):.3f} "
        f"precision {len(matched) / max(1, len(claims)):.3f}"
    )
    return 0


def _field(c: QuantityClaim, key: str) -> object:
    return getattr(c, key)


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))
    if a is None or b is None:
        return a is b
    return a == b


def _sentence(c: QuantityClaim) -> str:
    return " ".join(c.sentence.split())[:200]


if __name__ == "__main__":
    raise SystemExit(main())
