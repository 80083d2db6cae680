"""BC5CDR through the whole pipeline (as `extract run` builds it).

(a) The CHEMICAL/DISEASE entity layer (`doc._.entities`, the shipped chem/disease NER with the
    pipeline's span cutting) against the gold mentions: entity-level exact match of
    (start, end, label), P/R/F1 per label and micro over both.
(b) The record field `conditions` against the gold DISEASE mentions, per document: the unique
    normalised names on each side (`extract.scoring.names.tokens`), matched one-to-one by the
    scorer's name rule (`greedy_match`), P/R/F1 summed over documents.

PubTator offsets index `title + " " + abstract`; the record text is `title + "\n\n" + abstract`
(`extract.document.compose_text`); `extract.ner.corpus.pubtator_offsets` maps one onto the other, and
every mapped gold mention is checked against the record text (`misaligned` counts the ones that differ).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from extract.corpora import PubTatorDocument, iter_pubtator
from extract.extractor import Extractor
from extract.ner.corpus import CDR_LABELS, pubtator_offsets
from extract.scoring import PRF, greedy_match, tokens

TEST = "bc5cdr/pubtator/CDR_TestSet.PubTator.txt"        # evaluation only
LABELS = tuple(CDR_LABELS.values())                     # CHEMICAL, DISEASE


def documents(corpora: Path, path: str = TEST, limit: Optional[int] = None) -> list[PubTatorDocument]:
    return list(iter_pubtator(corpora / path))[:limit]


def unique_names(names: Iterable[str]) -> list[str]:
    """One name per normalised token set, first spelling kept; names with no tokens dropped."""
    out: dict = {}
    for name in names:
        key = tokens(name)
        if key and key not in out:
            out[key] = name
    return list(out.values())


def measure(sources: list[PubTatorDocument], extractor: Extractor) -> dict:
    """Figures (a) and (b) above, as PRF counters."""
    entities = {label: PRF() for label in (*LABELS, "micro")}
    conditions, misaligned = PRF(), 0
    by_id = {s.pmid: s for s in sources}
    for record, doc in extractor.extract_with_docs(s.to_source_document("bc5cdr") for s in sources):
        source = by_id[record.id]
        mentions = [m for m in source.mentions if m.type in CDR_LABELS]
        spans = pubtator_offsets(source, CDR_LABELS)  # in the order of `mentions`
        misaligned += sum(record.text[s:e] != m.text for (s, e, _), m in zip(spans, mentions))
        gold = set(spans)
        pred = {e for e in doc._.entities if e[2] in LABELS}
        for label in entities:
            g = {x for x in gold if label in ("micro", x[2])}
            p = {x for x in pred if label in ("micro", x[2])}
            entities[label].add(len(g & p), len(p - g), len(g - p))
        gold_names = unique_names(m.text for m in mentions if m.type == "Disease")
        ours = unique_names(c.name for c in record.conditions)
        matched = greedy_match(ours, [[g] for g in gold_names])
        conditions.add(len(matched), len(ours) - len(matched), len(gold_names) - len(matched))
    return {"documents": len(sources), "entities": entities, "conditions": conditions, "misaligned": misaligned}


def figures(result: dict) -> dict:
    """Plain numbers for RESULTS.md and the tests."""
    def prf(c: PRF) -> dict:
        return {"precision": c.precision, "recall": c.recall, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn}
    return {"documents": result["documents"], "misaligned": result["misaligned"],
            "entities": {k: prf(c) for k, c in result["entities"].items()},
            "conditions": prf(result["conditions"])}
