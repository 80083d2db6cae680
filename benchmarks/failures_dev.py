"""Span and prompt failures on the TRAINING splits, grouped by cause, with examples for reading.

    python -m benchmarks.failures_dev [--corpora ../shared/corpora] [--limit N] [--out /tmp/failures_dev]

- Spans: EBM-NLP `scibert_split/dev.txt` (960 crowd-labelled docs): the token F1 of interventions
  (I-INT), endpoints (I-OUT) and conditions (I-PAR), measured as `benchmarks.measures.token_f1` does,
  and every missed (fn) and extra (fp) token put in one cause (`span_cause`).
- Prompts: Evidence Inference prompts of the train-split articles: recall of intervention, comparator
  and outcome as `benchmarks.measures.prompt_recall` measures it, each miss put in one cause
  (`prompt_cause`).
Writes `<out>.json` (counts) and `<out>.md` (examples per cause). The evaluation splits are never
read here: `python -m benchmarks.accuracy` only measures them.
"""
from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

from extract.corpora import evidence_inference as ei
from extract.document import SourceDocument
from extract.extractor import Extractor
from extract.scoring import PRF
from extract.scoring.names import best_similarity, tokens

from . import dev_report, measures
from .ebm_nlp import TokenDoc, pio_dev

FIELDS = (("I-INT", "interventions"), ("I-OUT", "endpoints"), ("I-PAR", "conditions"))
# The NER labels that feed each field: a gold run one of them covers was found, then dropped by a rule.
NER_LABELS = {"interventions": ("INTERVENTION", "CHEMICAL"), "endpoints": ("OUTCOME",),
              "conditions": ("DISEASE", "PARTICIPANTS")}
CONTROL = re.compile(r"\b(?:placebos?|controls?|usual|standard|routine|conventional|no (?:treatment|intervention)"
                     r"|sham|saline|vehicle|untreated|waiting[- ]list|wait[- ]list)\b", re.I)
_PERSON = re.compile(r"\b(?:patients?|participants?|subjects?|volunteers?|women|men|children|adults?|infants?"
                     r"|individuals?|people|persons?|students?|smokers?|mothers?|neonates?|girls?|boys?)\b", re.I)
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z0-9-]{0,2}[A-Z][A-Za-z0-9-]{0,6}")
_AGE_COUNT = re.compile(r"\d|\baged?\b|\byears?\b|\bmonths?\b|\bold\b", re.I)

# -- spans ----------------------------------------------------------------------------------------


def _runs(indices: set[int]) -> list[tuple[int, int]]:
    runs, start, prev = [], None, None
    for i in sorted(indices):
        if start is None or i != prev + 1:
            if start is not None:
                runs.append((start, prev + 1))
            start = i
        prev = i
    if start is not None:
        runs.append((start, prev + 1))
    return runs


def span_cause(field: str, kind: str, words: list[str], run_hits: int, ner_covered: bool,
               labelled_as: Optional[str]) -> str:
    """One cause for a run of missed (kind "fn") or extra (kind "fp") tokens.

    fn: `run_hits` = predicted tokens inside the gold run (0: the mention was missed entirely);
    `ner_covered`: an NER span of the field's labels overlaps it. fp: `run_hits` = gold tokens the
    predicted run touches (0: no gold mention there); `labelled_as`: the gold label of those tokens.
    """
    text = " ".join(words)
    if kind == "fn":
        if run_hits:
            if field == "conditions" and (_PERSON.search(text) or _AGE_COUNT.search(text)):
                return "boundary: participant description around the condition (people, age, count)"
            return "boundary: our span shorter than the gold span"
        if field == "interventions" and CONTROL.search(text):
            return "missed: control arm (placebo / control / usual care)"
        if field == "conditions" and not ner_covered and _PERSON.search(text):
            return "missed: participant description with no condition (people, age, count)"
        if ner_covered:
            return "missed: an NER span covered it, a rule dropped it"
        return "missed: no NER span and no rule"
    if run_hits:
        return "boundary: our span longer than the gold span"
    if labelled_as and labelled_as != "O":
        return f"extra: gold labels these tokens {labelled_as}"
    return "extra: no gold label on these tokens"


