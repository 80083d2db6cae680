"""Measure the NER models on the held-out test splits, and their speed; write `scores.json` beside each.

    python -m extract.ner.evaluate --corpora ../shared/corpora            # every shipped model
    python -m extract.ner.evaluate --corpora ../shared/corpora --only pico --model-path build/x --no-write

- chem_disease: BC5CDR `CDR_TestSet.PubTator.txt` (500 docs), entity-level exact match of
  (start, end, label) against the gold character offsets, micro P/R/F1 overall and per label.
  Text tokenized by the extract tokenizer, NER spans cut back and propagated to the other mentions of
  their names and abbreviations as the pipeline does (`extract_entities`, rules/entities.yml); the
  model's own spans are scored too (`scores_without_span_cutting`: no cutting, no propagation), and
  the same test set as bc5cdr/iob tokenized it (`scores_on_iob_tokens`: hyphens split, sentences,
  words given, spans compared on tokens), the data and protocol scispaCy's reported scores use.
  Anchor: scispaCy en_ner_bc5cdr_md, F1 84.28.
- pico: EBM-NLP `scibert_split/test.txt` (191 expert-labelled docs), token-level P/R/F1 per class
  (PARTICIPANTS, INTERVENTION, OUTCOME) on the given words, and their macro average; also the mean
  over the four labels with O (`macro_with_O`), which is how SciBERT's `pico_crf_tagger` computes the
  avg_f1 it reports on this split (BLURB's EBM PICO task comes from SciBERT's; that its 73.38 is the
  same average is our reading of that code, not something BLURB's paper spells out).
  Anchors: LSTM-CRF token F1 ≈ 0.69–0.72 (Nye et al. 2018); PubMedBERT macro-F1 73.38 (BLURB).
- words/s: the tokenizer and the model as `ner_pipeline` runs them (as extract does: numpy's BLAS on
  one thread, the inference forwards, each word embedded once per group), one process, batch 64, over
  the test texts (tokens counted by our tokenizer); the machine's load average is recorded beside it.
These splits are for measuring only: nothing here feeds back into training.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Optional

from . import corpus as C
from ..components.entities import token_edges
from ..scoring import PRF
from .models import MODELS, SCORES_FILE, is_installed, model_path
from .ops import one_blas_thread

ANCHORS = {
    "chem_disease": {"name": "scispaCy en_ner_bc5cdr_md (reported)", "f1": 84.28},
    "pico": {"name": "PubMedBERT (BLURB, macro-F1)", "f1": 73.38,
             "also": "LSTM-CRF baseline token F1 about 0.69-0.72 (Nye et al. 2018)"},
}


def ner_pipeline(path: Path):
    """Our tokenizer + the abbreviation finder + the model at `path` + the entity-span step, as
    extract runs them."""
    import spacy

    from ..components import abbreviations, entities  # noqa: F401  (registers the factories)
    from ..tokenizer import scispacy_tokenizer
    from .load import add_sourced, run_as_extract

    nlp = spacy.blank("en")
    nlp.tokenizer = scispacy_tokenizer(nlp)
    nlp.add_pipe("extract_abbreviations")
    add_sourced(nlp, Path(path), "ner_model")
    nlp.add_pipe("extract_entities")
    run_as_extract(nlp)
    return nlp


def prf(tp: int, fp: int, fn: int) -> dict:
    """The scorer's P/R/F1 (`extract.scoring.PRF`) as percentages, with the counts."""
    c = PRF(tp=tp, fp=fp, fn=fn)
    return {"p": _percent(c.precision), "r": _percent(c.recall), "f1": _percent(c.f1), "tp": tp, "fp": fp, "fn": fn}


def _percent(value: Optional[float]) -> float:
    return round(100 * (value or 0.0), 2)


def words_per_second(nlp, texts: list[str], repeat: int = 1) -> dict:
    ner_only = [name for name in nlp.pipe_names if name.startswith("ner_model")]
    with nlp.select_pipes(enable=ner_only):
        list(nlp.pipe(texts[:20]))  # warm-up
        words = sum(len(nlp.make_doc(t)) for t in texts) * repeat
        started = time.perf_counter()
        for _ in range(repeat):
            for _ in nlp.pipe(texts, batch_size=64):
                pass
        seconds = time.perf_counter() - started
    return {"words_per_second": round(words / seconds), "words": words, "seconds": round(seconds, 2),
            "load_average_1min": round(os.getloadavg()[0], 2), "processes": 1}


