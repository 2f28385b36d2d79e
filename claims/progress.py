"""Progress of a long run on stderr: files read, documents processed, claims found.

The CLI chooses how progress is shown (``reporter_for``) and installs it for the run (``use``);
the stages report to whatever is installed (``current``), which by default shows nothing, so
library callers, tests and scheduled deployments print nothing unless they ask.

On a terminal it is a bar redrawn in place; elsewhere (a CI log, a pipe) a plain line now and
then, so a log still shows that a long run is moving; with ``--quiet``, nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

# Redraw the bar at most this often: drawing costs little, but a terminal flooded with updates
# makes the run look busier than it is.
BAR_INTERVAL_S = 0.1
# Plain lines are for logs read later: one every so often is enough to see the run is alive.
LINE_INTERVAL_S = 10.0
BAR_WIDTH = 24


class Reporter(Protocol):
    """Receives a run's progress; the stages call it, the CLI decides how it is shown."""

    def start(self, files: int) -> None:
        """The run will read ``files`` input files."""

    def advance(self, *, files: int, documents: int, claims: int) -> None:
        """A batch was staged: ``files`` more files read, holding ``documents`` documents
        (accepted or rejected), in which ``claims`` quantity claims were found."""

    def finish(self) -> None:
        """The run is over (or failed): leave the terminal clean."""


class Silent:
    """Shows nothing: the default, and what ``--quiet`` gets."""

    def start(self, files: int) -> None:
        pass

    def advance(self, *, files: int, documents: int, claims: int) -> None:
        pass

    def finish(self) -> None:
        pass


class _Counting:
    """Counts progress and decides when it is worth showing; subclasses draw it."""

    interval = LINE_INTERVAL_S

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.began = self.clock()
        self.last_drawn = self.began
        self.total = 0
        self.files = self.documents = self.claims = 0
        self.lock = threading.Lock()

    def start(self, files: int) -> None:
        with self.lock:
            self.total = files

    def advance(self, *, files: int, documents: int, claims: int) -> None:
        with self.lock:
            self.files += files
            self.documents += documents
            self.claims += claims
            now = self.clock()
            if self.due(now):
                self.last_drawn = now
                self.draw(now - self.began)

    def finish(self) -> None:
        pass

    def due(self, now: float) -> bool:
        return now - self.last_drawn >= self.interval

    def draw(self, elapsed: float) -> None:
        raise NotImplementedError

    def text(self, elapsed: float) -> str:
        files = f"{self.files}/{self.total} files" if self.total else f"{self.files} files"
        return (
            f"{files} · {self.documents:,} documents · {self.claims:,} claims · {_clock(elapsed)}"
        )


class Lines(_Counting):
    """A plain line every LINE_INTERVAL_S seconds, for logs; a short run prints none."""

    def draw(self, elapsed: float) -> None:
        print(f"claims: {self.text(elapsed)}", file=self.stream, flush=True)


class Bar(_Counting):
    """A bar redrawn in place on a terminal, and cleared when the run is over."""

    interval = BAR_INTERVAL_S

    def start(self, files: int) -> None:
        super().start(files)
        with self.lock:
            self.draw(0.0)

    def due(self, now: float) -> bool:
        # The last batch is drawn however soon it comes, so the bar ends full.
        return super().due(now) or self.files >= self.total > 0

    def draw(self, elapsed: float) -> None:
        done = min(1.0, self.files / self.total) if self.total else 0.0
        filled = round(done * BAR_WIDTH)
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.stream.write(f"\r\x1b[2K{bar} {done:4.0%}  {self.text(elapsed)}")
        self.stream.flush()

    def finish(self) -> None:
        with self.lock:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def reporter_for(stream: TextIO, *, quiet: bool) -> Reporter:
    """A bar on a terminal, occasional lines elsewhere, nothing when quiet."""
    if quiet:
        return Silent()
    isatty = getattr(stream, "isatty", None)
    return Bar(stream) if isatty is not None and isatty() else Lines(stream)


_current: Reporter = Silent()


def current() -> Reporter:
    """The reporter the stages report to."""
    return _current


@contextmanager
def use(reporter: Reporter) -> Iterator[Reporter]:
    """Install ``reporter`` for the duration of a run; it is finished however the run ends."""
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        _current = previous
        reporter.finish()
