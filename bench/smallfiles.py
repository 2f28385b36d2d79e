"""A run over many small files, end to end, against the same documents in a few large files.

    .venv/bin/python bench/smallfiles.py [--files 100000] [--rounds 1] [-j 1]

Writes ``--files`` small articles (one to three paragraphs of one article of ``bench/news``,
about 40 to 150 words, with its date in front matter; one in ``--repeat`` repeats an earlier
file's text under another name, as wire copies do in a real inbox), and times ``claims run
--timings`` over them in a fresh process on a fresh database, phase by phase. The baseline,
timed in the same run, is the same documents written as a few JSON Lines files (one document a
line: the same texts, ids and dates): what the run does per document is the same, so the
difference is what it costs per file. With ``--rounds`` above 1 the two alternate and the
medians count.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throughput import Article, news_articles

REPO = Path(__file__).resolve().parents[1]
CLAIMS = REPO / ".venv" / "bin" / "claims"


FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dara",
    "Eli",
    "Farah",
    "Gita",
    "Hugo",
    "Ines",
    "Jon",
    "Kofi",
    "Lena",
    "Mina",
    "Nils",
    "Omar",
    "Pia",
    "Rui",
    "Sara",
    "Tom",
    "Uma",
]
LAST = [
    "Abbas",
    "Berg",
    "Costa",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
]
DESKS = [
    "Lagos",
    "Lima",
    "Delhi",
    "Oslo",
    "Quito",
    "Accra",
    "Hanoi",
    "Dakar",
    "Cairo",
    "Perth",
    "Seoul",
    "Tunis",
    "Rome",
    "Kyiv",
    "Doha",
    "Sofia",
    "Riga",
    "Baku",
    "Male",
    "Suva",
]
DESK_NAMES = ["news", "business", "world", "science", "health", "climate"]


def small_texts(
    articles: list[Article], count: int, repeat: int, seed: int
) -> Iterator[tuple[str, str]]:
    """``count`` (date, text) pairs: one to three consecutive paragraphs of one article under a
    byline (a line without figures: it keeps briefs apart, as different reporters' briefs
    are); every ``repeat``-th repeats an earlier text."""
    rng = random.Random(seed)
    made: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i in range(count):
        if repeat and made and i % repeat == repeat - 1:
            item = rng.choice(made)
        else:
            while True:
                article = rng.choice(articles)
                at = rng.randrange(len(article.paragraphs))
                body = "\n\n".join(article.paragraphs[at : at + rng.randint(1, 3)])
                byline = (
                    f"By {rng.choice(FIRST)} {rng.choice(LAST)}, {rng.choice(DESKS)} "
                    f"{rng.choice(DESK_NAMES)} desk"
                )
                text = f"{byline}\n\n{body}\n"
                if text not in seen:
                    break
            seen.add(text)
            item = (article.published, text)
            made.append(item)
        yield item


def write_corpora(folder: Path, count: int, repeat: int, seed: int, shards: int) -> int:
    """The small files under ``folder/small`` (a hundred per subfolder, like a dated inbox) and
    the same documents in ``shards`` JSON Lines files under ``folder/jsonl``; returns the words."""
    small, jsonl = folder / "small", folder / "jsonl"
    jsonl.mkdir(parents=True)
    outs = [(jsonl / f"part{n:02d}.jsonl").open("w", encoding="utf-8") for n in range(shards)]
    words = 0
    for i, (published, text) in enumerate(small_texts(news_articles(), count, repeat, seed)):
        sub = small / f"{i // 100:04d}"
        if i % 100 == 0:
            sub.mkdir(parents=True)
        (sub / f"{i:06d}.txt").write_text(f"---\npublished: {published}\n---\n{text}", "utf-8")
        row = {"id": f"{i // 100:04d}/{i:06d}.txt", "published": published, "text": text}
        outs[i * shards // count].write(json.dumps(row) + "\n")
        words += len(text.split())
    for out in outs:
        out.close()
    return words


PHASE = re.compile(r"^(?P<name>\S.*?)(?: \(×(?P<n>\d+)\))?\s+[\d.]+\s+[\d.]+\s+(?P<s>[\d.]+)$")


def claims_run(
    inputs: list[Path], work: Path, processes: int, code: Path | None = None
) -> tuple[float, dict[str, float], str]:
    """(wall seconds, seconds per phase, summary) of ``claims run --timings`` in a fresh process
    on a fresh database; ``code``: a checkout whose ``claims`` and ``flows`` to run instead."""
    stamp = time.monotonic_ns()
    db = work / f"run-{stamp}.duckdb"
    env = os.environ | {"CLAIMS_DB": str(db), "CLAIMS_REPORTS_DIR": str(work / f"reports-{stamp}")}
    if code is not None:
        # Ahead of the editable install, which Python consults after sys.path.
        env["PYTHONPATH"] = str(code)
    cmd = [str(CLAIMS), "run", *map(str, inputs), "--timings", "-j", str(processes)]
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=code or REPO)
    wall = time.perf_counter() - start
    # CPU seconds of the run and every process it started (Prefect's API, -j workers): on a
    # shared machine a steadier measure of the work than the wall clock.
    used = _children_cpu() - cpu
    if done.returncode not in (0, 1):
        sys.exit(f"claims run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    phases: dict[str, float] = {"cpu": used}
    for line in done.stderr.splitlines():
        m = PHASE.match(line.strip())
        if m:
            phases[m["name"].strip()] = float(m["s"])
    summary = " ".join(done.stdout.split())[:300]
    return wall, phases, summary


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def middle(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main(argv: list[str] | None = None) -> None:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="Every Nth text is a repeat.")
    parser.add_argument("--shards", type=int, default=4, help="JSON Lines files of the baseline.")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("-j", "--processes", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="Write the corpora here and keep them.")
    parser.add_argument("--against", metavar="REF", help="Also run a git ref's code (a worktree).")
    parser.add_argument(
        "--against-files", type=int, default=10_000, help="Files both codes read (--against)."
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="claims-small-") as tmp:
        folder = args.keep or Path(tmp)
        if not (folder / "small").exists():
            start = time.perf_counter()
            words = write_corpora(folder, args.files, args.repeat, args.seed, args.shards)
            print(
                f"corpus: {args.files:,} small files ({words:,} words, {words / args.files:.0f} "
                f"per file, every {args.repeat}th a repeat) written in "
                f"{time.perf_counter() - start:.0f} s; baseline: the same documents in "
                f"{args.shards} JSON Lines files"
            )
        load = os.getloadavg()
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
        sides: dict[str, tuple[list[Path], Path | None]] = {
            "small": ([folder / "small"], None),
            "jsonl": ([folder / "jsonl"], None),
        }
        if args.against:
            code = Path(tmp) / "against"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(code), args.against],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            if args.against_files >= args.files:
                sides[f"small@{args.against}"] = ([folder / "small"], code)
            else:
                subset = sorted((folder / "small").iterdir())[: max(1, args.against_files // 100)]
                sides["subset"] = (subset, None)
                sides[f"subset@{args.against}"] = (subset, code)
        runs: dict[str, list[tuple[float, dict[str, float], str]]] = {side: [] for side in sides}
        try:
            for n in range(args.rounds):
                order = list(sides) if n % 2 == 0 else list(reversed(sides))
                for side in order:
                    inputs, code_dir = sides[side]
                    runs[side].append(claims_run(inputs, Path(tmp), args.processes, code_dir))
                    wall, _phases, summary = runs[side][-1]
                    print(f"round {n + 1} {side:<16} {wall:6.1f} s  {summary}")
        finally:
            if args.against:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(Path(tmp) / "against")],
                    cwd=REPO,
                    check=False,
                )
        report(runs, args)
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def report(
    runs: dict[str, list[tuple[float, dict[str, float], str]]], args: argparse.Namespace
) -> None:
    """Phase seconds, medians of the rounds, side by side, and the ratios."""
    names: list[str] = []
    for results in runs.values():
        for phases in (r[1] for r in results):
            names += [p for p in phases if p.startswith("task ") and p not in names]
    names += ["flow run", "wall", "cpu"]

    def med(side: str, name: str) -> float:
        return middle([r[0] if name == "wall" else r[1].get(name, 0.0) for r in runs[side]])

    print(f"{'seconds (median of rounds)':<28}" + "".join(f"{side:>18}" for side in runs))
    for name in names:
        print(f"{name:<28}" + "".join(f"{med(side, name):18.1f}" for side in runs))
    small, jsonl = med("small", "wall"), med("jsonl", "wall")
    cpu = med("small", "cpu") / med("jsonl", "cpu")
    print(
        f"{args.files:,} small files: {small:.1f} s wall, {args.files / small:,.0f} files/s; "
        f"{small / jsonl:.2f}x the wall time ({cpu:.2f}x the CPU time) of the same documents "
        f"in {args.shards} JSON Lines files"
    )
    if args.against:
        part = "small" if args.against_files >= args.files else "subset"
        mine, theirs = med(part, "wall"), med(f"{part}@{args.against}", "wall")
        cpu = med(f"{part}@{args.against}", "cpu") / med(part, "cpu")
        count = min(args.files, args.against_files)
        print(
            f"first {count:,} small files: {mine:.1f} s wall, {theirs:.1f} s at {args.against} "
            f"({theirs / mine:.2f}x faster; CPU time {cpu:.2f}x less)"
        )


if __name__ == "__main__":
    main()
