"""Where the seconds of one run go: phases timed in this process, for ``claims run --timings``.

Phases may overlap (the model loads in a thread while Prefect's API starts), so the table shows
when each began and ended, measured from the moment ``claims`` was imported. Nothing is kept
until :func:`record` is called: a long-lived ``claims serve`` would otherwise collect the
phases of every scheduled run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_T0 = time.perf_counter()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Phase:
    name: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


_PHASES: list[Phase] = []
_RECORDING = threading.Event()


def record() -> None:
    """Keep the phases timed from now on (``claims run --timings``)."""
    _RECORDING.set()


def now() -> float:
    """Seconds since ``claims`` was imported."""
    return time.perf_counter() - _T0


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time the block as the phase ``name`` (also when it raises), when recording."""
    if not _RECORDING.is_set():
        yield
        return
    start = now()
    try:
        yield
    finally:
        with _LOCK:
            _PHASES.append(Phase(name, start, now()))


def phases() -> list[Phase]:
    """The phases timed so far, in the order they began."""
    with _LOCK:
        return sorted(_PHASES, key=lambda p: p.start)


def table(total: float | None = None) -> str:
    """The phases as lines of ``name  from  to  seconds``; a phase run more than once (a task
    per batch) is one line with its count."""
    by_name: dict[str, list[Phase]] = {}
    for p in phases():
        by_name.setdefault(p.name, []).append(p)
    lines = [f"{'phase':<32} {'from':>6} {'to':>6} {'seconds':>8}"]
    for name, runs in by_name.items():
        label = name if len(runs) == 1 else f"{name} (×{len(runs)})"
        seconds = sum(p.seconds for p in runs)
        lines.append(f"{label:<32} {runs[0].start:6.2f} {runs[-1].end:6.2f} {seconds:8.2f}")
    if total is not None:
        lines.append(f"{'total since claims was imported':<32} {0:6.2f} {total:6.2f} {total:8.2f}")
    return "\n".join(lines)