def evaluate_chem_disease(path: Path, corpora: Path) -> dict:
    nlp = ner_pipeline(path)
    sources = list(C.iter_pubtator(corpora / C.CDR_TEST))
    texts = [C.pubtator_text(s)[0] for s in sources]
    counts: dict[str, Counter] = {"ALL": Counter(), "CHEMICAL": Counter(), "DISEASE": Counter()}
    raw = Counter()
    ceiling = Counter()
    for source, doc in zip(sources, nlp.pipe(texts, batch_size=32)):
        gold = set(C.pubtator_offsets(source, C.CDR_LABELS))
        pred = {e for e in doc._.entities if e[2] in ("CHEMICAL", "DISEASE")}
        untrimmed = {(s.start_char, s.end_char, s.label_) for s in doc.spans.get("ner", [])
                     if s.label_ in ("CHEMICAL", "DISEASE")}
        for label in counts:
            g = {x for x in gold if label in ("ALL", x[2])}
            p = {x for x in pred if label in ("ALL", x[2])}
            counts[label].update(tp=len(g & p), fp=len(p - g), fn=len(g - p))
        raw.update(tp=len(gold & untrimmed), fp=len(untrimmed - gold), fn=len(gold - untrimmed))
        starts, ends = token_edges(doc)
        ceiling.update(gold=len(gold), on_token_edges=sum(s in starts and e in ends for s, e, _ in gold))
    scores = {label: prf(c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}
    return {
        "model": "chem_disease", "test_set": "BC5CDR CDR_TestSet.PubTator.txt (500 docs)",
        "metric": "entity-level exact match (start, end, label), micro",
        "scores": scores,
        "scores_without_span_cutting": prf(raw["tp"], raw["fp"], raw["fn"]),
        "gold_mentions_on_token_edges": f"{ceiling['on_token_edges']}/{ceiling['gold']}",
        "scores_on_iob_tokens": iob_scores(nlp, corpora),
        "speed": words_per_second(nlp, texts),
        "anchor": ANCHORS["chem_disease"],
    }


def iob_scores(nlp, corpora: Path) -> dict:
    """The anchor's protocol: the same test set in bc5cdr/iob's tokenization (hyphens split: no
    mention inside a token), sentence by sentence with the words given, entity spans compared on
    tokens, micro P/R/F1."""
    counts = Counter()
    sentences = list(C.read_iob(corpora / C.CDR_IOB_TEST))
    docs = [C.words_doc(nlp, words) for words, _ in sentences]
    for (_, gold), doc in zip(sentences, nlp.pipe(docs, batch_size=64)):
        pred = {(span.start, span.end, label) for start, end, label in doc._.entities
                if label in ("CHEMICAL", "DISEASE") and (span := doc.char_span(start, end)) is not None}
        gold = set(gold)
        counts.update(tp=len(gold & pred), fp=len(pred - gold), fn=len(gold - pred))
    return {"sentences": len(sentences), **prf(counts["tp"], counts["fp"], counts["fn"])}


def evaluate_pico(path: Path, corpora: Path) -> dict:
    nlp = ner_pipeline(path)
    docs, golds = [], []
    for _, words, tags in C.read_ebm(corpora / C.EBM_TEST):
        docs.append(C.words_doc(nlp, words))
        golds.append([C.EBM_LABELS.get(t) for t in tags])
    counts = {label: Counter() for label in (*C.PICO_LABELS, "O")}
    for doc, gold in zip(nlp.pipe(docs, batch_size=32), golds):
        pred: list[set] = [set() for _ in doc]
        for span in doc.spans.get("ner", []):
            if span.label_ in C.PICO_LABELS:
                for i in range(span.start, span.end):
                    pred[i].add(span.label_)
        for i, g in enumerate(gold):
            for label in counts:
                p_has = label in pred[i] if label != "O" else not pred[i]
                g_has = g == label if label != "O" else g is None
                counts[label].update(tp=p_has and g_has, fp=p_has and not g_has, fn=g_has and not p_has)
    scores = {label: prf(c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}
    scores["macro"] = _mean(scores, C.PICO_LABELS)
    scores["macro_with_O"] = _mean(scores, (*C.PICO_LABELS, "O"))
    total = Counter()
    for label in C.PICO_LABELS:
        total.update(counts[label])
    scores["micro"] = prf(total["tp"], total["fp"], total["fn"])
    texts = [d.text for d in docs]
    return {
        "model": "pico", "test_set": "EBM-NLP scibert_split/test.txt (191 expert-labelled docs)",
        "metric": "token-level P/R/F1 per class on the given words; macro = mean of the three classes; "
                  "macro_with_O = mean over the four labels I-PAR, I-INT, I-OUT and O, the protocol of "
                  "SciBERT's pico_crf_tagger (avg_f1), which we read BLURB's PICO figures to follow",
        "scores": scores,
        "speed": words_per_second(nlp, texts),
        "anchor": ANCHORS["pico"],
    }


def _mean(scores: dict, labels) -> dict:
    return {k: round(sum(scores[label][k] for label in labels) / len(labels), 2) for k in ("p", "r", "f1")}


def summary(result: dict) -> list[str]:
    s, speed, anchor = result["scores"], result["speed"], result["anchor"]
    if result["model"] == "chem_disease":
        iob = result["scores_on_iob_tokens"]
        lines = [f"BC5CDR test, entity exact match: P {s['ALL']['p']} R {s['ALL']['r']} F1 {s['ALL']['f1']} "
                 f"(CHEMICAL {s['CHEMICAL']['f1']}, DISEASE {s['DISEASE']['f1']}); on bc5cdr/iob's tokens "
                 f"F1 {iob['f1']} (the anchor's protocol); anchor {anchor['name']} F1 {anchor['f1']}"]
    else:
        lines = [f"EBM-NLP expert test, token F1: PARTICIPANTS {s['PARTICIPANTS']['f1']}, "
                 f"INTERVENTION {s['INTERVENTION']['f1']}, OUTCOME {s['OUTCOME']['f1']}, "
                 f"macro {s['macro']['f1']}, with O {s['macro_with_O']['f1']} (the anchor's protocol); "
                 f"anchors {anchor['name']} {anchor['f1']}, {anchor['also']}"]
    lines.append(f"speed: {speed['words_per_second']} words/s (tokenizer and this model; 1 process, "
                 f"one BLAS thread, load average {speed['load_average_1min']})")
    return lines


EVALUATORS = {"chem_disease": evaluate_chem_disease, "pico": evaluate_pico}


def evaluate_model(name: str, path: Path, corpora: Path) -> dict:
    """Every test-split measure that applies to model `name` (a shared-encoder model has two)."""
    info = MODELS[name]
    measures = {measure: EVALUATORS[measure](path, corpora) for measure in info.measures}
    return {
        "model": name,
        "measures": measures,
        "summary": [line for result in measures.values() for line in summary(result)],
        "trained_on": info.corpora,
        "model_size_mb": round(sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6, 1),
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.ner.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "corpora")
    parser.add_argument("--only", choices=sorted(MODELS), action="append", help="A model name (repeatable).")
    parser.add_argument("--model-path", type=Path, help="Evaluate this pipeline instead of the shipped one "
                                                          "(with one --only, which says what it is).")
    parser.add_argument("--no-write", action="store_true", help="Do not write scores.json beside the model.")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"corpora directory not found: {args.corpora}", file=sys.stderr)
        return 2
    one_blas_thread()  # as each extract worker runs
    names = args.only or list(MODELS)
    results = {}
    for name in names:
        path = args.model_path or model_path(name)
        if args.model_path is None and not is_installed(name):
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        result = results[name] = evaluate_model(name, path, args.corpora)
        print(f"{name}:", *result["summary"], sep="\n  ")
        if not args.no_write:
            (Path(path) / SCORES_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: {m: r["scores"] for m, r in v["measures"].items()} for k, v in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
