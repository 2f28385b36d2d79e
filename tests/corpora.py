"""The named tiny corpora of tests/data/ (see its README), copied where a test may add to them."""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def corpus(name: str, into: Path) -> Path:
    """A copy of ``tests/data/<name>/`` as ``into/<name>/``; returns the copy."""
    source = DATA / name
    if not source.is_dir():
        known = ", ".join(sorted(p.name for p in DATA.iterdir() if p.is_dir()))
        raise LookupError(f"no corpus {name!r} in {DATA}; there are: {known}")
    return Path(shutil.copytree(source, into / name))
