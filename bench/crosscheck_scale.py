"""How cross-checking scales: synthetic claims at two sizes, time and peak memory of each.

    .venv/bin/python bench/crosscheck_scale.py                  # 100k and 1M claims
    .venv/bin/python bench/crosscheck_scale.py --sizes 20000 200000 --seed 3

Each size runs in a fresh subprocess so its peak memory (``ru_maxrss``) is its own. Claims are
built with ``model_construct`` (no validation) and that time is reported apart from
``cross_check``'s. The corpus imitates a news monitor that grows as articles arrive: ten
claims per article, 27 articles a day (100k claims span a year, 1M ten years),
Zipf-distributed measures, entities and descriptive words, and half of the claims
retelling one of a pool of "stories" (the same figure reported by several outlets, sometimes
reworded, sometimes wrong, sometimes months later) so that agreements, conflicts and updates
all occur. Places and nationalities are a closed set; organisations, people and descriptive
words grow with the corpus (a bigger corpus covers more events, not the same ones more often).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.crosscheck import _gc_paused, cross_check_frame
from claims.models import QuantityClaim
from claims.settings import Settings

CLAIMS_PER_DOC = 10
ARTICLES_PER_DAY = 27  # a topic monitor's intake: 100k claims is about a year, 1M ten years
N_MEASURES = 300
# Names per entity type at 100k claims, and how often a claim names one.
VOCAB = {"GPE": 3000, "NORP": 150, "ORG": 8000, "PERSON": 20000, "LOC": 500}
GROWING = ("ORG", "PERSON", "term")
ENTITY_SHARE = {"GPE": 0.8, "NORP": 0.35, "ORG": 0.35, "PERSON": 0.1, "LOC": 0.1}
WORDS = 6000  # descriptive words at 100k claims; one to three per claim
SCOPES = np.array(["state"] * 6 + ["event"] * 2 + ["period", "cumulative"])
QUALIFIERS = np.array(["", "more than", "about", "nearly", "up to"])
QUALIFIER_SHARE = np.array([0.45, 0.15, 0.2, 0.1, 0.1])
WORDING = np.array([1.0, 1.0, 1.0, 1.04, 0.8, 1.5])  # a retold figure: same, rounded, wrong


def zipf(rng: np.random.Generator, n: int, size: int, s: float = 1.1) -> np.ndarray:
    """``size`` indices in [0, n) with Zipf-like frequencies (rank r has weight 1 / r**s)."""
    cumulative = np.cumsum(1.0 / np.arange(1, n + 1) ** s)
    return np.searchsorted(cumulative / cumulative[-1], rng.random(size))


def measures() -> list[tuple[str, str]]:
    """(kind, measure) pairs: a few currencies and percent, the rest counted nouns."""
    out = [("money", c) for c in ("USD", "EUR", "GBP", "UAH", "RUB")] + [("percent", "percent")]
    return out + [("count", f"noun{k}") for k in range(N_MEASURES - len(out))]


def draw_terms(rng: np.random.Generator, n: int, scale: float) -> list[list[str]]:
    """Key terms for ``n`` claims, as the extractor writes them."""
    columns = []
    for label, share in ENTITY_SHARE.items():
        size = int(VOCAB[label] * (scale if label in GROWING else 1))
        ids = zipf(rng, size, n)
        present = rng.random(n) < share
        columns.append(
            [
                f"{label}:{label.lower()}{i}" if p else None
                for i, p in zip(ids, present, strict=True)
            ]
        )
    n_words = rng.integers(1, 4, size=n)
    words = zipf(rng, int(WORDS * scale), int(n_words.sum()))
    out, k = [], 0
    for row, count in enumerate(n_words.tolist()):
        terms = [col[row] for col in columns if col[row]]
        out.append(terms + [f"term:word{w}" for w in words[k : k + count]])
        k += count
    return out


def synthetic_claims(n: int, seed: int) -> tuple[list[dict], float]:
    """Field dicts for ``n`` claims, and the seconds it took to draw them."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    scale = max(n / 100_000, 0.1)
    kinds = measures()
    first_day = date(2015, 1, 1).toordinal()
    days = max(1, n // (CLAIMS_PER_DOC * ARTICLES_PER_DAY))
    n_stories = max(1, n // 5)
    # Every claim is drawn at random; then half of them are overwritten by a story's fields.
    measure = zipf(rng, len(kinds), n)
    value = np.round(10 ** rng.uniform(0, 9, size=n)) + 1
    scope = rng.choice(SCOPES, size=n)
    terms = draw_terms(rng, n, scale)
    doc = np.arange(n) // CLAIMS_PER_DOC
    published = first_day + rng.integers(0, days, size=doc[-1] + 1)[doc]
    story = np.where(rng.random(n) < 0.5, rng.integers(n_stories, size=n), -1)
    told = np.flatnonzero(story >= 0)
    s = story[told]
    s_measure, s_value = (
        zipf(rng, len(kinds), n_stories),
        np.round(10 ** rng.uniform(0, 9, n_stories), -1) + 10,
    )
    s_scope, s_terms = rng.choice(SCOPES, size=n_stories), draw_terms(rng, n_stories, scale)
    s_day = first_day + rng.integers(0, days, size=n_stories)
    measure[told], scope[told] = s_measure[s], s_scope[s]
    value[told] = np.round(s_value[s] * rng.choice(WORDING, size=len(told)))
    published[told] = s_day[s] + rng.integers(-30, 400, size=len(told))
    for k, i in zip(told.tolist(), s.tolist(), strict=True):
        terms[k] = s_terms[i]
    qualifier = rng.choice(QUALIFIERS, size=n, p=QUALIFIER_SHARE)
    explicit = rng.random(n) < 0.3  # "last month", "in March": a stated scope before publication
    start = np.where(explicit, published - rng.integers(0, 365, size=n), published)
    end = np.where(explicit, start + rng.integers(0, 31, size=n), published)
    rows = []
    for k in range(n):
        kind, unit = kinds[measure[k]]
        q, v = str(qualifier[k]), float(value[k])
        low, high, lo_inc, hi_inc = {
            "more than": (v, None, False, True),
            "about": (0.9 * v, 1.1 * v, True, True),
            "nearly": (0.9 * v, v, True, False),
            "up to": (0.0, v, True, True),
        }.get(q, (v, v, True, True))
        rows.append(
            {
                "claim_id": f"q_{k:08d}",
                "doc_id": f"doc{doc[k]:07d}",
                "kind": kind,
                "span": f"{q} {v:,.0f} {unit}".strip(),
                "char_start": 100 * (k % CLAIMS_PER_DOC),
                "char_end": 100 * (k % CLAIMS_PER_DOC) + 20,
                "sentence": "",
                "sentence_start": 0,
                "value": v,
                "low": low,
                "high": high,
                "low_inclusive": lo_inc,
                "high_inclusive": hi_inc,
                "qualifier": q or None,
                "unit": unit,
                "measure": unit,
                "subject": " ".join(t.split(":")[-1] for t in terms[k]),
                "key_terms": terms[k],
                "as_of_start": date.fromordinal(int(start[k])),
                "as_of_end": date.fromordinal(int(end[k])),
                "time_basis": "explicit" if explicit[k] else "published",
                "scope_type": str(scope[k]),
            }
        )
    return rows, time.perf_counter() - t0


def linear_reference(n: int, seed: int) -> float:
    """Seconds for a fixed linear-time workload over ``n`` claims' worth of arrays: gathers and
    sorts like cross-checking's own, with no cross-checking logic. Its growth between the two
    sizes is what this machine's caches and memory make of linear work; cross-checking is near
    linear when its growth is close to this one's."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, n, size=4 * n)
    values = rng.random(n)
    t0 = time.perf_counter()
    for _ in range(3):
        order = np.argsort(keys, kind="stable")
        gathered = values[keys[order] % n]
        np.cumsum(gathered)
    return time.perf_counter() - t0


def run_one(n: int, seed: int) -> dict:
    import duckdb

    rows, t_draw = synthetic_claims(n, seed)
    t0 = time.perf_counter()
    with _gc_paused():  # building the input is not what is measured; GC would make it superlinear
        claims = [QuantityClaim.model_construct(**r) for r in rows]
    t_construct = time.perf_counter() - t0
    del rows
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    relations = cross_check_frame(claims, [], {}, Settings())
    t_check, c_check = time.perf_counter() - t0, time.process_time() - c0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The pipeline's next step: one bulk insert of the frame into DuckDB.
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute("CREATE TABLE claim_relations AS SELECT * FROM relations")
    t_load = time.perf_counter() - t0
    con.close()
    counts = relations["relation"].value_counts()
    return {
        "claims": n,
        "draw_s": round(t_draw, 2),
        "construct_s": round(t_construct, 2),
        "cross_check_s": round(t_check, 2),
        "cross_check_cpu_s": round(c_check, 2),
        "duckdb_load_s": round(t_load, 2),
        "linear_reference_s": round(linear_reference(n, seed), 3),
        "peak_rss_mb": round(rss_peak / 1024),
        "cross_check_extra_rss_mb": round((rss_peak - rss_before) / 1024),
        "relations": len(relations),
        **{k: int(counts.get(k, 0)) for k in ("agree", "conflict", "update")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed)))
        return
    results = []
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    if len(results) >= 2:
        a, b = results[0], results[-1]
        time_ratio = b["cross_check_s"] / max(a["cross_check_s"], 1e-9)
        reference = b["linear_reference_s"] / max(a["linear_reference_s"], 1e-9)
        print(
            f"{b['claims']:,} vs {a['claims']:,} claims ({b['claims'] / a['claims']:g}x): "
            f"cross_check took {time_ratio:.1f}x as long ({b['cross_check_s']}s vs "
            f"{a['cross_check_s']}s); relations {b['relations']:,} vs {a['relations']:,}\n"
            f"a linear reference workload grew {reference:.1f}x on this machine; cross_check "
            f"grew {time_ratio / reference:.2f}x as much as linear work does here"
        )


if __name__ == "__main__":
    main()
