"""Fault-injection points: let a test kill a run at a named moment, as fail-rs does for Rust.

The pipeline calls ``failpoint("stage.batch")`` at the moments where a crash is most likely to
leave a half-written state: between documents, between staged batches, inside the publish
transaction, just before and just after the new database file is renamed into place. In normal use nothing is armed and a
failpoint is one comparison. A test arms exactly one point for a child process through the
environment::

    CLAIMS_FAILPOINT=publish.before_commit claims run inbox/    # SIGKILL at that point
    CLAIMS_FAILPOINT=stage.batch:stop claims run inbox/         # SIGSTOP there (resume: SIGCONT)

``kill`` (the default action) is SIGKILL, which no handler, ``finally`` or ``atexit`` can
intercept: the process vanishes as it would on an OOM kill or a power cut, so the test sees
what a real crash leaves on disk. ``stop`` freezes the process with SIGSTOP, holding whatever it
holds (the run lock, an open transaction) until the test sends SIGCONT; a test uses it to make
"another run is in the middle of its work" deterministic.

The armed spec is read once at import; a point fires at most once in a process.
"""

from __future__ import annotations

import os
import signal

from claims.errors import ClaimsError

ENV = "CLAIMS_FAILPOINT"

# Every point the code defines, so a test (or a person) arming an unknown name finds out.
POINTS = {
    "extract.document": "after a document is extracted, before the rest of its batch",
    "stage.batch": "after a batch is written to staging, before the next one",
    "publish.before_commit": "inside the publish transaction: every public table deleted and "
    "refilled, nothing committed",
    "publish.before_swap": "the next state (tables and the run's row) complete in the working "
    "file, not yet renamed over the database",
    "publish.after_swap": "the working file renamed into place; the run lock not yet told, the "
    "report not yet written",
}
ACTIONS = {"kill": signal.SIGKILL, "stop": signal.SIGSTOP}


class FailpointError(ClaimsError, ValueError):
    """``CLAIMS_FAILPOINT`` names no failpoint or action."""


def parse(spec: str | None) -> tuple[str, signal.Signals] | None:
    """``NAME`` or ``NAME:ACTION`` -> (name, signal); None when nothing is armed.

    Raises ``ValueError`` for an unknown point or action: a typo must not make a fault test
    pass by never firing.
    """
    if not spec:
        return None
    name, _, action = spec.partition(":")
    if name not in POINTS:
        raise FailpointError(f"{ENV}={spec!r}: no failpoint {name!r}; known: {', '.join(POINTS)}")
    if (action or "kill") not in ACTIONS:
        raise FailpointError(f"{ENV}={spec!r}: action must be one of {', '.join(ACTIONS)}")
    return name, ACTIONS[action or "kill"]


_ARMED = parse(os.environ.get(ENV))


def failpoint(name: str) -> None:
    """Send the armed signal to this process the first time ``name`` is reached; else nothing.

    Once only: a stopped run resumed with SIGCONT must go on to finish, not stop at the next
    batch again.
    """
    global _ARMED
    if _ARMED is None or _ARMED[0] != name:
        return
    sig = _ARMED[1]
    _ARMED = None
    os.kill(os.getpid(), sig)
