"""How cross-checking scales: synthetic news at two sizes, time and peak memory of each.

    .venv/bin/python bench/crosscheck_scale.py                  # 100k and 1M claims
    .venv/bin/python bench/crosscheck_scale.py --sizes 20000 200000 --seed 3

Each size runs in a fresh subprocess so its peak memory (``ru_maxrss``) is its own. Documents
and claims are built with ``model_construct`` (no validation); that time is reported apart
from ``cross_check``'s. The corpus imitates a news monitor that grows as articles arrive: ten
claims per article, 27 articles a day (100k claims span a year, 1M ten years). Articles belong
to stories (Pareto-sized: most stories a few articles, a few some hundreds), each story with its own
names and a handful of quantities (a toll that rises, a fixed property, a percentage, a sum);
an article restates some of its story's quantities, rounded, hedged, sometimes wrong or days
later, in sentences of the words news uses ("At least 58 people died in the fire in X, police
said"), and adds figures of its own. So stories must be found, profiles read and candidate
pairs decided as on real news, and agreements, conflicts and updates all occur.
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
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.crosscheck import cross_check_frame, gc_paused
from claims.models import Document, QuantityClaim
from claims.settings import Settings

CLAIMS_PER_DOC = 10
ARTICLES_PER_DAY = 27
FIRST_DAY = date(2015, 1, 1).toordinal()
# What a story counts: (kind, unit, the words around the figure, whether it moves by the day).
QUANTITIES = [
    ("count", "people", "people died in the {topic} in {place}", True),
    ("count", "people", "people were injured in the {topic}", True),
    ("count", "people", "people are still missing after the {topic}", True),
    ("count", "people", "people were evacuated from {place}", True),
    ("count", "homes", "homes were destroyed in {place}", True),
    ("count", "storeys", "storeys of the {name} tower", False),
    ("percent", "percent", "per cent of the vote went to {name}", False),
    ("percent", "percent", "turnout in {place} was", False),
    ("money", "USD", "in damage, the {name} ministry estimated", True),
    ("money", "USD", "aid package announced by {name}", False),
]
QUALIFIERS = ["", "", "", "at least", "more than", "about", "nearly"]
TOPICS = ["fire", "flood", "storm", "explosion", "election", "collapse", "crash", "outbreak"]


def zipf(rng: np.random.Generator, n: int, size: int, s: float = 1.1) -> np.ndarray:
    """``size`` indices in [0, n) with Zipf-like frequencies (rank r has weight 1 / r**s)."""
    cumulative = np.cumsum(1.0 / np.arange(1, n + 1) ** s)
    return np.searchsorted(cumulative / cumulative[-1], rng.random(size))


def synthetic_news(n: int, seed: int) -> tuple[list[dict], list[dict], float]:
    """Field dicts for the documents and ``n`` claims, and the seconds it took to draw them."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    n_docs = max(1, n // CLAIMS_PER_DOC)
    days = max(1, n_docs // ARTICLES_PER_DAY)
    # Story sizes as news has them: most stories a few articles, a few some hundreds.
    sizes = np.minimum(np.ceil(rng.pareto(1.5, size=n_docs) + 1), 200).astype(np.int64)
    n_stories = int(np.searchsorted(np.cumsum(sizes), n_docs) + 1)
    doc_story = rng.permutation(np.repeat(np.arange(n_stories), sizes[:n_stories])[:n_docs])
    story_start = FIRST_DAY + rng.integers(0, days, size=n_stories)
    story_topic = rng.integers(0, len(TOPICS), size=n_stories)
    story_qty = rng.integers(0, len(QUANTITIES), size=(n_stories, 6))
    story_base = np.round(10 ** rng.uniform(1, 5, size=(n_stories, 6)))
    docs: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for d in range(n_docs):
        s = int(doc_story[d])
        lag = int(rng.geometric(0.25)) - 1
        published = date.fromordinal(int(story_start[s]) + lag)
        topic = TOPICS[story_topic[s]]
        name, place = f"Nam{s}e", f"Pla{s % 5000}ce"
        doc_id = f"doc{d:07d}"
        title = f"{name} {topic} in {place}: latest figures"
        lead = f"{place} ({name}) - The {topic} in {place} continued on {published:%A}."
        text_parts = [lead]
        for _ in range(CLAIMS_PER_DOC):
            own = rng.random() < 0.25
            slot = int(rng.integers(0, 6)) if own else None
            q = (
                int(story_qty[s, slot])
                if slot is not None
                else int(rng.integers(0, len(QUANTITIES)))
            )
            kind, unit, words, moving = QUANTITIES[q]
            base = (
                float(story_base[s, slot]) if slot is not None else float(10 ** rng.uniform(1, 5))
            )
            value = base * (1 + 0.3 * lag) if moving else base
            if rng.random() < 0.1:
                value *= rng.choice([0.8, 1.2, 1.5])  # a slip, or another outlet's figure
            value = float(max(1, round(value)))
            qualifier = str(rng.choice(QUALIFIERS))
            low, high, lo_inc, hi_inc = {
                "at least": (value, None, True, True),
                "more than": (value, None, False, True),
                "about": (0.9 * value, 1.1 * value, True, True),
                "nearly": (0.9 * value, value, True, False),
            }.get(qualifier, (value, value, True, True))
            number = f"${value:,.0f} million" if kind == "money" else f"{value:,.0f}"
            span = f"{qualifier} {number}".strip()
            phrase = words.format(topic=topic, place=place, name=name)
            # What the reader (claims.crosscheck.reading) takes from such a sentence.
            reading = {
                "counted": phrase.split()[2] if unit == "people" else None,
                "holder": None,
                "facets": [],
                "cues": ["fixed"] if not moving else [],
                "places": [place.lower()],
                "context_words": [w for w in phrase.lower().split() if len(w) > 3][:6],
            }
            sentence = f"{span} {phrase}, officials said on {published:%A}."
            sentence = sentence[0].upper() + sentence[1:]
            start = sum(len(p) + 1 for p in text_parts)
            text_parts.append(sentence)
            claims.append(
                {
                    "claim_id": f"q_{len(claims):08d}",
                    "doc_id": doc_id,
                    "kind": kind,
                    "span": span,
                    "char_start": start,
                    "char_end": start + len(span),
                    "sentence": sentence,
                    "sentence_start": start,
                    "value": value * (1e6 if kind == "money" else 1),
                    "low": low * (1e6 if kind == "money" else 1),
                    "high": None if high is None else high * (1e6 if kind == "money" else 1),
                    "low_inclusive": lo_inc,
                    "high_inclusive": hi_inc,
                    "qualifier": qualifier or None,
                    "unit": unit,
                    "measure": "person" if unit == "people" else unit,
                    "subject": phrase,
                    "key_terms": [f"GPE:{place.lower()}", f"ORG:{name.lower()}", f"term:{topic}"],
                    "as_of_start": published,
                    "as_of_end": published,
                    "time_basis": "published",
                    "scope_type": "state",
                    "tolerance": 0.5 if not qualifier else 0.0,
                    "measure_factor": 1.0,
                    "change": "level",
                    "stance": "asserted",
                    "mention_of": None,
                    "revises": None,
                    "time_text": None,
                    "attributed_to": None,
                    **reading,
                }
            )
        text = " ".join(text_parts)
        docs.append(
            {
                "doc_id": doc_id,
                "source_path": f"/inbox/{doc_id}.txt",
                "text": text,
                "sha256": f"{d:064x}",
                "title": title,
                "outlet": f"Outlet {d % 40}",
                "published": published,
                "url": None,
                "published_source": "front matter",
                "warnings": [],
            }
        )
    return docs, claims[:n], time.perf_counter() - t0


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

    doc_rows, rows, t_draw = synthetic_news(n, seed)
    t0 = time.perf_counter()
    with gc_paused():  # building the input is not what is measured; GC would make it superlinear
        claims = [QuantityClaim.model_construct(**r) for r in rows]
        documents = {r["doc_id"]: Document.model_construct(**r) for r in doc_rows}
    t_construct = time.perf_counter() - t0
    del rows, doc_rows
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    relations = cross_check_frame(claims, [], documents, Settings())
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
        "documents": len(documents),
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
