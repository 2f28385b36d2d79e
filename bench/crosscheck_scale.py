"""How cross-checking scales: synthetic news at two sizes, time and peak memory of each, against
a baseline commit's code measured in the same run.

    .venv/bin/python bench/crosscheck_scale.py                  # 100k and 1M, main at 100k
    .venv/bin/python bench/crosscheck_scale.py --sizes 20000 200000 --baseline HEAD~3
    .venv/bin/python bench/crosscheck_scale.py --sizes --by-story 10000000   # out of core only

Each measurement runs in a fresh subprocess so its peak memory (``ru_maxrss``) is its own,
input included. The baseline runs this script's corpus against the code of ``--baseline`` (a
temporary git worktree) from models built with ``model_construct`` (no validation), and builds
the whole relations frame before inserting it (``cross_check_frame``). This code is measured
twice at the first size, from the same models and from Arrow tables, and from Arrow tables at
every size: the columns cross-checking reads, drawn in a child process and read from Arrow IPC
files (as the pipeline hands it its staged columns), each slice of relations inserted into
DuckDB as it is made (``cross_check_stream``). ``--by-story`` measures a corpus too large to
cross-check at once: stories are found from all the documents, then claims are cross-checked a
group of whole stories at a time (which gives the same relations: every comparison is within
one story). The corpus imitates a news monitor that grows as articles arrive: ten
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
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# The code measured: this tree's, or a baseline worktree's (``--code``, set before importing).
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else REPO
sys.path.insert(0, str(CODE))

from claims.crosscheck import gc_paused  # noqa: E402
from claims.models import Document, QuantityClaim  # noqa: E402
from claims.settings import Settings  # noqa: E402

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
    docs: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for doc_slice, claim_slice in synthetic_slices(n, seed):
        docs += doc_slice
        claims += claim_slice
    return docs, claims, time.perf_counter() - t0


def synthetic_slices(
    n: int, seed: int, docs_per_slice: int = 10_000
) -> Iterator[tuple[list[dict], list[dict]]]:
    """:func:`synthetic_news` (the same draws) a slice of documents at a time."""
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
    made = 0
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
                    "claim_id": f"q_{made + len(claims):08d}",
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
        if len(docs) == docs_per_slice or d == n_docs - 1:
            claims = claims[: max(0, n - made)]
            yield docs, claims
            made += len(claims)
            docs, claims = [], []


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


def _usage() -> tuple[float, int]:
    """CPU seconds so far and peak resident memory (KiB) of this process."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def _relation_table(con: Any) -> None:
    from claims.crosscheck.quantities import RELATION_SCHEMA

    # DuckDB would keep what it was given in memory up to most of the machine's RAM; a run
    # that must fit beside others lets it write to its file instead.
    con.execute("SET memory_limit = '512MB'")

    empty = RELATION_SCHEMA.empty_table()  # noqa: F841 (read by DuckDB by name)
    con.execute("CREATE TABLE claim_relations AS SELECT * FROM empty")


def _counts(con: Any) -> dict[str, int]:
    rows = con.execute("SELECT relation, count(*) FROM claim_relations GROUP BY 1").fetchall()
    counts = dict(rows)
    return {"relations": sum(counts.values()), **{k: counts.get(k, 0) for k in _KINDS}}


_KINDS = ("agree", "conflict", "update")


def arrow_news(n: int, seed: int, folder: Path) -> tuple[Any, Any, float]:
    """:func:`synthetic_news` as two Arrow tables (documents, claims), and the seconds it took.
    They are drawn in a child process and read from Arrow IPC files, so that this process holds
    the tables and none of the Python objects they were drawn from."""
    import pyarrow as pa

    t0 = time.perf_counter()
    cmd = [sys.executable, __file__, "--draw", str(n), "--seed", str(seed), "--db", str(folder)]
    subprocess.run([*cmd, "--code", str(CODE)], check=True)
    documents, claims = (
        pa.ipc.open_file(folder / f"{name}.arrow").read_all() for name in ("documents", "claims")
    )
    return documents, claims, time.perf_counter() - t0


def draw(n: int, seed: int, folder: Path) -> None:
    """Write :func:`synthetic_news` to ``documents.arrow`` and ``claims.arrow`` in ``folder``:
    the columns cross-checking reads (``claims.crosscheck.columns``), as the pipeline selects
    them from its staged tables; a document's whole text."""
    import pyarrow as pa

    from claims.crosscheck.columns import CLAIM_SCHEMA, DOC_SCHEMA

    wanted = {"documents": DOC_SCHEMA, "claims": CLAIM_SCHEMA}

    writers: dict[str, Any] = {}
    for doc_slice, claim_slice in synthetic_slices(n, seed):
        for name, rows in (("documents", doc_slice), ("claims", claim_slice)):
            batch = pa.RecordBatch.from_pylist(rows, schema=wanted[name])
            if name not in writers:
                writers[name] = pa.ipc.new_file(folder / f"{name}.arrow", batch.schema)
            writers[name].write_batch(batch)
    for writer in writers.values():
        writer.close()


