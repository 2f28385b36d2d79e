"""How cross-checking scales: synthetic news at two sizes, time and peak memory of each, against
a baseline commit's code measured in the same run.

    .venv/bin/python bench/crosscheck_scale.py                  # 100k and 1M, main at 100k
    .venv/bin/python bench/crosscheck_scale.py --sizes 20000 200000 --baseline HEAD~3
    .venv/bin/python bench/crosscheck_scale.py --sizes --by-story 10000000   # out of core only
    .venv/bin/python bench/crosscheck_scale.py --baseline-arrow   # the baseline from Arrow too

Each measurement runs in a fresh subprocess so its peak memory (``ru_maxrss``) is its own,
input included. The baseline runs this script's corpus against the code of ``--baseline`` (a
temporary git worktree) from models built with ``model_construct`` (no validation), and builds
the whole relations frame before inserting it (``cross_check_frame``). This code is measured
twice at the first size, from the same models and from Arrow tables, and from Arrow tables at
every size: the columns cross-checking reads, drawn in a child process and read from Arrow IPC
files (as the pipeline hands it its staged columns), each slice of relations inserted into
DuckDB as it is made (``cross_check_stream``); with ``--baseline-arrow`` the baseline is measured
so too, at every size, for same-run ratios at a million claims. ``--by-story`` measures a corpus too large to
cross-check at once, out of core: it is drawn to Arrow IPC files and read back a batch at a
time; stories are found from all the documents, then claims are cross-checked a group of whole
stories (``--group`` claims) at a time, which gives the same relations (every comparison is
within one story). The corpus is drawn as numpy arrays and written by Arrow's string kernels
(a million claims in seconds). It imitates a news monitor that grows as articles arrive: ten
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
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

REPO = Path(__file__).resolve().parents[1]
# The code measured: this tree's, or a baseline worktree's (``--code``, set before importing).
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else REPO
_MEMORY_ARG = "--duckdb-memory"
DUCKDB_MEMORY = sys.argv[sys.argv.index(_MEMORY_ARG) + 1] if _MEMORY_ARG in sys.argv else "512MB"
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
        docs += doc_slice.to_pylist()
        claims += claim_slice.to_pylist()
    return docs, claims, time.perf_counter() - t0


_DOCS_PER_SLICE = 100_000  # documents drawn at once (the draws depend on it)
_EPOCH = date(1970, 1, 1).toordinal()  # Arrow's date32 counts days from here
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _join(*parts: Any) -> pa.Array:
    """Row by row concatenation of string arrays and literals."""
    return pc.binary_join_element_wise(*parts, "")


def _fill(template: str, fields: dict[str, pa.Array], rows: int) -> pa.Array:
    """``template.format(**fields)`` for every row of the ``fields`` columns."""
    pieces = re.split(r"\{(\w+)\}", template)
    parts = [fields[p] if k % 2 else p for k, p in enumerate(pieces) if p]
    return _join(*parts) if len(parts) > 1 else pa.repeat(pa.scalar(template), rows)


def _lists(values: pa.Array, parent: np.ndarray, rows: int) -> pa.ListArray:
    """Lists for ``rows`` rows from ``values`` and the row of each (non-decreasing)."""
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(np.bincount(parent, minlength=rows), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _repeat(value: str, rows: int) -> pa.Array:
    return pa.repeat(pa.scalar(value), rows)


def synthetic_slices(
    n: int, seed: int, docs_per_slice: int = _DOCS_PER_SLICE
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Synthetic news as Arrow tables (documents, claims) with every field of ``Document`` and
    ``QuantityClaim``, a slice of documents at a time: drawn as numpy arrays and written by
    Arrow's string kernels, so that ten million claims take minutes, not most of an hour."""
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
    kinds = np.array([q[0] for q in QUANTITIES])
    units = np.array([q[1] for q in QUANTITIES])
    moving = np.array([q[3] for q in QUANTITIES])
    qualifiers = np.array(QUALIFIERS)
    made = 0
    for first in range(0, n_docs, docs_per_slice):
        d = np.arange(first, min(first + docs_per_slice, n_docs))
        m, c = len(d), len(d) * CLAIMS_PER_DOC
        s = doc_story[d]
        lag = rng.geometric(0.25, size=m) - 1
        day = story_start[s] + lag
        weekday = pc.take(pa.array(_WEEKDAYS), pa.array((day + 6) % 7))
        name = pa.array([f"Nam{k}e" for k in s.tolist()])
        place = pa.array([f"Pla{k % 5000}ce" for k in s.tolist()])
        topic = pc.take(pa.array(TOPICS), pa.array(story_topic[s]))
        doc_ids = pa.array([f"doc{k:07d}" for k in d.tolist()])
        lead = _join(place, " (", name, ") - The ", topic, " in ", place, " continued on ")
        lead = _join(lead, weekday, ".")
        # Each claim: one of its story's quantities (a quarter of them) or a figure of its own.
        owner = np.repeat(np.arange(m), CLAIMS_PER_DOC)
        of_doc = pa.array(owner)
        cs, clag = s[owner], lag[owner]
        own = rng.random(c) < 0.25
        slot = rng.integers(0, 6, size=c)
        q = np.where(own, story_qty[cs, slot], rng.integers(0, len(QUANTITIES), size=c))
        base = np.where(own, story_base[cs, slot], 10 ** rng.uniform(1, 5, size=c))
        value = np.where(moving[q], base * (1 + 0.3 * clag), base)
        slip = rng.random(c) < 0.1  # a slip, or another outlet's figure
        value = np.where(slip, value * rng.choice([0.8, 1.2, 1.5], size=c), value)
        value = np.maximum(1.0, np.round(value))
        qualifier = qualifiers[rng.integers(0, len(QUALIFIERS), size=c)]
        low = np.where(np.isin(qualifier, ["about", "nearly"]), 0.9 * value, value)
        high = np.where(qualifier == "about", 1.1 * value, value)
        open_above = np.isin(qualifier, ["at least", "more than"])
        money = kinds[q] == "money"
        scale = np.where(money, 1e6, 1.0)
        distinct, at = np.unique(value, return_inverse=True)
        figure = pc.take(pa.array([f"{v:,.0f}" for v in distinct.tolist()]), pa.array(at))
        number = pc.if_else(pa.array(money), _join("$", figure, " million"), figure)
        hedge = pa.array(qualifier)
        unhedged = pa.array(qualifier == "")
        span = pc.if_else(unhedged, number, _join(hedge, " ", number))
        fields = {"topic": topic.take(of_doc), "place": place.take(of_doc)}
        fields["name"] = name.take(of_doc)
        # Each quantity's words filled in for the claims that state it.
        by_words = np.argsort(q, kind="stable")
        bounds = np.searchsorted(q[by_words], np.arange(len(QUANTITIES) + 1))
        filled = []
        for k, (lo, hi) in enumerate(pairwise(bounds)):
            rows = pa.array(by_words[lo:hi])
            filled.append(
                _fill(QUANTITIES[k][2], {f: v.take(rows) for f, v in fields.items()}, hi - lo)
            )
        back = np.empty(c, dtype=np.int64)
        back[by_words] = np.arange(c)
        phrase = pa.concat_arrays(filled).take(pa.array(back))
        # What the reader (claims.crosscheck.reading) takes from such a sentence.
        tokens = pc.split_pattern(phrase, " ")
        counted = pc.if_else(pa.array(units[q] == "people"), pc.list_element(tokens, 2), None)
        flat = pc.list_flatten(pc.split_pattern(pc.utf8_lower(phrase), " "))
        parent = pc.list_parent_indices(tokens).to_numpy()
        long = pc.greater(pc.utf8_length(flat), 3).to_numpy(zero_copy_only=False)
        flat, parent = flat.filter(pa.array(long)), parent[long]
        per = np.bincount(parent, minlength=c)
        first_six = np.arange(len(parent)) - np.repeat(np.cumsum(per) - per, per) < 6
        context = _lists(flat.filter(pa.array(first_six)), parent[first_six], c)
        still = np.flatnonzero(~moving[q])
        cues = _lists(_repeat("fixed", len(still)), still, c)
        sentence = _join(span, " ", phrase, ", officials said on ", weekday.take(of_doc), ".")
        sentence = _join(
            pc.utf8_upper(pc.utf8_slice_codeunits(sentence, 0, 1)),
            pc.utf8_slice_codeunits(sentence, 1),
        )
        # Offsets in the text: the lead, then each sentence, one space apart.
        length = pc.utf8_length(sentence).to_numpy().reshape(m, CLAIMS_PER_DOC) + 1
        lead_length = pc.utf8_length(lead).to_numpy() + 1
        start = (np.cumsum(length, axis=1) - length + lead_length[:, None]).reshape(-1)
        per_doc = CLAIMS_PER_DOC + 1
        pieces = np.column_stack([np.arange(m), m + np.arange(c).reshape(m, CLAIMS_PER_DOC)])
        items = pa.concat_arrays([lead, sentence]).take(pa.array(pieces.reshape(-1)))
        offsets = pa.array(np.arange(0, m * per_doc + 1, per_doc, dtype=np.int32))
        text = pc.binary_join(pa.ListArray.from_arrays(offsets, items), " ")
        published = pa.array((day - _EPOCH).astype(np.int32), pa.date32())
        as_of = published.take(of_doc)
        lower_place = pc.utf8_lower(fields["place"])
        terms = [
            _join("GPE:", lower_place),
            _join("ORG:", pc.utf8_lower(fields["name"])),
            _join("term:", fields["topic"]),
        ]
        interleave = np.arange(3 * c).reshape(3, c).T.reshape(-1)
        key_terms = pa.concat_arrays(terms).take(pa.array(interleave))
        nothing = pa.nulls(c, pa.string())
        none = np.zeros(0, dtype=np.int64)
        at_claim = first * CLAIMS_PER_DOC
        claims = pa.table(
            {
                "claim_id": [f"q_{k:08d}" for k in range(at_claim, at_claim + c)],
                "doc_id": doc_ids.take(of_doc),
                "kind": kinds[q],
                "span": span,
                "char_start": start,
                "char_end": start + pc.utf8_length(span).to_numpy(),
                "sentence": sentence,
                "sentence_start": start,
                "value": value * scale,
                "low": low * scale,
                "high": pa.array(high * scale, mask=open_above),
                "low_inclusive": qualifier != "more than",
                "high_inclusive": qualifier != "nearly",
                "qualifier": pc.if_else(unhedged, pa.scalar(None, pa.string()), hedge),
                "unit": units[q],
                "measure": np.where(units[q] == "people", "person", units[q]),
                "subject": phrase,
                "key_terms": _lists(key_terms, np.repeat(np.arange(c), 3), c),
                "as_of_start": as_of,
                "as_of_end": as_of,
                "time_basis": _repeat("published", c),
                "scope_type": _repeat("state", c),
                "tolerance": np.where(qualifier == "", 0.5, 0.0),
                "measure_factor": np.ones(c),
                "change": _repeat("level", c),
                "stance": _repeat("asserted", c),
                "mention_of": nothing,
                "revises": nothing,
                "time_text": nothing,
                "attributed_to": nothing,
                "counted": counted,
                "holder": nothing,
                "facets": _lists(pa.array([], pa.string()), none, c),
                "cues": cues,
                "places": _lists(lower_place, np.arange(c), c),
                "context_words": context,
            }
        )
        documents = pa.table(
            {
                "doc_id": doc_ids,
                "source_path": _join("/inbox/", doc_ids, ".txt"),
                "text": text,
                "sha256": [f"{k:064x}" for k in d.tolist()],
                "title": _join(name, " ", topic, " in ", place, ": latest figures"),
                "outlet": [f"Outlet {k % 40}" for k in d.tolist()],
                "published": published,
                "url": pa.nulls(m, pa.string()),
                "published_source": _repeat("front matter", m),
                "warnings": _lists(pa.array([], pa.string()), none, m),
            }
        )
        claims = claims.slice(0, max(0, n - made))
        yield documents, claims
        made += len(claims)


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


