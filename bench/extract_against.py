"""Extraction against one-core ``nlp.pipe``, for this checkout and for another's code, run
alternately: a before/after of the extractor in one bench run, in CPU time.

    .venv/bin/python bench/extract_against.py --against DIR [--docs 300] [--pairs 2]

DIR holds another commit's ``claims/`` and ``bench/`` (``git archive COMMIT claims bench | tar
-x -C DIR``), run on this environment. Each side runs in a fresh process, in turn, ``--pairs``
times: the corpus of ``bench/throughput.py`` (recombined from ``bench/news``), plain spaCy's
``nlp.pipe`` (the baseline) and ``extract_documents`` over it, two passes each, the faster
pass counted. On a shared machine CPU time is the steadier measure; each side's ratio is
against its own process's baseline, and the median over the pairs is printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def one_side(src: Path, docs: int) -> dict[str, float]:
    """Run in a process whose ``claims`` is ``src``'s: CPU seconds of each side."""
    sys.path.insert(0, str(src))
    from bench.throughput import BASELINE_BATCH, plain_spacy, read_documents, write_corpus
    from claims.extract import extract_documents
    from claims.settings import Settings

    settings = Settings(n_process=1)
    with tempfile.TemporaryDirectory(prefix="claims-against-") as tmp:
        write_corpus(Path(tmp) / "corpus", docs, 500, 7)
        documents = read_documents(Path(tmp) / "corpus", settings)
    plain = plain_spacy(settings)
    list(extract_documents(documents[:5], settings))
    list(plain.pipe(d.text for d in documents[:5]))
    spacy_cpu, ours_cpu = [], []
    for _ in range(2):
        start = time.process_time()
        sum(1 for _ in plain.pipe((d.text for d in documents), batch_size=BASELINE_BATCH))
        spacy_cpu.append(time.process_time() - start)
        start = time.process_time()
        sum(1 for _ in extract_documents(documents, settings))
        ours_cpu.append(time.process_time() - start)
    return {"nlp_pipe": min(spacy_cpu), "extraction": min(ours_cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, help="another commit's claims/ and bench/")
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--side", type=Path, help=argparse.SUPPRESS)  # a worker process
    args = parser.parse_args()
    if args.side is not None:
        print(json.dumps(one_side(args.side, args.docs)))
        return
    if args.against is None:
        parser.error("--against DIR is required")
    sides = {"this checkout": HERE, f"{args.against}": args.against.resolve()}
    ratios: dict[str, list[float]] = {name: [] for name in sides}
    for n in range(args.pairs):
        for name, src in sides.items():
            cmd = [sys.executable, __file__, "--side", str(src), "--docs", str(args.docs)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            cpu = json.loads(done.stdout.strip().splitlines()[-1])
            ratio = cpu["nlp_pipe"] / cpu["extraction"]
            ratios[name].append(ratio)
            print(
                f"pair {n + 1}, {name}: nlp.pipe {cpu['nlp_pipe']:.1f} s CPU, extraction "
                f"{cpu['extraction']:.1f} s CPU: {ratio:.2f}x",
                flush=True,
            )
    for name, values in ratios.items():
        print(f"{name}: extraction {statistics.median(values):.2f}x one-core nlp.pipe (CPU)")
    this, other = (statistics.median(v) for v in ratios.values())
    print(f"this checkout against {args.against}: {this / other:.3f}x")


if __name__ == "__main__":
    main()