def run_one(n: int, seed: int, mode: str, db: Path) -> dict:
    """Cross-check ``n`` synthetic claims into the DuckDB file ``db``: from models, the whole
    frame then one insert (``frame``) or slice by slice (``stream``); from Arrow tables, slice
    by slice (``arrow``)."""
    import duckdb

    t0 = time.perf_counter()
    claims: Any
    documents: Any
    if mode == "arrow":
        documents, claims, t_draw = arrow_news(n, seed, db.parent)
        input_mb = (claims.nbytes + documents.nbytes) / 2**20
        t0 = time.perf_counter()  # reading the tables is part of drawing them
    else:
        doc_rows, rows, t_draw = synthetic_news(n, seed)
        t0 = time.perf_counter()
        with (
            gc_paused()
        ):  # building the input is not what is measured; GC would make it superlinear
            claims = [QuantityClaim.model_construct(**r) for r in rows]
            documents = {r["doc_id"]: Document.model_construct(**r) for r in doc_rows}
        del rows, doc_rows
        input_mb = 0.0
    t_construct = time.perf_counter() - t0
    con = duckdb.connect(str(db))
    _relation_table(con)
    cpu0, rss_before = _usage()
    t0, t_load = time.perf_counter(), 0.0
    if mode == "frame":
        from claims.crosscheck import cross_check_frame

        relations = cross_check_frame(claims, [], documents, Settings())
        t1 = time.perf_counter()
        con.execute("INSERT INTO claim_relations SELECT * FROM relations")
        t_load = time.perf_counter() - t1
        del relations
    else:
        from claims.crosscheck import cross_check_stream

        for part in cross_check_stream(claims, [], documents, Settings()).tables:
            t1 = time.perf_counter()
            con.execute("INSERT INTO claim_relations SELECT * FROM part")
            t_load += time.perf_counter() - t1
            del part
    t_all = time.perf_counter() - t0
    cpu1, rss_peak = _usage()
    out = {
        "claims": n,
        "documents": len(documents),
        "mode": mode,
        "draw_s": round(t_draw, 2),
        "construct_s": round(t_construct, 2),
        "input_mb": round(input_mb),
        "cross_check_s": round(t_all - t_load, 2),
        "duckdb_load_s": round(t_load, 2),
        "wall_s": round(t_all, 2),
        "cpu_s": round(cpu1 - cpu0, 2),
        "linear_reference_s": round(linear_reference(n, seed), 3),
        "peak_rss_mb": round(rss_peak / 1024),
        "extra_rss_mb": round((rss_peak - rss_before) / 1024),
        **_counts(con),
    }
    con.close()
    return out


