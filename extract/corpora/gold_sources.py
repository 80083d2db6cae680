"""The source texts of the gold documents that live in the public corpora (not under `corpus/`)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..document import SourceDocument
from ..gold import load_gold
from . import evidence_inference
from .pubtator import iter_pubtator


def gold_documents(gold_dir: str | Path, corpora_root: str | Path) -> Iterator[SourceDocument]:
    """For every gold file whose source is not under `corpus/`, in id order: a SourceDocument with the
    gold id, `source` as the gold file gives it (relative to `corpora_root`), title and abstract.

    `.abst` sources are read as Evidence Inference abstracts; other sources as PubTator files (the
    record whose PMID is the id). A missing file or record yields a failed document (`errors` set).
    """
    root = Path(corpora_root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpora directory not found: {root}")
    wanted = [doc for doc in load_gold(gold_dir).values() if not doc.in_corpus]
    pubtator: dict[str, dict[str, SourceDocument]] = {}  # source -> pmid -> document, each file read once
    for doc in wanted:
        path = root / doc.source
        if path.suffix == ".abst":
            found = evidence_inference.read_document(root, path.stem, source=doc.source)
            yield found if found.id == doc.id else SourceDocument.failed(
                doc.id, doc.source, f"{doc.source} is the abstract of {found.id}, not {doc.id}")
            continue
        if doc.source not in pubtator:
            pubtator[doc.source] = _read_pubtator(path, doc.source, {d.id for d in wanted if d.source == doc.source})
        yield pubtator[doc.source].get(doc.id) or SourceDocument.failed(
            doc.id, doc.source, f"PMID {doc.id} not found in {path}")


def _read_pubtator(path: Path, source: str, pmids: set[str]) -> dict[str, SourceDocument]:
    if not path.is_file():
        return {}
    return {d.pmid: d.to_source_document(source) for d in iter_pubtator(path) if d.pmid in pmids}
