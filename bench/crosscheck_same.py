"""Whether two commits' cross-checking gives exactly the same relations: every row of every
relation (ids, rules, scores, reasons, shared words) and every story, on bench/news + the seeds
and on synthetic news.

    .venv/bin/python bench/crosscheck_same.py --baseline main
    .venv/bin/python bench/crosscheck_same.py --baseline 1928876 --synthetic 50000

For changes meant to move data, not decisions (speed, memory): any difference is printed, with
the first differing row. ``--small-slices`` makes this code cut its work into small slices
(stories' words, profiles, scored pairs, reasons), so that a corpus this size crosses their boundaries.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else REPO
sys.path.insert(0, str(CODE))


def dump(out: Path, corpus: Path, small: bool, cache: Path) -> None:
    """Write the relations and stories of both corpora, as plain rows, to ``out``; the
    synthetic news is read from ``corpus`` (drawn once, by this tree's generator, so that both
    commits see the same)."""
    from bench.relations import evaluate
    from claims.crosscheck import cross_check_run
    from claims.models import Document, QuantityClaim
    from claims.settings import Settings

    if small:
        import claims.crosscheck.profiles as profiles
        import claims.crosscheck.quantities as quantities
        import claims.crosscheck.stories as stories

        stories._DOCS_AT_ONCE = 701  # type: ignore[attr-defined]
        profiles._CHUNK = 3001  # type: ignore[attr-defined]
        quantities._CHUNK = 50_000
        quantities.column_slices.__defaults__ = (7001,)  # type: ignore[attr-defined]
    settings = Settings()
    _, _, run = evaluate(None, settings, cache)
    _, extractions = pickle.loads(cache.read_bytes())
    claims = [c for e in extractions for c in e.claims]
    facts = [f for e in extractions for f in e.facts]
    result: dict[str, Any] = {}
    news = cross_check_run(claims, facts, run.documents, settings)
    docs, rows = pickle.loads(corpus.read_bytes())
    made = cross_check_run(
        [QuantityClaim.model_construct(**r) for r in rows],
        [],
        {r["doc_id"]: Document.model_construct(**r) for r in docs},
        settings,
    )
    for name, checked in (("news", news), ("synthetic", made)):
        result[name] = checked.relations.astype(object).to_dict("records")
        result[f"{name} stories"] = (
            checked.stories.frame().to_dict("records"),
            checked.stories.assignments().to_dict("records"),
        )
    out.write_bytes(pickle.dumps(result))


def compare(a: dict[str, Any], b: dict[str, Any]) -> bool:
    same = True
    for key in a:
        if repr(a[key]) == repr(b[key]):
            size = len(a[key]) if isinstance(a[key], list) else len(a[key][1])
            print(f"  {key:18} identical ({size:,} rows)")
            continue
        same = False
        x, y = a[key], b[key]
        print(f"  {key:18} DIFFERENT ({len(x):,} vs {len(y):,} rows)")
        for k, (r, s) in enumerate(zip(x, y, strict=False)):
            if repr(r) != repr(s):
                print(f"    first difference at row {k}:\n    {r}\n    {s}")
                break
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--synthetic", type=int, default=30_000, help="synthetic claims")
    parser.add_argument("--small-slices", action="store_true")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "crosscheck_same_extraction.pkl"
    if args.dump:
        dump(args.dump, args.corpus, args.small_slices, cache)
        return
    from bench.crosscheck_scale import synthetic_news

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "synthetic.pkl"
        docs, rows, _ = synthetic_news(args.synthetic, 5)
        corpus.write_bytes(pickle.dumps((docs, rows)))
        del docs, rows
        tree = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), args.baseline],
            check=True,
            capture_output=True,
        )
        try:
            dumps: list[dict[str, Any]] = []
            for code, small in ((tree, False), (REPO, args.small_slices)):
                out = Path(tmp) / f"{len(dumps)}.pkl"
                cmd = [sys.executable, __file__, "--dump", str(out), "--code", str(code)]
                cmd += ["--corpus", str(corpus)] + (["--small-slices"] * small)
                subprocess.run(cmd, check=True, env=os.environ)
                dumps.append(pickle.loads(out.read_bytes()))
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
    print(f"this tree against {args.baseline}:")
    sys.exit(0 if compare(*dumps) else 1)


if __name__ == "__main__":
    main()