def span_failures(docs: list[TokenDoc], records: dict, entities: dict) -> dict:
    """Per field: token counts and {cause: [tokens, examples]}."""
    out = {}
    for label, field_name in FIELDS:
        counts, causes = PRF(), defaultdict(lambda: [0, []])
        for doc in docs:
            record = records[doc.pmid]
            offsets = doc.offsets()
            names = [item.name for item in getattr(record, field_name, [])]
            predicted = measures.predicted_tokens(doc, names)
            gold = {i for i, tag in enumerate(doc.labels) if tag == label}
            counts.add(len(predicted & gold), len(predicted - gold), len(gold - predicted))
            ner = [(s, e) for s, e, lab in entities[doc.pmid] if lab in NER_LABELS[field_name]]
            shift = max(record.text.find(doc.text), 0)
            for start, end in _runs(gold):
                missed = [i for i in range(start, end) if i not in predicted]
                if not missed:
                    continue
                a, b = offsets[start][0] + shift, offsets[end - 1][1] + shift
                covered = any(s < b and a < e for s, e in ner)
                cause = span_cause(field_name, "fn", doc.words[start:end], end - start - len(missed), covered, None)
                _add(causes, cause, len(missed), doc, start, end, names)
            for start, end in _runs(predicted):
                extra = [i for i in range(start, end) if i not in gold]
                if not extra:
                    continue
                tags = Counter(doc.labels[i] for i in extra).most_common(1)[0][0]
                cause = span_cause(field_name, "fp", doc.words[start:end], end - start - len(extra), False, tags)
                _add(causes, cause, len(extra), doc, start, end, names)
        out[field_name] = {"precision": counts.precision, "recall": counts.recall, "f1": counts.f1,
                           "tp": counts.tp, "fp": counts.fp, "fn": counts.fn, "causes": dict(causes)}
    return out


def _add(causes, cause: str, count: int, doc: TokenDoc, start: int, end: int, names: list[str]) -> None:
    causes[cause][0] += count
    lo, hi = max(0, start - 8), min(len(doc.words), end + 8)
    context = " ".join(doc.words[lo:start] + ["[["] + doc.words[start:end] + ["]]"] + doc.words[end:hi])
    causes[cause][1].append({"pmid": doc.pmid, "context": context, "ours": names})


# -- Evidence Inference prompts ---------------------------------------------------------------------

GENERIC = re.compile(r"^\W*(?:the\s+)?(?:placebos?|controls?|control (?:group|arm|condition)|usual care"
                     r"|standard (?:care|treatment|therapy)|no (?:treatment|intervention)|baseline"
                     r"|conventional (?:treatment|therapy|care)|routine care|sham)\W*$", re.I)


def prompt_cause(part: str, gold: str, text: str, results_at: int, found: list[str]) -> str:
    """One cause for a prompt part no extracted name matches (`results_at`: where the results section
    starts in the text, or -1)."""
    lower, g = text.lower(), gold.strip().lower()
    if part == "comparator" and GENERIC.match(gold):
        return "comparator is generic (placebo / control / usual care / baseline)"
    at = lower.find(g)
    if at < 0:
        gold_tokens = tokens(gold)
        present = sum(t in set(tokens(text)) for t in gold_tokens)
        if len(gold_tokens) > 6:
            return "prompt is a long description (> 6 words), not a name"
        if gold_tokens and present / len(gold_tokens) < 0.5:
            return "prompt wording mostly absent from the abstract (written from the full article)"
        return "prompt not verbatim in the abstract (its words are)"
    near = [f for f in found if tokens(f) & tokens(gold)]
    if any(_ABBREVIATION.fullmatch(f) for f in near):
        return "verbatim; only its abbreviation extracted (\"NIV\" for \"noninvasive ventilation (NIV)\")"
    if near and re.search(r"\d", gold):
        return "verbatim; the prompt adds a dose or schedule to the extracted one-word name"
    if near:
        return "verbatim; an extracted name shares words but fails the match rule (boundary)"
    if part == "outcome" and 0 <= results_at <= at and lower.find(g, 0, results_at) < 0:
        return "verbatim in results sentences only; not extracted"
    return "verbatim in the abstract; not extracted"