def _relation_store(db: Path) -> Any:
    """A claims database at ``db`` whose staged relations are empty, as a run's are when
    cross-checking writes them (``Store.reset_staging``: the table the pipeline inserts into,
    declared as the measured code's migrations declare it)."""
    from claims.store import Store

    store = Store(db)
    store.reset_staging()
    # DuckDB would keep what it was given in memory up to most of the machine's RAM; a run
    # that must fit beside others lets it write to its file instead. It keeps the blocks it
    # wrote cached up to this limit: they count in the peak memory measured.
    store.con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    return store


_TABLE = "staging.claim_relations"


def _counts(con: Any) -> dict[str, int]:
    rows = con.execute(f"SELECT relation, count(*) FROM {_TABLE} GROUP BY 1").fetchall()
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
    for tables in synthetic_slices(n, seed):
        for name, table in zip(wanted, tables, strict=True):
            table = table.select(wanted[name].names).cast(wanted[name])
            if name not in writers:
                writers[name] = pa.ipc.new_file(folder / f"{name}.arrow", table.schema)
            writers[name].write_table(table, max_chunksize=250_000)
    for writer in writers.values():
        writer.close()


def run_one(n: int, seed: int, mode: str, db: Path) -> dict:
    """Cross-check ``n`` synthetic claims into the DuckDB file ``db``: from models, the whole
    frame then one insert (``frame``) or slice by slice (``stream``); from Arrow tables, slice
    by slice (``arrow``)."""

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
    store = _relation_store(db)
    con = store.con
    cpu0, rss_before = _usage()
    t0, t_load = time.perf_counter(), 0.0
    n_documents = len(documents)
    if mode == "frame":
        from claims.crosscheck import cross_check_frame

        relations = cross_check_frame(claims, [], documents, Settings())
        t1 = time.perf_counter()
        con.execute(f"INSERT INTO {_TABLE} SELECT * FROM relations")
        t_load = time.perf_counter() - t1
        del relations
    else:
        from claims.crosscheck import cross_check_stream

        stream = cross_check_stream(claims, [], documents, Settings())
        # As the pipeline does: the input is let go once cross-checking holds what it reads.
        n_documents = len(documents)
        del claims, documents
        for part in stream.tables:
            t1 = time.perf_counter()
            con.execute(f"INSERT INTO {_TABLE} SELECT * FROM part")
            t_load += time.perf_counter() - t1
            del part
    t_all = time.perf_counter() - t0
    cpu1, rss_peak = _usage()
    out = {
        "claims": n,
        "documents": n_documents,
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
    store.close()
    return out


def run_by_story(n: int, seed: int, db: Path, group_claims: int = 1_000_000) -> dict:
    """Cross-check ``n`` claims out of core: drawn to Arrow IPC files in a child process, read
    from them a batch at a time (the names their key terms give, then each group's claims),
    stories found from all the documents' openings, then claims cross-checked a group of
    whole stories at a time, every group's relations written to ``db`` as they are made."""

    from claims.crosscheck import add_names
    from claims.crosscheck.columns import document_columns
    from claims.crosscheck.quantities import quantity_tables
    from claims.crosscheck.stories import group_stories

    settings = Settings()
    t0 = time.perf_counter()
    cpu0, _ = _usage()
    folder = db.parent
    cmd = [sys.executable, __file__, "--draw", str(n), "--seed", str(seed), "--db", str(folder)]
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([*cmd, "--code", str(CODE)], check=True)
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    t_draw = time.perf_counter() - t0
    cpu_draw = child.ru_utime + child.ru_stime - child0.ru_utime - child0.ru_stime
    t0 = time.perf_counter()

    def batches() -> Iterator[pa.Table]:
        # Read into memory a batch at a time (not mapped: mapped pages would count as ours).
        with pa.OSFile(str(folder / "claims.arrow")) as source:
            reader = pa.ipc.open_file(source)
            for k in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(k)])

    with pa.OSFile(str(folder / "documents.arrow")) as source:
        documents = document_columns(pa.ipc.open_file(source).read_all())  # openings only
    names: dict[str, set[str]] = {}
    for part in batches():
        add_names(names, part, [], settings)
    store = _relation_store(db)
    con = store.con
    t_load, t_construct = 0.0, 0.0
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
    claim_groups = [
        pc.take(doc_group, pc.index_in(part["doc_id"], value_set=doc_ids)).to_numpy()
        for part in batches()
    ]
    groups = int(max(g.max(initial=-1) for g in claim_groups)) + 1
    for g in range(groups):
        t1 = time.perf_counter()
        claims = pa.concat_tables(
            part.filter(pa.array(of == g)) for part, of in zip(batches(), claim_groups, strict=True)
        )
        t_construct += time.perf_counter() - t1
        with gc_paused():
            for part in quantity_tables(claims, documents, stories, settings):
                t1 = time.perf_counter()
                con.execute(f"INSERT INTO {_TABLE} SELECT * FROM part")
                t_load += time.perf_counter() - t1
                del part
        del claims
    t_all = time.perf_counter() - t0
    cpu1, rss_peak = _usage()
    out = {
        "claims": n,
        "documents": len(documents),
        "mode": "by-story",
        "groups": groups,
        "draw_s": round(t_draw, 2),
        "draw_cpu_s": round(cpu_draw, 2),
        "stories_s": round(t_stories, 2),
        "read_groups_s": round(t_construct, 2),
        "cross_check_s": round(t_all - t_load - t_construct - t_stories, 2),
        "duckdb_load_s": round(t_load, 2),
        "wall_s": round(t_all, 2),
        "cpu_s": round(cpu1 - cpu0, 2),
        "peak_rss_mb": round(rss_peak / 1024),
        **_counts(con),
    }
    store.close()
    return out


