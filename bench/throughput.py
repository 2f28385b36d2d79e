"""Extraction throughput against spaCy alone on real news, and memory at two corpus sizes.

    .venv/bin/python bench/throughput.py [--docs 300] [--rounds 3] [--both-cores] [--check 100]
    .venv/bin/python bench/throughput.py --memory [--sizes 1000 10000]

The corpus is recombined from the real-news corpus (bench/news: 84 articles of 14 stories,
ingested as a run ingests them): each document tells one story, an article's opening
paragraphs followed by runs of paragraphs from the story's articles, about 500 words, no two
alike and no paragraph twice in a document, written as files with the article's date in
front matter. Figures come as densely as they do in that news: most paragraphs hold one.

Three things are timed in one process run, each excluding process start and model loading:

- the baseline, plain spaCy: ``spacy.load`` of the configured model and ``nlp.pipe`` over the
  document texts on one core, in batches of 64 documents (spaCy's default of 1000 500-word
  documents per batch holds gigabytes);
- extraction, the NLP stage: ``extract_documents`` over the same documents (read beforehand);
- the pipeline, as a flow run does it: discover, ingest, extract (with the cross-check's
  reading of each claim), stage into a DuckDB file, batch by batch.

The machine is shared and its speed drifts, so baseline and the others alternate over
``--rounds`` rounds; every figure is the median round's, and the ratios are taken within a
round. Each line gives wall time and CPU time, the worker processes' included (on a loaded
machine CPU time is the steadier measure of the work; the wall time is what a user waits: with
two processes and a free core, about half the CPU time).

``--both-cores`` also times, in every round, the pipeline as ``claims run -j 2`` runs it
(extraction in two worker processes, started and warmed once beforehand) and spaCy's own
``nlp.pipe(n_process=2)``, both against the round's one-core baseline. ``--check N``
reads the first N documents again the reference way (every paragraph through the stock model
as spaCy ships it, ``prefilter=False``) and lists every claim and fact that differs.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import spacy
from spacy.language import Language

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.newsgold import NEWS, article_tree
from bench.newsgold import load as load_news_gold
from claims import stages
from claims.extract import extract_documents, split_passages
from claims.ingest import discover, read_sources
from claims.models import Document, Extraction, FactClaim, QuantityClaim
from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# Documents per nlp.pipe batch for the baseline (the pipeline's batches were 64 documents too).
BASELINE_BATCH = 64


# --- the corpus -------------------------------------------------------------------------------


@dataclass
class Article:
    """One article of the real-news corpus, as the pipeline stores its text."""

    story: str
    published: str
    paragraphs: list[str]


def news_articles(news: Path = NEWS) -> list[Article]:
    """The annotated articles of ``bench/news`` (the files its gold lists), ingested as a run
    ingests them (front matter stripped, HTML reduced, wrapped lines joined), in paragraphs."""
    listed = load_news_gold(news).data["documents"]
    out = []
    with tempfile.TemporaryDirectory(prefix="claims-news-") as tmp:
        tree = article_tree([d["file"] for d in listed], Path(tmp))
        texts = {
            doc.doc_id: doc.text
            for doc in read_sources(discover([tree]), Settings())
            if isinstance(doc, Document)
        }
    for entry in listed:
        paragraphs = [p for _, p in split_passages(texts[entry["file"]])]
        out.append(Article(entry["file"].split("/")[0], entry["published"], paragraphs))
    return out


def documents(
    articles: list[Article], count: int, words: int, seed: int
) -> Iterator[tuple[str, str]]:
    """``count`` distinct documents (publication date, text) of about ``words`` words, each
    told from one story: an article's opening paragraphs, then runs of paragraphs from that
    story's articles, so that figures come as densely as they do in the news and in the
    news's own order."""
    rng = random.Random(seed)
    stories: dict[str, list[Article]] = {}
    for article in articles:
        stories.setdefault(article.story, []).append(article)
    told = {story: {p for a in group for p in a.paragraphs} for story, group in stories.items()}
    seen: set[bytes] = set()
    while len(seen) < count:
        base = rng.choice(articles)
        paragraphs = base.paragraphs[: rng.randint(1, 4)]
        used, total = set(paragraphs), sum(len(p.split()) for p in paragraphs)
        while total < words:
            source = rng.choice(stories[base.story]).paragraphs
            at = rng.randrange(len(source))
            run = [p for p in source[at : at + rng.randint(1, 4)] if p not in used]
            used.update(run)
            paragraphs += run
            total += sum(len(p.split()) for p in run)
            if used >= told[base.story]:
                break  # a story shorter than a document: it is told once
        text = "\n\n".join(paragraphs) + "\n"
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        if digest not in seen:
            seen.add(digest)
            yield base.published, text


