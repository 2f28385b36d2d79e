"""Session-wide fixtures: the real spaCy pipeline, one offline Prefect API, the seed gold."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def shared_dir() -> Path:
    """../shared beside the repo (as in CI), or CLAIMS_SHARED_DIR."""
    return Path(os.environ.get("CLAIMS_SHARED_DIR", REPO.parent / "shared"))


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
def gold() -> dict:
    """The hand annotation of the seed corpus (a development set)."""
    path = shared_dir() / "gold" / "seed_claims.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One ephemeral, offline Prefect API for the whole session (started on first use)."""
    from claims.cli import prefect_environment

    prefect_environment(REPO / ".prefect")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Any]:
    """P and N, the two states the crash and reliability tests compare against
    (``cliruns.World``), built by real runs once per session."""
    from cliruns import build_world
    from prefect.settings import PREFECT_API_URL

    yield build_world(tmp_path_factory.mktemp("world"), str(PREFECT_API_URL.value()))