def measure(n: int, seed: int, mode: str, code: Path = REPO, group: int = 1_000_000) -> dict:
    """One measurement in a fresh process, its relations in a DuckDB file of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(seed), "--mode", mode]
        cmd += ["--group", str(group)]
        cmd += ["--db", str(Path(tmp) / "relations.duckdb"), "--code", str(code)]
        cmd += [_MEMORY_ARG, DUCKDB_MEMORY]
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
    parser.add_argument(
        "--baseline-arrow",
        action="store_true",
        help="also measure the baseline from Arrow tables at every size, as this code is",
    )
    parser.add_argument("--by-story", type=int, metavar="N", help="also N claims out of core")
    parser.add_argument(
        "--group", type=int, default=1_000_000, help="claims cross-checked at once out of core"
    )
    parser.add_argument(
        _MEMORY_ARG,
        default="512MB",
        help="DuckDB's memory_limit while the relations are inserted (its cache counts in the peak)",
    )
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
            print(json.dumps(run_by_story(args.one, args.seed, args.db, args.group)))
        else:
            print(json.dumps(run_one(args.one, args.seed, args.mode, args.db)))
        return
    if args.sizes and args.baseline:
        with tempfile.TemporaryDirectory() as tmp:
            tree = baseline_tree(args.baseline, Path(tmp))
            try:
                base = measure(args.sizes[0], args.seed, "frame", tree)
                base_arrow = [
                    measure(n, args.seed, "arrow", tree) for n in args.sizes if args.baseline_arrow
                ]
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
        for b, m in zip(base_arrow, mine, strict=False):
            print(
                f"{m['claims']:,} claims from Arrow, this code against {args.baseline}: CPU "
                f"{m['cpu_s']}s vs {b['cpu_s']}s ({b['cpu_s'] / max(m['cpu_s'], 1e-9):.2f}x less; "
                f"DuckDB inserts {m['duckdb_load_s']}s vs {b['duckdb_load_s']}s), wall "
                f"{m['wall_s']}s vs {b['wall_s']}s, peak memory {m['peak_rss_mb']} vs "
                f"{b['peak_rss_mb']} MB; relations "
                f"{'the same in number' if m['relations'] == b['relations'] else 'DIFFER'}"
            )
    if args.by_story:
        measure(args.by_story, args.seed, "by-story", group=args.group)


if __name__ == "__main__":
    main()
