"""Session-wide fixtures: the real spaCy pipeline, one offline Prefect API, the seed gold."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder (the seed gold, peer suites): ``CLAIMS_SHARED_DIR``, else ``../shared``
    beside the repository, as CI lays it out. Without it its tests are skipped, except in CI,
    where they fail: a green CI must have run them."""
    path = Path(os.environ.get("CLAIMS_SHARED_DIR") or REPO.parent / "shared")
    if not (path / "gold" / "seed_claims.json").is_file():
        message = (
            f"no shared folder at {path}: set CLAIMS_SHARED_DIR or put shared/ beside the repo"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Default settings, as a run without environment overrides builds them."""
    return Settings()


@pytest.fixture(scope="session")
def nlp(settings: Settings) -> Language:
    """The configured spaCy model (``CLAIMS_SPACY_MODEL``), loaded once per test session."""
    # Imported here so that collecting tests which do not extract never needs the NLP stage.
    from claims.extract import load_nlp

    return load_nlp(settings)


@pytest.fixture(scope="session")
def gold(shared: Path) -> dict[str, Any]:
    """The hand annotation of the seed corpus (a development set)."""
    annotation: dict[str, Any] = json.loads(
        (shared / "gold" / "seed_claims.json").read_text(encoding="utf-8")
    )
    return annotation


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral, offline Prefect API for the whole session (started on first use)."""
    from claims.cli import prefect_environment

    prefect_environment(REPO / ".prefect")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    configured = os.environ.get("CLAIMS_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never Playwright's own download).

    Per module: while Playwright's sync API runs, its event loop is this thread's, and a Prefect
    flow called from inside a running loop returns a coroutine; a module runs its flows (in
    fixtures requested first) before it starts the browser.
    """
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium: install Debian's `chromium` package (apt-get install chromium) or set "
            "CLAIMS_CHROMIUM to a Chromium binary"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Any]:
    """P and N, the two states the crash and reliability tests compare against
    (``cliruns.World``), built by real runs once per session."""
    from cliruns import build_world
    from prefect.settings import PREFECT_API_URL

    yield build_world(tmp_path_factory.mktemp("world"), str(PREFECT_API_URL.value()))
