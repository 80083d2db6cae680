"""Measure the whole pipeline on public gold nobody tuned on; write benchmarks/RESULTS.md and plots.

    python -m benchmarks.accuracy [--corpora ../shared/corpora] [--quick]

Only evaluation splits are read here (EBM-NLP expert test, Evidence Inference test ids, BC5CDR test
through the whole pipeline), plus gold/ and swfdr_pvalues for the distribution check, and the
EBM-NLP crowd-labelled TRAINING
split for the sample-size before/after table (the split those rules are developed on;
`python -m benchmarks.sample_size_dev` lists its failures for reading), and the EBM-NLP and Evidence
Inference training splits for the span/prompt failure causes (`python -m benchmarks.failures_dev`).
"""
from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from extract.corpora import evidence_inference as ei
from extract.corpora import gold_documents
from extract.document import SourceDocument
from extract.extractor import Extractor
from extract.gold import load_gold
from extract.readers import read_paths
from extract.scoring import render_table, score

from . import bc5cdr, failures_dev, measures, sample_size_dev
from .ebm_nlp import hier_participants_test, pio_test
from .report import span_summary, write_results

ROOT = Path(__file__).resolve().parent.parent
QUICK_DOCS = 40
FAILURES_DEV_DOCS = 300  # training docs per split for the span/prompt failure causes (full run only)


def _run(extractor: Extractor, documents: list[SourceDocument]) -> dict:
    return {r.id: r for r in extractor.extract_documents(documents)}


def _token_docs_as_sources(docs, source: str) -> list[SourceDocument]:
    return [SourceDocument(id=d.pmid, source=source, abstract=d.text) for d in docs]


def _evidence_inference(corpora: Path, limit: int | None):
    ids = sorted(ei.evaluation_ids(corpora) - ei.training_ids(corpora))
    annotations = corpora / "evidence_inference/annotations"
    with open(annotations / "prompts_merged.csv", encoding="utf-8") as handle:
        prompts = [p | {"PMCID": f"PMC{p['PMCID']}"} for p in csv.DictReader(handle)]
    prompts = [p for p in prompts if p["PMCID"] in set(ids)]
    ids = sorted({p["PMCID"] for p in prompts})[:limit]
    with open(annotations / "v2_annotations.csv", encoding="utf-8") as handle:
        evidence = [(f"PMC{row['PMCID']}", row["Annotations"]) for row in csv.DictReader(handle)]
    keep = set(ids)
    evidence = list(dict.fromkeys((i, s) for i, s in evidence if i in keep and measures._P_IN_EVIDENCE.search(s)))
    return ids, [p for p in prompts if p["PMCID"] in keep], evidence


def _swfdr(corpora: Path) -> list[float]:
    with open(corpora / "swfdr_pvalues/journals_pVals.csv", encoding="utf-8") as handle:
        return [float(row["pvalue"]) for row in csv.DictReader(handle) if row["pvalue"] not in ("", "NA")]


def measure(corpora: Path, quick: bool = False) -> dict:
    """Every figure of RESULTS.md, as plain data."""
    limit = QUICK_DOCS if quick else None
    extractor = Extractor()
    started = time.monotonic()
    figures: dict = {"quick": quick}

    hier = list(hier_participants_test(corpora))[:limit]
    records = _run(extractor, _token_docs_as_sources(hier, "ebm_nlp/hier_participants_test"))
    ss = measures.sample_size(hier, records)
    figures["sample_size"] = {
        "documents": ss.documents, "answered": ss.answered, "strict": ss.strict, "lenient": ss.lenient,
        "accuracy": ss.strict / ss.documents, "answered_share": ss.answered / ss.documents,
        "precision_answered": ss.strict / ss.answered if ss.answered else None,
        "failures": ss.failures, "categories": dict(ss.categories),
    }
    # the training split the sample-size rules are developed on (measured for the before/after table)
    dev = sample_size_dev.measure(corpora, extractor, limit)
    figures["sample_size_dev"] = sample_size_dev.figures(dev)

    pio = list(pio_test(corpora))[:limit]
    records = _run(extractor, _token_docs_as_sources(pio, "ebm_nlp/scibert_split/test"))
    figures["spans"] = {}
    for label, field_name in (("I-INT", "interventions"), ("I-OUT", "endpoints"), ("I-PAR", "conditions")):
        c = measures.token_f1(pio, records, label, field_name)
        figures["spans"][field_name] = {"precision": c.precision, "recall": c.recall, "f1": c.f1,
                                        "measured": any(getattr(r, field_name, None) is not None
                                                        for r in records.values())}

    ids, prompts, evidence = _evidence_inference(corpora, limit)
    records = _run(extractor, list(ei.documents(corpora, ids)))
    recall = measures.prompt_recall(prompts, records)
    figures["evidence_inference"] = {k: {"recall": c.recall, "gold": c.tp + c.fn} for k, c in recall.items()}
    p_counts, p_misses = measures.evidence_p_values(evidence, records)
    figures["evidence_p_values"] = {"recall": p_counts.recall, "gold": p_counts.tp + p_counts.fn, "misses": p_misses}
    ours = [p.value for r in records.values() for p in r.p_values]
    figures["distribution"] = {"ours": measures.p_value_distribution(ours),
                               "swfdr": measures.p_value_distribution(_swfdr(corpora)),
                               "values": ours}

    cdr = bc5cdr.documents(corpora, bc5cdr.TEST, limit)
    figures["bc5cdr"] = bc5cdr.figures(bc5cdr.measure(cdr, extractor))

    if not quick:  # the training splits the span/prompt fixes were developed on (causes counted)
        figures["failures_dev"] = failures_dev.figures(failures_dev.measure(corpora, extractor, FAILURES_DEV_DOCS))

    gold = load_gold(ROOT / "gold")
    docs = list(read_paths([ROOT / "corpus"])) + list(gold_documents(ROOT / "gold", corpora))
    report = score(extractor.extract_documents(docs), gold)
    figures["gold"] = {"table": render_table(report), "report": json.loads(report.model_dump_json(exclude={"details"}))}
    figures["seconds"] = time.monotonic() - started
    return figures


def summary(figures: dict) -> dict:
    """The sample-size figures benchmarks/baseline.json stores (the "before" of RESULTS.md)."""
    ss, dev = figures["sample_size"], figures["sample_size_dev"]
    return {
        "eval": {"documents": ss["documents"], "accuracy": ss["accuracy"],
                 "answered_share": ss["answered_share"], "precision_answered": ss["precision_answered"],
                 "lenient_accuracy": ss["lenient"] / ss["documents"], "categories": ss["categories"]},
        "dev": {k: dev[k] for k in ("documents", "accuracy", "answered_share", "precision_answered",
                                    "lenient_accuracy", "categories")},
        "gold_n_accuracy": gold_n_accuracy(figures),
        "spans": span_summary(figures),
    }



def gold_n_accuracy(figures: dict):
    """The `n` accuracy of the gold/ score table."""
    for line in figures["gold"]["table"].splitlines():
        parts = line.split()
        if parts[:1] == ["n"] and len(parts) == 4:
            return float(parts[3])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_DOCS} documents of each set")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the sample-size figures as JSON (the shape of baseline.json)")
    args = parser.parse_args()
    figures = measure(args.corpora, args.quick)
    write_results(figures, args.out)
    if args.json:
        args.json.write_text(json.dumps(summary(figures), indent=2) + "\n", encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