def run_by_story(n: int, seed: int, db: Path, group_claims: int = 1_000_000) -> dict:
    """Cross-check ``n`` claims kept as Arrow columns, a group of whole stories at a time,
    every group's relations written to ``db`` as they are made (out of core)."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    from claims.crosscheck import add_names
    from claims.crosscheck.columns import CLAIM_SCHEMA, document_columns
    from claims.crosscheck.quantities import quantity_tables
    from claims.crosscheck.stories import group_stories

    settings = Settings()
    t0 = time.perf_counter()
    cpu0, _ = _usage()
    doc_parts, claim_parts = [], []
    names: dict[str, set[str]] = {}
    for doc_slice, claim_slice in synthetic_slices(n, seed):
        # Only what cross-checking reads: a document's opening, a claim's fields.
        doc_parts.append(document_columns(pa.Table.from_pylist(doc_slice)).table)
        part = pa.Table.from_pylist(claim_slice).select(CLAIM_SCHEMA.names)
        add_names(names, part, [], settings)
        claim_parts.append(part)
    del doc_slice, claim_slice
    documents = document_columns(pa.concat_tables(doc_parts))
    table = pa.concat_tables(claim_parts)
    del doc_parts, claim_parts
    t_draw, (cpu_draw, _) = time.perf_counter() - t0, _usage()
    input_mb = (table.nbytes + documents.table.nbytes) / 2**20
    con = duckdb.connect(str(db))
    _relation_table(con)
    t0, t_load, t_construct = time.perf_counter(), 0.0, 0.0
    with gc_paused():
        stories = group_stories(documents, names, settings)
    t_stories = time.perf_counter() - t0
    del names
    # Groups of whole stories of about ``group_claims`` claims (ten claims an article).
    group_of_story: dict[str, int] = {}
    size = 0
    for story in stories.stories:
        group_of_story[story.story_id] = size // group_claims
        size += 10 * len(story.doc_ids)
    doc_ids = documents.table["doc_id"]
    doc_group = pa.array([group_of_story[stories.story_of[d]] for d in doc_ids.to_pylist()])
    claim_group = pc.take(doc_group, pc.index_in(table["doc_id"], value_set=doc_ids))
    claim_group = claim_group.to_numpy()
    groups = 0
    for g in range(int(claim_group.max(initial=-1)) + 1):
        t1 = time.perf_counter()
        claims = table.filter(pa.array(claim_group == g))
        t_construct += time.perf_counter() - t1
        with gc_paused():
            for part in quantity_tables(claims, documents, stories, settings):
                t1 = time.perf_counter()
                con.execute("INSERT INTO claim_relations SELECT * FROM part")
                t_load += time.perf_counter() - t1
                del part
        del claims
        groups += 1
    t_all = time.perf_counter() - t0
    cpu1, rss_peak = _usage()
    out = {
        "claims": n,
        "documents": len(documents),
        "mode": "by-story",
        "groups": groups,
        "draw_s": round(t_draw, 2),
        "draw_cpu_s": round(cpu_draw - cpu0, 2),
        "input_mb": round(input_mb),
        "stories_s": round(t_stories, 2),
        "construct_s": round(t_construct, 2),
        "cross_check_s": round(t_all - t_load - t_construct, 2),
        "duckdb_load_s": round(t_load, 2),
        "wall_s": round(t_all, 2),
        "cpu_s": round(cpu1 - cpu_draw, 2),
        "peak_rss_mb": round(rss_peak / 1024),
        **_counts(con),
    }
    con.close()
    return out


def measure(n: int, seed: int, mode: str, code: Path = REPO) -> dict:
    """One measurement in a fresh process, its relations in a DuckDB file of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(seed), "--mode", mode]
        cmd += ["--db", str(Path(tmp) / "relations.duckdb"), "--code", str(code)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])
    result["code"] = "baseline" if code != REPO else "this"
    print(json.dumps(result), flush=True)
    return result


def baseline_tree(ref: str, tmp: Path) -> Path:
    tree = tmp / "baseline"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref],
        check=True,
        capture_output=True,
    )
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--baseline",
        default="main",
        help="commit whose code is measured at the first size, on the same corpus",
    )
    parser.add_argument("--by-story", type=int, metavar="N", help="also N claims out of core")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--draw", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="arrow", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.draw:
        draw(args.draw, args.seed, args.db)
        return
    if args.one:
        if args.mode == "by-story":
            print(json.dumps(run_by_story(args.one, args.seed, args.db)))
        else:
            print(json.dumps(run_one(args.one, args.seed, args.mode, args.db)))
        return
    if args.sizes and args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            tree = baseline_tree(args.baseline, Path(tmp))
            try:
                base = measure(args.sizes[0], args.seed, "frame", tree)
            finally:
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                    check=False,
                    capture_output=True,
                )
        models = measure(args.sizes[0], args.seed, "stream")
        mine = [measure(n, args.seed, "arrow") for n in args.sizes]
        a = mine[0]
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", args.baseline],
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(
            f"\n{a['claims']:,} claims, this code against {args.baseline} ({commit}) from models, "
            "same corpus, same run:"
        )
        for label, r in (("models", models), ("arrow", a)):
            print(
                f"  {label:6}  CPU {r['cpu_s']}s vs {base['cpu_s']}s "
                f"({base['cpu_s'] / max(r['cpu_s'], 1e-9):.1f}x less), wall {r['wall_s']}s vs "
                f"{base['wall_s']}s; peak memory {r['peak_rss_mb']} vs {base['peak_rss_mb']} MB "
                f"(input {r['input_mb'] or 'as models'}); relations "
                f"{'the same in number' if r['relations'] == base['relations'] else 'DIFFER'}"
            )
        if len(mine) >= 2:
            b = mine[-1]
            grew = b["cpu_s"] / max(a["cpu_s"], 1e-9)
            reference = b["linear_reference_s"] / max(a["linear_reference_s"], 1e-9)
            print(
                f"{b['claims']:,} claims from Arrow: CPU {b['cpu_s']}s, wall {b['wall_s']}s "
                f"(DuckDB inserts {b['duckdb_load_s']}s), peak memory {b['peak_rss_mb']} MB with "
                f"its input ({b['input_mb']} MB of Arrow); {b['claims'] / a['claims']:g}x the "
                f"claims took {grew:.1f}x the CPU for "
                f"{b['relations'] / max(a['relations'], 1):.1f}x the relations "
                f"({b['relations']:,}); a linear reference workload grew {reference:.1f}x here, so "
                f"cross-checking grew {grew / reference:.2f}x as much as linear work does"
            )
    if args.by_story:
        measure(args.by_story, args.seed, "by-story")


if __name__ == "__main__":
    main()