def write_corpus(folder: Path, count: int, words: int, seed: int) -> int:
    """Write the corpus as one file per document; returns its number of words."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i, (published, text) in enumerate(documents(news_articles(), count, words, seed)):
        (folder / f"{i:06d}.txt").write_text(f"---\npublished: {published}\n---\n{text}", "utf-8")
        total += len(text.split())
    return total


# --- measuring --------------------------------------------------------------------------------


class PeakRss:
    """Peak resident memory of this process, and with ``children`` of its child processes, while
    the block runs (sampled)."""

    def __init__(self, children: bool, every: float = 0.05) -> None:
        self.children, self.every, self.peak = children, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = me.memory_info().rss
            for child in me.children(recursive=True) if self.children else []:
                with contextlib.suppress(psutil.Error):
                    rss += child.memory_info().rss
            self.peak = max(self.peak, rss)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Result:
    name: str
    seconds: float  # wall
    cpu: float  # CPU time of this process's threads and, with -j 2, of its worker processes
    documents: int
    words: int
    claims: int
    peak_rss: int

    def line(self) -> str:
        cpu = f"cpu {self.cpu:5.1f} s" if self.cpu else " " * 11
        return (
            f"{self.name:<30} {self.words / self.seconds:>8,.0f} words/s "
            f"{self.documents / self.seconds:>6.1f} docs/s {self.claims / self.seconds:>7.1f} "
            f"claims/s  peak RSS {self.peak_rss / 2**20:>5.0f} MiB  wall {self.seconds:5.1f} s"
            f"  {cpu}"
        )


@contextlib.contextmanager
def timed(processes: int = 1) -> Iterator[dict[str, float]]:
    """Wall and CPU seconds and the peak memory of the block; with more than one process, the
    worker processes' memory counts too (idle workers of another side do not)."""
    out: dict[str, float] = {}
    with PeakRss(children=processes > 1) as rss:
        wall, cpu = time.perf_counter(), time.process_time()
        before = _children_cpu() if processes > 1 else None
        yield out
        out["wall"], out["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
        if before is not None:
            out["cpu"] += _children_cpu_since(before)
    out["peak"] = rss.peak


def _children_cpu() -> tuple[dict[int, float], float]:
    """CPU seconds of each live child process, and of the children already waited for."""
    live = {}
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = child.cpu_times()
            live[child.pid] = times.user + times.system
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return live, done.ru_utime + done.ru_stime


def _children_cpu_since(before: tuple[dict[int, float], float]) -> float:
    """CPU seconds the child processes used since ``before``: the worker pool's (alive
    throughout) and those started and ended meanwhile (``nlp.pipe(n_process=2)``'s)."""
    live, done = _children_cpu()
    used = sum(seconds - before[0].get(pid, 0.0) for pid, seconds in live.items())
    return used + done - before[1]


def read_documents(folder: Path, settings: Settings) -> list[Document]:
    return [d for d in read_sources(discover([folder]), settings) if isinstance(d, Document)]


def plain_spacy(settings: Settings) -> Language:
    """The model as spaCy loads it, untouched: the baseline's."""
    return spacy.load(settings.spacy_model)


def baseline(
    nlp: Language, documents: list[Document], settings: Settings, words: int, n_process: int = 1
) -> Result:
    """spaCy alone: the full model over every document text."""
    with timed(n_process) as t:
        stream = nlp.pipe(
            (d.text for d in documents), batch_size=BASELINE_BATCH, n_process=n_process
        )
        count = sum(1 for _ in stream)
    assert count == len(documents)
    name = f"nlp.pipe, {n_process} process{'es' if n_process > 1 else ''}"
    cpu = t["cpu"]
    return Result(name, t["wall"], cpu, count, words, 0, int(t["peak"]))


def extraction(documents: list[Document], settings: Settings, words: int) -> Result:
    """The NLP stage alone: claims and facts of every document, one process."""
    with timed() as t:
        claims = sum(len(e.claims) + len(e.facts) for e in extract_documents(documents, settings))
    return Result(
        "extraction, 1 process", t["wall"], t["cpu"], len(documents), words, claims, int(t["peak"])
    )


def pipeline(folder: Path, db: Path, settings: Settings, words: int) -> Result:
    """discover -> ingest -> extract -> stage, batch by batch, as a flow run does it: the
    caller reads the next batches and stages the earlier ones while a thread per extraction
    process waits for the batch's claims (``flows.verify_claims``)."""
    from flows.verify_claims import DEFAULT_EXTRACT_AHEAD

    run_settings = settings.model_copy(update={"db": db})
    with (
        timed(settings.n_process) as t,
        ThreadPoolExecutor(settings.n_process, thread_name_prefix="extract") as extractor,
    ):
        sources = stages.discover_inputs([folder])
        summary = stages.begin_run(run_settings, "bench", [str(folder)])
        claims = docs = 0
        pending: deque[tuple[stages.IngestBatch, Future[list[Extraction]]]] = deque()
        chunks = stages.batches(sources, run_settings)
        while True:
            chunk = next(chunks, None)
            if chunk is not None:
                batch = stages.ingest_batch(chunk, {}, run_settings)
                extracted = extractor.submit(stages.extract_batch, batch.changed, run_settings)
                pending.append((batch, extracted))
            if not pending:
                break
            if chunk is None or len(pending) > DEFAULT_EXTRACT_AHEAD:
                ready, future = pending.popleft()
                extractions = future.result()
                summary = stages.stage_batch(ready, extractions, summary, run_settings)
                claims += sum(len(e.claims) + len(e.facts) for e in extractions)
                docs += len(ready.documents)
    n = settings.n_process
    name = f"pipeline, {n} process{'es' if n > 1 else ''}" + (" (-j 2)" if n == 2 else "")
    cpu = t["cpu"]
    return Result(name, t["wall"], cpu, docs, words, claims, int(t["peak"]))


def warm_pool(settings: Settings) -> float:
    """Start the extraction worker processes and wait until each has loaded the model: a
    one-off cost per process, like loading the model, so it is timed apart."""
    from claims import multicore

    start = time.perf_counter()
    executor = multicore.pool(settings)
    answered: set[int] = set()
    # A worker answers only once its initializer has loaded the model.
    while len(answered) < settings.n_process:
        asked = [executor.submit(os.getpid) for _ in range(settings.n_process)]
        answered.update(f.result() for f in asked)
        time.sleep(0.05)
    return time.perf_counter() - start


def _key(claim: QuantityClaim | FactClaim) -> str:
    return claim.claim_id if isinstance(claim, QuantityClaim) else claim.fact_id


def _read(extractions: Iterable[Extraction]) -> dict[str, QuantityClaim | FactClaim]:
    """Every claim and fact, keyed by everything it says."""
    out: dict[str, QuantityClaim | FactClaim] = {}
    for e in extractions:
        out.update((c.model_dump_json(), c) for c in e.claims)
        out.update((f.model_dump_json(), f) for f in e.facts)
    return out


def differing(documents: list[Document], settings: Settings) -> tuple[int, int, list[str]]:
    """(claims and facts that differ, claims and facts in all, what differs) between the fast
    path and the reference reading: every paragraph through the stock model."""
    fast = _read(extract_documents(documents, settings))
    full = _read(extract_documents(documents, settings, prefilter=False))
    only_fast = [fast[k] for k in fast.keys() - full.keys()]
    by_id = {_key(full[k]): full[k] for k in full.keys() - fast.keys()}
    lines = []
    for c in only_fast:
        other = by_id.pop(_key(c), None)
        if other is None:
            lines.append(f"  only in the fast path: {c.doc_id} «{c.span}»")
        else:
            a, b = c.model_dump(), other.model_dump()
            fields = ", ".join(f"{k}: {b[k]!r} -> {a[k]!r}" for k in a if a[k] != b[k])
            lines.append(f"  {c.doc_id} «{c.span}»: {fields}")
    lines += [f"  only in the reference: {c.doc_id} «{c.span}»" for c in by_id.values()]
    return len(fast.keys() ^ full.keys()), len(fast.keys() | full.keys()), lines


def prefect_overhead(folder: Path, db: Path, settings: Settings) -> tuple[float, float]:
    """(first flow run, second flow run) seconds for ``folder``: start-up, then per-run cost."""
    from claims.cli import prefect_environment

    prefect_environment(REPO / ".prefect")
    from flows.verify_claims import verify_claims

    times = []
    for run in range(2):
        # A fresh database each time: on the same one the second run would find nothing changed.
        fresh = db.with_name(f"{db.stem}{run}{db.suffix}")
        start = time.perf_counter()
        verify_claims(
            paths=[str(folder)],
            settings=Settings(db=fresh, reports_dir=db.parent / "reports"),
        )
        times.append(time.perf_counter() - start)
    return times[0], times[1]


def library_run(folder: Path, db: Path, settings: Settings) -> float:
    """Seconds for the same stages as a flow run, called directly (no Prefect)."""
    start = time.perf_counter()
    s = settings.model_copy(update={"db": db, "reports_dir": db.parent / "reports"})
    sources = stages.discover_inputs([folder])
    summary = stages.begin_run(s, "library", [str(folder)])
    known = stages.published_hashes(s)
    for chunk in stages.batches(sources, s):
        batch = stages.ingest_batch(chunk, known, s)
        summary = stages.stage_batch(batch, stages.extract_batch(batch.changed, s), summary, s)
    summary = stages.cross_check_staged(summary, s)
    stages.publish_staged(s)
    stages.write_run_report(stages.finish_run(summary, s, status="published"), s)
    return time.perf_counter() - start


# --- modes ------------------------------------------------------------------------------------


def median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.seconds)[len(results) // 2]


def middle(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def run(args: argparse.Namespace) -> dict:
    settings = Settings(n_process=1)
    with tempfile.TemporaryDirectory(prefix="claims-bench-") as tmp:
        folder = Path(tmp) / "corpus"
        words = write_corpus(folder, args.docs, args.words, args.seed)
        print(f"corpus: {args.docs} documents, {words:,} words ({words / args.docs:.0f} per doc)")
        documents = read_documents(folder, settings)
        plain = None if args.no_baseline else plain_spacy(settings)
        # Warm both sides up: the first documents load lazily built tables (units, lexicons).
        list(extract_documents(documents[:5], settings))
        if plain is not None:
            list(plain.pipe(d.text for d in documents[:5]))
        out: dict = {"docs": args.docs, "words": words}
        both = settings.model_copy(update={"n_process": 2})
        sides = ["baseline", "extraction", "pipeline"]
        if args.both_cores:
            warm = warm_pool(both)
            print(f"worker processes started and loaded the model in {warm:.1f} s (once)")
            sides += ["pipeline -j 2", "nlp.pipe n_process=2"]
        rows: dict[str, list[Result]] = {side: [] for side in sides}
        ratios: dict[str, list[float]] = {}
        for n in range(args.rounds):
            # Rotate the order, so that a machine speeding up or slowing down during the run
            # weighs on every side.
            order = sides[n % len(sides) :] + sides[: n % len(sides)]
            for side in order:
                if plain is not None and side == "baseline":
                    rows[side].append(baseline(plain, documents, settings, words))
                elif plain is not None and side == "nlp.pipe n_process=2":
                    rows[side].append(baseline(plain, documents, settings, words, n_process=2))
                elif side == "extraction":
                    rows[side].append(extraction(documents, settings, words))
                elif side in ("pipeline", "pipeline -j 2"):
                    db = Path(tmp) / f"bench{n}-{len(side)}.duckdb"
                    run_settings = both if side == "pipeline -j 2" else settings
                    rows[side].append(pipeline(folder, db, run_settings, words))
                else:
                    continue
                print(rows[side][-1].line())
            if plain is not None:
                base = rows["baseline"][-1]
                for side in sides[1:]:
                    mine = rows[side][-1]
                    ratios.setdefault(f"{side} wall", []).append(base.seconds / mine.seconds)
                    if mine.cpu:
                        ratios.setdefault(f"{side} cpu", []).append(base.cpu / mine.cpu)
                print(
                    f"round {n + 1}: "
                    + ", ".join(f"{side} {ratios[f'{side} wall'][-1]:.2f}x" for side in sides[1:])
                    + " nlp.pipe on one core"
                )
        print(f"medians of {args.rounds} rounds:")
        for side, results in rows.items():
            if results:
                print(median(results).line())
                out[f"{side}_words_s"] = words / median(results).seconds
        out["peak_rss"] = max(r.peak_rss for r in rows["pipeline"])
        for key, values in ratios.items():
            out[key] = middle(values)
            print(
                f"ratio {key:<26} {middle(values):.2f}x nlp.pipe on one core "
                f"(rounds: {', '.join(f'{v:.2f}' for v in values)})"
            )
        if args.both_cores and plain is not None:
            pairs = zip(rows["nlp.pipe n_process=2"], rows["pipeline -j 2"], strict=True)
            two = [spacy2.seconds / mine.seconds for spacy2, mine in pairs]
            out["pipeline -j 2 vs nlp.pipe n_process=2"] = middle(two)
            print(
                f"ratio pipeline -j 2 / nlp.pipe(n_process=2): {middle(two):.2f}x "
                f"(rounds: {', '.join(f'{v:.2f}' for v in two)})"
            )
        if args.check:
            diff, total, lines = differing(documents[: args.check], settings)
            share = diff / total if total else 0.0
            out["check_differing"], out["check_total"] = diff, total
            print(
                f"claims and facts differing from the reference reading (every paragraph "
                f"through the stock model; first {args.check} documents): {diff} of {total} "
                f"({share:.2%})"
            )
            print("\n".join(lines[:40]))
        if args.prefect:
            tiny = REPO / "seeds"
            lib = library_run(tiny, Path(tmp) / "lib.duckdb", settings)
            first, second = prefect_overhead(tiny, Path(tmp) / "flow.duckdb", settings)
            print(
                f"seed corpus (5 docs): library path {lib:.1f} s; flow run {first:.1f} s first "
                f"(start-up {first - lib:.1f} s), {second:.1f} s again (per run "
                f"{second - lib:.1f} s)"
            )
    return out


def memory(args: argparse.Namespace) -> None:
    """Each size in a fresh process, so the peaks compare."""
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--docs", str(size), "--no-baseline", "--json"]
        cmd += ["--rounds", "1"]
        cmd += ["--check", "0", "--words", str(args.words)]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{size:>6} documents ({result['words']:>10,} words): pipeline peak RSS "
            f"{result['peak_rss'] / 2**20:.0f} MiB, {result['pipeline_words_s']:,.0f} words/s"
        )


def main(argv: list[str] | None = None) -> None:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # 300 documents and 3 rounds keep a default run near 5 minutes on 2 shared cores; the
    # issue's example size is 2000 (--docs 2000).
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument(
        "--rounds", type=int, default=3, help="Baseline/pipeline rounds; the median ratio counts."
    )
    parser.add_argument("--words", type=int, default=500, help="Words per document, about.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--both-cores", action="store_true", help="Also time -j 2.")
    parser.add_argument("--check", type=int, default=100, help="Documents to compare (0: none).")
    parser.add_argument("--prefect", action="store_true", help="Time flow runs vs the library.")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 10000])
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON last.")
    args = parser.parse_args(argv)
    if args.memory:
        memory(args)
        return
    out = run(args)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
