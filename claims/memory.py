"""Freed memory handed back to the system between the phases of a large job."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim  # glibc only (musl has none)
    except (OSError, AttributeError):
        return None
    return trim


def release_freed() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; elsewhere
    nothing). numpy's arrays of a few megabytes come from that heap, and glibc keeps what
    they leave when freed: after one phase of cross-checking a million claims, some hundreds
    of megabytes that the next phase's peak would otherwise stack on."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
