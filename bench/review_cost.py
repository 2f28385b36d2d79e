"""What publishing by rename costs: a review written in place against one written as a copy
(readers have the file open), and the copy a run makes of the database when it begins.

    python bench/review_cost.py --sizes 50 500     # database sizes in MB

Each size is a real claims database (documents of synthetic text published through Store).
Each figure is the median of --repeat timings; the ratio is against the review in place,
measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.dbconnect import copy_published  # noqa: E402
from claims.dbfiles import write_lock  # noqa: E402
from claims.models import Document, Relation  # noqa: E402
from claims.store import Store  # noqa: E402

WORDS = [
    "the",
    "ministry",
    "said",
    "about",
    "forty",
    "trucks",
    "crossed",
    "the",
    "border",
    "on",
    "tuesday",
    "near",
    "the",
    "bridge",
]


def build(db: Path, megabytes: int) -> None:
    """Publish documents of varied text until the file holds ``megabytes`` MB."""
    rng = __import__("random").Random(megabytes)
    n = 0
    relation = Relation(
        relation_id=Relation.make_id("q_a", "q_b", "conflict"),
        claim_a="q_a",
        claim_b="q_b",
        doc_a="d0",
        doc_b="d1",
        claim_type="quantity",
        relation="conflict",
        rule="CONFLICT",
        reason="bench",
        score=0.9,
    )
    with Store(db) as store:
        store.reset_staging()
        while True:
            docs = []
            for _ in range(500):
                text = " ".join(rng.choice(WORDS) + str(rng.randrange(10**6)) for _ in range(400))
                docs.append(
                    Document.build(
                        doc_id=f"d{n}",
                        source_path=f"/in/{n}",
                        text=text,
                        published=date(2024, 1, 2),
                    )
                )
                n += 1
            store.stage_batch(docs, [], "bench")
            store.con.execute("CHECKPOINT")
            if db.stat().st_size >= megabytes << 20:
                break
        store.stage_relations([relation])
        store.publish()


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def review(db: Path) -> None:
    with Store(db) as store:
        store.record_review("r_", "confirmed", "bench", "bench")


HOLD = "import sys, duckdb; c = duckdb.connect(sys.argv[1], read_only=True); sys.stdin.readline()"


def measure(db: Path, work: Path, repeat: int) -> tuple[float, float, float]:
    """(review in place, review with a reader open, a run's starting copy), in seconds."""
    in_place = median_seconds(lambda: review(db), repeat)
    reader = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE)
    time.sleep(2)
    try:
        copied = median_seconds(lambda: review(db), repeat)
    finally:
        reader.communicate(b"\n")

    def run_copy() -> None:
        with write_lock(db, 60):
            copy_published(db, work)
        os.unlink(work)

    return in_place, copied, median_seconds(run_copy, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        "| database | review in place | review with a reader open (copy + rename) "
        "| a run's copy at its start |"
    )
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="claims-review-cost-") as tmp:
        for megabytes in args.sizes:
            db = Path(tmp) / f"c{megabytes}.duckdb"
            build(db, megabytes)
            size = db.stat().st_size / (1 << 20)
            in_place, copied, start_copy = measure(db, Path(tmp) / "work.duckdb", args.repeat)
            print(
                f"| {size:,.0f} MB | {in_place * 1000:,.0f} ms | {copied * 1000:,.0f} ms "
                f"({copied / in_place:.1f}x) | {start_copy * 1000:,.0f} ms |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
