"""The shape of the package, read from its source: no import circles, no private names across
modules, the subpackages in place, and a cross-check key that covers the code it runs."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "claims"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@dataclass(frozen=True)
class Import:
    module: str  # the claims module that imports
    target: str  # the claims module imported
    names: tuple[str, ...]  # the names taken from it (from X import a, b)
    line: int


def imports_of(module: str) -> Iterator[Import]:
    """Every import of a ``claims`` module in ``module``, at any depth (inside functions and
    ``TYPE_CHECKING`` blocks too: a lazy import still makes a dependency)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "claims":
                    yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            if base.split(".")[0] != "claims":
                continue
            names = tuple(a.name for a in node.names)
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES]
            taken = tuple(n for n in names if f"{base}.{n}" not in MODULES)
            if taken or not submodules:
                yield Import(module, base, taken, node.lineno)
            for sub in submodules:
                yield Import(module, sub, (), node.lineno)


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for imp in imports_of(module):
            if imp.target in MODULES and imp.target != module:
                edges[module].add(imp.target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_circle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_sees_the_imports_it_should() -> None:
    edges = graph()
    assert "claims.store" in edges["claims.stages"]
    assert "claims.crosscheck.intervals" in edges["claims.crosscheck.mentions"]
    # A lazy import inside a function counts.
    assert "claims.extract" in edges["claims.multicore"]


def test_no_module_of_claims_imports_itself_in_a_circle() -> None:
    assert find_cycle(graph()) is None


def test_no_private_name_crosses_a_module() -> None:
    crossing = [
        f"{imp.module}:{imp.line} takes {name} from {imp.target}"
        for module in MODULES
        for imp in imports_of(module)
        for name in imp.names
        if name.startswith("_") and imp.target != imp.module
    ]
    modules = {name.rpartition(".")[2] for name in MODULES} | {"claims"}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # `pairs._interval(...)`: a private attribute of an imported module.
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                crossing.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert crossing == []


def test_the_pipeline_stages_are_subpackages_with_their_public_api() -> None:
    import claims.crosscheck
    import claims.extract
    import claims.report

    for package in ("extract", "extract/numbers", "crosscheck", "report"):
        assert (PACKAGE / package / "__init__.py").is_file(), package
    for api in (claims.crosscheck, claims.extract, claims.report):
        assert api.__all__ and all(hasattr(api, name) for name in api.__all__), api.__name__


def crosscheck_key_of(tree: Path) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from claims.crosscheck import crosscheck_key; from claims.settings import Settings;"
            "print(crosscheck_key(Settings()))",
        ],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_the_crosscheck_key_changes_with_the_code_the_crosscheck_imports(tmp_path: Path) -> None:
    """formats.py writes the reasons and lies outside the subpackage: editing it must recompute
    relations; the report's code must not."""
    tree = tmp_path / "tree"
    shutil.copytree(PACKAGE, tree / "claims", ignore=shutil.ignore_patterns("__pycache__"))
    before = crosscheck_key_of(tree)
    report = tree / "claims" / "report" / "html.py"
    report.write_text(report.read_text(encoding="utf-8") + "\n# unrelated\n", encoding="utf-8")
    assert crosscheck_key_of(tree) == before
    formats = tree / "claims" / "formats.py"
    formats.write_text(formats.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert crosscheck_key_of(tree) != before
