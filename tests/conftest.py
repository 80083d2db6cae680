"""Shared fixtures: one pipeline per test session, and the public corpora when they are present."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
SEEDS = ROOT / "corpus"


@pytest.fixture(scope="session")
def nlp():
    from extract.pipeline import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def corpora() -> Path:
    """`../shared/corpora`; tests that need it skip where it is absent (as on a user's machine)."""
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not present")
    return CORPORA