def _results_start(text: str) -> int:
    m = re.search(r"^(?:RESULTS?|FINDINGS)\b", text, re.M)
    return m.start() if m else -1


def prompt_failures(prompts: list[dict], records: dict) -> dict:
    out = {}
    for part, pool_name in (("intervention", "interventions"), ("comparator", "interventions"),
                            ("outcome", "endpoints")):
        counts, causes = PRF(), defaultdict(lambda: [0, []])
        for prompt in prompts:
            record = records.get(prompt["PMCID"])
            gold = prompt[part.capitalize()].strip()
            if record is None or not gold:
                continue
            found = [item.name for item in getattr(record, pool_name)]
            hit = any(best_similarity(name, [gold]) is not None for name in found)
            counts.add(int(hit), 1 - hit, 1 - hit)
            if not hit:
                cause = prompt_cause(part, gold, record.text, _results_start(record.text), found)
                causes[cause][0] += 1
                causes[cause][1].append({"pmid": prompt["PMCID"], "context": gold, "ours": found})
        out[part] = {"recall": counts.recall, "gold": counts.tp + counts.fn, "causes": dict(causes)}
    return out


def training_prompts(corpora: Path, limit: Optional[int]) -> tuple[list[str], list[dict]]:
    train = ei.training_ids(corpora) - ei.evaluation_ids(corpora)
    with open(corpora / ei.ANNOTATIONS / "prompts_merged.csv", encoding="utf-8") as handle:
        prompts = [p | {"PMCID": f"PMC{p['PMCID']}"} for p in csv.DictReader(handle)]
    prompts = [p for p in prompts if p["PMCID"] in train and ei.abst_path(corpora, p["PMCID"]).is_file()]
    ids = sorted({p["PMCID"] for p in prompts})[:limit]
    keep = set(ids)
    return ids, [p for p in prompts if p["PMCID"] in keep]


# -- running ----------------------------------------------------------------------------------------


def measure(corpora: Path, extractor: Optional[Extractor] = None, limit: Optional[int] = None) -> dict:
    extractor = extractor or Extractor()
    docs = list(pio_dev(corpora))[:limit]
    sources = [SourceDocument(id=d.pmid, source="ebm_nlp/scibert_split/dev", abstract=d.text) for d in docs]
    records, entities = {}, {}
    for record, doc in extractor.extract_with_docs(sources):
        records[record.id], entities[record.id] = record, list(doc._.entities)
    spans = span_failures(docs, records, entities)
    ids, prompts = training_prompts(corpora, limit)
    records = {r.id: r for r in extractor.extract_documents(ei.documents(corpora, ids))}
    return {"spans": spans, "prompts": prompt_failures(prompts, records),
            "documents": {"ebm_nlp_dev": len(docs), "evidence_inference_train": len(ids),
                          "prompts": len(prompts)}}


def figures(result: dict) -> dict:
    """The counts without the examples."""
    def strip(block: dict) -> dict:
        return {k: ({c: n for c, (n, _) in sorted(v.items(), key=lambda x: -x[1][0])} if k == "causes" else v)
                for k, v in block.items()}
    return {"documents": result["documents"],
            "spans": {f: strip(b) for f, b in result["spans"].items()},
            "prompts": {p: strip(b) for p, b in result["prompts"].items()}}


def failures_markdown(result: dict, per_cause: int = 12, seed: int = 0) -> str:
    lines = ["# Span and prompt failures on the training splits", ""]
    rng = random.Random(seed)
    for section, blocks in (("spans", result["spans"]), ("prompts", result["prompts"])):
        for name, block in blocks.items():
            lines += [f"## {section}: {name}", ""]
            for cause, (count, examples) in sorted(block["causes"].items(), key=lambda x: -x[1][0]):
                lines += [f"### {cause}: {count}", ""]
                for ex in rng.sample(examples, min(per_cause, len(examples))):
                    lines.append(f"- {ex['pmid']}: {ex['context']}  \n  ours: {ex['ours'][:8]}")
                lines.append("")
    return "\n".join(lines)


def main() -> None:
    dev_report.main(__doc__, measure, figures, failures_markdown, "/tmp/failures_dev", ".md")


if __name__ == "__main__":
    main()
