"""Where the seconds of a `claims run seeds` go, against the time the spaCy model takes to load.

    .venv/bin/python bench/startup.py [--repeats 5] [--server] [--baseline-src DIR]

Every figure comes from real `claims run` processes, timed from outside (wall and CPU of the
process and its children), in one bench run:

- the baseline: a new Python process that imports spaCy and loads the configured model
  (``spacy.load``), timed inside the process, as `claims run` pays it before extracting;
- `fresh`: `claims run seeds` into a new database (extract, cross-check, the gate, publish);
- `unchanged`: the same again on that database, nothing changed (no extraction, no gate);
- with ``--server``: both against a Prefect API kept running (`prefect server start` on
  127.0.0.1, ``PREFECT_API_URL`` set), as the README suggests for scheduled runs;
- with ``--baseline-src DIR``: both with the code in DIR (a checkout of another commit, run on
  this environment through ``PYTHONPATH``), for a before/after in the same bench run.

Scenarios alternate within each repeat (the machine is shared and its speed drifts); every
figure is a median over ``--repeats``; one untimed run of each warms the disk caches and
Prefect's database first. For runs of this checkout the phases `claims run --timings` prints
are given too (of the run with the median wall time): they overlap where work runs side by
side (the model loads while Prefect's API starts).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEEDS = ROOT / "seeds"
MODEL_LOAD = """
import time
t = time.perf_counter()
import spacy
from claims.settings import Settings
name = Settings().spacy_model
i = time.perf_counter()
spacy.load(name)
e = time.perf_counter()
print(f"{e - t:.4f} {i - t:.4f} {e - i:.4f}")
"""
PHASE = re.compile(
    r"^(?P<name>.+?)\s+(?P<start>-?\d+\.\d\d)\s+(?P<end>-?\d+\.\d\d)\s+(?P<s>\d+\.\d\d)$"
)


@dataclass
class Run:
    wall: float
    cpu: float
    phases: list[tuple[str, float, float, float]]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str, str]:
    """Wall and CPU seconds of one process (and what it waited for), with its output."""
    cpu = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return wall, children_cpu() - cpu, done.stdout, done.stderr


def model_load(env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """Seconds to import spaCy and load the model in a new process: total, import, load."""
    _, _, out, _ = timed([sys.executable, "-c", MODEL_LOAD], env, cwd)
    total, imported, loaded = (float(x) for x in out.split())
    return total, imported, loaded


def claims_run(
    db: Path, env: dict[str, str], cwd: Path, *, timings: bool, src: Path | None = None
) -> Run:
    cmd = [
        sys.executable,
        "-c",
        "from claims.cli import console; console()",
        "run",
        str(SEEDS),
        "--db",
        str(db),
        "--reports",
        str(db.parent / f"reports-{db.stem}"),
    ]
    if timings:
        cmd.append("--timings")
    run_env = dict(env)
    if src is not None:
        run_env["PYTHONPATH"] = str(src)
    wall, cpu, _, err = timed(cmd, run_env, cwd)
    phases = []
    for line in err.splitlines():
        if m := PHASE.match(line.strip()):
            phases.append((m["name"], float(m["start"]), float(m["end"]), float(m["s"])))
    return Run(wall, cpu, phases)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`prefect server start` on 127.0.0.1, its own PREFECT_HOME; returns it and its API URL."""
    import httpx

    port = free_port()
    server_env = {**env, "PREFECT_HOME": str(home)}
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            sys.exit(f"prefect server start exited {proc.returncode}")
        time.sleep(0.3)
    proc.terminate()
    sys.exit("prefect server start did not answer within 120 s")


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.wall)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--server", action="store_true", help="also against a running API")
    parser.add_argument("--baseline-src", type=Path, help="also the code in this checkout")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="claims-startup-"))
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_HOME": str(work / "prefect-home"),
    }
    env.pop("PREFECT_API_URL", None)
    server = None
    variants: dict[str, tuple[dict[str, str], Path | None]] = {"this": (env, None)}
    if args.baseline_src is not None:
        variants["baseline"] = (env, args.baseline_src.resolve())
    try:
        if args.server:
            server, url = start_server(env, work / "server-home")
            variants["this + server"] = ({**env, "PREFECT_API_URL": url}, None)
        loads: list[tuple[float, float, float]] = []
        runs: dict[str, list[Run]] = {}
        for repeat in range(args.repeats + 1):
            warmup = repeat == 0
            load = model_load(env, work)
            if not warmup:
                loads.append(load)
            for name, (variant_env, src) in variants.items():
                db = work / f"{name.replace(' + ', '-')}-{repeat}.duckdb"
                fresh = claims_run(db, variant_env, work, timings=src is None, src=src)
                same = claims_run(db, variant_env, work, timings=src is None, src=src)
                if not warmup:
                    runs.setdefault(f"{name}: fresh", []).append(fresh)
                    runs.setdefault(f"{name}: unchanged", []).append(same)
            print(f"repeat {repeat}{' (warm-up, not counted)' if warmup else ''} done", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    model = statistics.median(x[0] for x in loads)
    print()
    print(
        f"model: import spaCy + spacy.load {model:.2f} s "
        f"(import {statistics.median(x[1] for x in loads):.2f} s, "
        f"load {statistics.median(x[2] for x in loads):.2f} s), median of {len(loads)}"
    )
    print(f"{'claims run seeds':<28} {'wall s':>7} {'cpu s':>7} {'× model':>8}")
    for name, got in runs.items():
        wall = statistics.median(r.wall for r in got)
        cpu = statistics.median(r.cpu for r in got)
        print(f"{name:<28} {wall:7.2f} {cpu:7.2f} {wall / model:7.1f}×")
    for name, got in runs.items():
        run = median_run(got)
        if not run.phases:
            continue
        print(f"\nphases of the median `{name}` run ({run.wall:.2f} s wall; from/to in seconds")
        print("since claims was imported, the rest is the interpreter starting):")
        for phase, start, end, seconds in run.phases:
            print(f"  {phase:<34} {start:6.2f} {end:6.2f} {seconds:7.2f}")


if __name__ == "__main__":
    main()
