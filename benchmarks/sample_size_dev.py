"""Sample-size accuracy on the EBM-NLP crowd-labelled TRAINING split, with its failures for reading.

    python -m benchmarks.sample_size_dev [--corpora ../shared/corpora] [--out /tmp/sample_size_dev]

Same rule as `benchmarks.measures.sample_size` (gold n = first number of the first `3_p` span), on
`hier_participants_dev_crowd_bsaluja_noperiods.conll` (921 docs, crowd labels, so some gold is noise).
This is the split rules are developed on; the expert test split is only measured
(`python -m benchmarks.accuracy`). Writes `<out>.json` (figures) and `<out>_failures.md` (each
failure: pmid, gold numbers, our n, our evidence, and the text around the gold span and our
evidence; EBM-NLP dropped "." tokens, so the context is a character window, not a sentence).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from extract.document import SourceDocument
from extract.extractor import Extractor

from . import dev_report, measures
from .ebm_nlp import hier_participants_dev

WINDOW = 200


def measure(corpora: Path, extractor: Optional[Extractor] = None, limit: Optional[int] = None):
    """The SampleSizeResult of the pipeline on the training split."""
    docs = [d for d in hier_participants_dev(corpora)][:limit]
    extractor = extractor or Extractor()
    sources = [SourceDocument(id=d.pmid, source="ebm_nlp/hier_participants_dev", abstract=d.text)
               for d in docs]
    records = {r.id: r for r in extractor.extract_documents(sources)}
    return measures.sample_size(docs, records)


def figures(result) -> dict:
    docs = result.documents or 1
    return {
        "documents": result.documents, "answered": result.answered, "strict": result.strict,
        "lenient": result.lenient, "accuracy": result.strict / docs,
        "answered_share": result.answered / docs,
        "precision_answered": result.strict / result.answered if result.answered else None,
        "lenient_accuracy": result.lenient / docs,
        "categories": dict(result.categories),
    }


def _window(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - WINDOW), min(len(text), end + WINDOW)
    return f"…{text[lo:start]}[[{text[start:end]}]]{text[end:hi]}…"


def failures_markdown(result) -> str:
    lines = ["# Sample size failures on the EBM-NLP training split (dev, crowd labels)", ""]
    for d in sorted(result.details, key=lambda d: (d["category"], d["pmid"])):
        text = d["text"]
        lines.append(f"## {d['pmid']}: gold {d['gold']} got {d['n']} ({d['category']})")
        for s, e in d["gold_spans"][:2]:
            lines.append(f"- gold: {_window(text, s, e)}")
        for s, e, t in d["evidence"][:3]:
            lines.append(f"- ours `{t}`: {_window(text, s, e)}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    dev_report.main(__doc__, measure, figures, failures_markdown, "/tmp/sample_size_dev", "_failures.md")


if __name__ == "__main__":
    main()
