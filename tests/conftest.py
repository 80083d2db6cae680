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


def gold_texts(corpora: Path) -> list:
    """(gold document, text) for every gold file, texts read as the project reads them."""
    from extract.corpora.gold_sources import gold_documents
    from extract.document import compose_text
    from extract.gold import load_gold
    from extract.readers import parse_text

    gold_dir = ROOT / "gold"
    gold = load_gold(gold_dir)
    texts = {d.id: d.text for d in gold_documents(gold_dir, corpora)}
    for doc_id, doc in gold.items():
        if doc.in_corpus:
            title, abstract, _ = parse_text((ROOT / doc.source).read_text(encoding="utf-8"))
            texts[doc_id] = compose_text(title, abstract)
    return [(doc, texts[doc_id]) for doc_id, doc in sorted(gold.items())]
