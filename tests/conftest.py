"""Session-wide fixtures: the real spaCy pipeline, loaded once, and default settings."""

from __future__ import annotations

import pytest
from spacy.language import Language

from claims.settings import Settings


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
