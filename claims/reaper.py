"""End what a ``claims run`` process leaves behind when it is killed.

A process killed with SIGKILL, or by the OOM killer, runs no cleanup: the Prefect API server a
run starts for itself (an uvicorn process of ~200 MB) and anything else it started would live on
for good, one set per killed run. ``claims run`` starts this watcher first::

    python -m claims.reaper PID

It notes the descendants of process PID every second while PID lives and, when PID ends, ends
those still alive (SIGTERM, then SIGKILL), each checked by its start time so that a reused pid
is never hit. After a normal exit there is nothing left to end, and it exits too. It ignores
Ctrl-C and SIGTERM sent to the whole job: its work starts when the run's process is gone.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

PROC = Path("/proc")
# How often the descendants are listed while the run lives; anything a run starts lives longer.
INTERVAL = 1.0
# Time a process gets to exit on SIGTERM before SIGKILL.
GRACE = 3.0


def start(pid: int | None = None) -> subprocess.Popen[bytes] | None:
    """Start a watcher of ``pid`` (this process by default); None where /proc is missing."""
    if not PROC.is_dir():
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "claims.reaper", str(pid or os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live process, from /proc/PID/stat."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None  # a zombie is dead already
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """pid -> start time of every live descendant of ``root``."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None:
                children.setdefault(info[0], []).append((int(entry.name), info[1]))
    found: dict[int, int] = {}
    pending = [root]
    while pending:
        for pid, started in children.get(pending.pop(), []):
            if pid not in found:
                found[pid] = started
                pending.append(pid)
    return found


def same_process(pid: int, started: int) -> bool:
    """Whether ``pid`` is alive and still the process that started at ``started``."""
    info = _stat(pid)
    return info is not None and info[1] == started


def end(processes: dict[int, int]) -> int:
    """SIGTERM, then SIGKILL after ``GRACE`` s, each process still the one noted; returns how
    many were found alive."""
    alive = {pid: t for pid, t in processes.items() if same_process(pid, t)}
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline and any(same_process(p, t) for p, t in alive.items()):
        time.sleep(0.1)
    for pid, started in alive.items():
        if same_process(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return len(alive)


def watch(pid: int) -> int:
    me = os.getpid()
    try:
        fd: int | None = os.pidfd_open(pid)
    except ProcessLookupError:
        return 0
    except OSError:
        fd = None
    seen: dict[int, int] = {}
    while True:
        seen.update(descendants(pid))
        if fd is not None:
            ended = bool(select.select([fd], [], [], INTERVAL)[0])
        else:
            time.sleep(INTERVAL)
            ended = _stat(pid) is None
        if ended:
            break
    # The dead process's children were handed to init; their own children were not.
    for child, started in list(seen.items()):
        if same_process(child, started):
            seen.update(descendants(child))
    seen.pop(me, None)
    end(seen)
    return 0


if __name__ == "__main__":
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    sys.exit(watch(int(sys.argv[1])))
