"""The key of what decides relations besides the claims: settings, lexicon files and code.

Kept outside ``claims.crosscheck`` so that a run whose claims did not change can compare keys
without importing the cross-check (its libraries take most of a second to import).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from claims.settings import PLACEMENT_SETTINGS, Settings

CROSSCHECK = Path(__file__).parent / "crosscheck"

# Import statements, also inside functions and over several lines in parentheses. Read with a
# pattern, not parsed: parsing the package took a tenth of a second per run. A line in a string
# that looks like an import only adds a file to the key.
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(?P<module>[\w.]+)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n]*)"
    r"|import[ \t]+(?P<modules>[^\n]*))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def crosscheck_key(settings: Settings) -> str:
    """A hash of everything that decides relations besides the claims: the settings, the
    lexicon files users edit, and the code (``claims.crosscheck`` and every ``claims`` module
    it imports). Equal keys and equal claims give equal relations."""
    digest = hashlib.sha256()
    relevant = settings.model_dump(mode="json", exclude={*PLACEMENT_SETTINGS, "data_dir"})
    digest.update(repr(sorted(relevant.items())).encode())
    for path in sorted(Path(settings.data_dir).rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    root = CROSSCHECK.parent.parent
    for path in code_of(CROSSCHECK):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


@cache
def code_of(package: Path) -> tuple[Path, ...]:
    """The source files of ``package`` and of every ``claims`` module they import, directly or
    not, read from their import statements: whatever code the package runs is in the key."""
    root = package.parent
    todo = sorted(package.rglob("*.py"))
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(imported_files(path, root))
    return tuple(sorted(seen))


def imported_files(path: Path, root: Path) -> list[Path]:
    """The files of the ``claims`` modules ``path`` imports (``root`` is the ``claims`` folder)."""
    names: list[str] = []
    for m in _IMPORT.finditer(path.read_text(encoding="utf-8")):
        if m["module"] is not None:
            listed = _COMMENT.sub("", m["names"]).strip("()")
            names += [m["module"], *(f"{m['module']}.{n}" for n in _names(listed))]
        else:
            names += _names(_COMMENT.sub("", m["modules"]))
    files = []
    for name in names:
        parts = name.split(".")
        if parts[0] != root.name:
            continue
        base = root.joinpath(*parts[1:])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                files.append(candidate)
    return files


def _names(listed: str) -> list[str]:
    """'a, b as c' -> ['a', 'b']."""
    return [item.split()[0] for item in listed.replace("\\", " ").split(",") if item.strip()]
