"""Rebuild a shipped NER model from the public corpora with spaCy's training system.

    python -m extract.ner.train chem-disease --corpora ../shared/corpora --out extract/models/chem_disease
    python -m extract.ner.train pico         --corpora ../shared/corpora --out extract/models/pico
    python -m extract.ner.vectors --corpora ../shared/corpora --out build/vectors
    python -m extract.ner.train joint --corpora ../shared/corpora --vectors build/vectors/spacy \
        --out extract/models/chem_disease_pico

Steps: convert the training split to DocBins (`--work`, default build/ner/<model>), train with the
config in configs/ (CPU, fixed seed, early stopping on a held-out part of the TRAINING data), copy
model-best to `--out` and write `training.json` (corpus and alignment counts, best dev score) and the
table of its known words' embeddings (word_table.py) beside it. Evaluation splits are never read here. `--limit`/`--max-steps` make a smoke run.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Optional

from spacy.util import registry

from .. import tokenizer  # noqa: F401  (registers extract.tokenizer.v1, named by the configs)
from . import corpus as C
from .ops import one_blas_thread, use_numpy_blas

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG_DIRS = (Path(__file__).resolve().parent.parent / "configs", ROOT / "configs")

TASKS = {
    "chem-disease": ("ner_chem_disease.cfg", "chem_disease"),
    # PICO as token tags (PAR/INT/OUT/O): the shipped model; "pico-ner" is the transition-based NER
    # alternative, which reached a lower token-level F1 on the held-out dev docs.
    "pico": ("pico_tagger.cfg", "pico"),
    "pico-ner": ("ner_pico.cfg", "pico"),
    # both on one shared tok2vec with static vectors: NER for CHEMICAL/DISEASE, tagger for PICO
    "joint": ("ner_joint.cfg", "chem_disease_pico"),
}


def config_path(name: str) -> Path:
    for folder in CONFIG_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"config {name} not found in {', '.join(map(str, CONFIG_DIRS))}")


# -- data ---------------------------------------------------------------------------------------
def build_chem_disease(corpora: Path, work: Path, limit: int = 0, ncbi: bool = False,
                       held_out: int = 100) -> dict:
    nlp = C.tokenizer_nlp()
    train_ids, stop_ids = C.cdr_split(corpora, held_out=held_out)
    if limit:
        train_ids = set(sorted(train_ids)[:limit])
        stop_ids = set(sorted(stop_ids)[:max(2, limit // 4)])
    train_stats, dev_stats = C.AlignmentStats(), C.AlignmentStats()
    train_docs = list(C.pubtator_docs(nlp, corpora / C.CDR_TRAIN, C.CDR_LABELS, pmids=train_ids,
                                      stats=train_stats))
    info = {"train": {"BC5CDR": train_stats.as_dict()}}
    if ncbi:
        ncbi_stats = C.AlignmentStats()
        extra = list(C.pubtator_docs(nlp, corpora / C.NCBI_TRAIN, C.NCBI_LABELS, exclude=train_ids | stop_ids,
                                     stats=ncbi_stats))
        # NCBI marks diseases only: its chemicals are unknown, so non-disease tokens are left missing.
        for doc in extra:
            doc.set_ents(list(doc.ents), default="missing")
        train_docs += extra[:limit] if limit else extra
        info["train"]["NCBI-disease"] = ncbi_stats.as_dict()
    dev_docs = list(C.pubtator_docs(nlp, corpora / C.CDR_TRAIN, C.CDR_LABELS, pmids=stop_ids, stats=dev_stats))
    info["early_stopping"] = {"BC5CDR (last docs of the dev half)": dev_stats.as_dict()}
    C.write_docbin(train_docs, work / "train.spacy")
    C.write_docbin(dev_docs, work / "dev.spacy")
    return info


def build_pico(corpora: Path, work: Path, limit: int = 0, difficulty: bool = False,
               held_out: int = 60, tags: bool = False) -> dict:
    nlp = C.tokenizer_nlp()
    ids = [pmid for pmid, _, _ in C.read_ebm(corpora / C.EBM_TRAIN)]
    stop_ids = set(ids[-held_out:]) if held_out else set()
    train_ids = [p for p in ids if p not in stop_ids]
    if limit:
        train_ids, stop_ids = train_ids[:limit], set(sorted(stop_ids)[:max(2, limit // 4)])
    train_docs = list(C.ebm_docs(nlp, corpora / C.EBM_TRAIN, pmids=set(train_ids)))
    info = {"train": {"EBM-NLP scibert_split/dev.txt": {"documents": len(train_docs)}}}
    extra = []
    if difficulty:
        test_ids = {pmid for pmid, _, _ in C.read_ebm(corpora / C.EBM_TEST)}  # excluded, never trained on
        extra = list(C.difficulty_docs(nlp, corpora, exclude=set(ids) | test_ids))
        extra = extra[:limit] if limit else extra
        info["train"]["ebm_nlp_difficulty (interventions only)"] = {"documents": len(extra)}
    dev_docs = list(C.ebm_docs(nlp, corpora / C.EBM_TRAIN, pmids=stop_ids))
    info["early_stopping"] = {"EBM-NLP scibert_split/dev.txt (last docs)": {"documents": len(dev_docs)}}
    if tags:  # difficulty docs: a 0 label says "not an intervention" (!INT), nothing about P and O
        train_docs, dev_docs = [C.as_tags(d) for d in train_docs], [C.as_tags(d) for d in dev_docs]
        extra = [C.as_tags(d, missing="!INT") for d in extra]
    train_docs += extra
    C.write_docbin(train_docs, work / "train.spacy")
    C.write_docbin(dev_docs, work / "dev.spacy")
    return info


def build_joint(corpora: Path, work: Path, limit: int = 0) -> dict:
    """BC5CDR docs (entities; tags missing) and EBM-NLP docs (PICO tags; entities missing), mixed."""
    chem, pico = work / "chem_disease", work / "pico"
    info = build_chem_disease(corpora, chem, limit=limit)
    for key, value in build_pico(corpora, pico, limit=limit, tags=True).items():
        info[key].update(value)
    for part in ("train", "dev"):
        docs = [doc for folder in (chem, pico) for doc in C.read_docbin(folder / f"{part}.spacy")]
        C.write_docbin(docs, work / f"{part}.spacy")
    return info


# -- training -----------------------------------------------------------------------------------
def train(task: str, corpora: Path, out: Path, work: Optional[Path] = None, limit: int = 0,
          max_steps: Optional[int] = None, eval_frequency: Optional[int] = None,
          extra_data: bool = False, max_minutes: Optional[float] = None,
          overrides: Optional[dict] = None, vectors: Optional[Path] = None) -> dict:
    from spacy.cli.train import train as spacy_train

    cfg_name, model_name = TASKS[task]
    work = Path(work or ROOT / "build" / "ner" / model_name)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    started = time.time()
    if task == "chem-disease":
        info = build_chem_disease(corpora, work, limit=limit, ncbi=extra_data)
    elif task == "joint":
        info = build_joint(corpora, work, limit=limit)
    else:
        info = build_pico(corpora, work, limit=limit, difficulty=extra_data, tags=task == "pico")
    settings = {"paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                "nlp.after_pipeline_creation": {"@callbacks": "extract.numpy_blas.v1"}}
    if vectors is not None:
        settings["paths.vectors"] = str(vectors)
        info["vectors"] = _vectors_info(vectors)
    one_blas_thread()
    if max_steps is not None:
        settings["training.max_steps"] = max_steps
    if eval_frequency is not None:
        settings["training.eval_frequency"] = eval_frequency
    if max_minutes:
        settings["training.before_update"] = {"@callbacks": "extract.time_limit.v1", "minutes": max_minutes}
    settings.update(overrides or {})
    info.update({"task": task, "config": cfg_name,
                 "overrides": {k: v for k, v in settings.items() if not k.startswith("paths.")}})
    (work / "info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    try:
        spacy_train(config_path(cfg_name), work / "training", overrides=settings)
    except TimeLimitReached:
        info["stopped_by_time_limit"] = True
    info["training_seconds"] = round(time.time() - started)
    return finalize(work, out, info)


def finalize(work: Path, out: Path, info: Optional[dict] = None) -> dict:
    """Copy model-best from `work` to `out` with a `training.json` and its word table (word_table.py)
    beside it."""
    from .word_table import write_table

    info = info if info is not None else json.loads((work / "info.json").read_text())
    best = work / "training" / "model-best"
    meta = json.loads((best / "meta.json").read_text())
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(best, out)
    _clean_config(out / "config.cfg")
    info["early_stopping_scores"] = {k: v for k, v in meta.get("performance", {}).items() if k != "ner_loss"}
    table = write_table(out)
    info["word_table"] = len(table) if table is not None else 0
    (out / "training.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def _clean_config(path: Path) -> None:
    """The saved config names no local paths and no extract-only training callback."""
    from thinc.api import Config

    config = Config().from_disk(path, interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config["paths"]["vectors"] = None  # the vectors are saved with the model (vocab/vectors)
    config["training"]["before_update"] = None
    config["nlp"]["after_pipeline_creation"] = None
    config.to_disk(path)


def _vectors_info(vectors: Path) -> dict:
    """What vectors.py recorded about the vectors (words, rows, dims, texts), if it did."""
    info = Path(vectors).parent / "vectors.json"
    return json.loads(info.read_text(encoding="utf-8")) if info.is_file() else {"path": str(vectors)}


@registry.callbacks("extract.numpy_blas.v1")
def numpy_blas():
    """Train on numpy's BLAS too (see extract/ner/ops.py): the same arithmetic, faster here."""
    def after_pipeline_creation(nlp):
        use_numpy_blas(nlp)
        return nlp

    return after_pipeline_creation


class TimeLimitReached(Exception):
    """Raised from a training step once the time budget is spent; model-best is already saved."""


@registry.callbacks("extract.time_limit.v1")
def time_limit(minutes: float):
    deadline = time.time() + 60 * minutes

    def before_update(nlp, args: dict) -> None:
        if time.time() > deadline:
            raise TimeLimitReached(f"time limit of {minutes} minutes reached at step {args.get('step')}")

    return before_update


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.ner.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--out", type=Path, required=True, help="Where the trained pipeline goes.")
    parser.add_argument("--work", type=Path, help="Scratch folder (DocBins, checkpoints).")
    parser.add_argument("--limit", type=int, default=0, help="Train on this many docs only (smoke runs).")
    parser.add_argument("--max-steps", type=int)
    parser.add_argument("--eval-frequency", type=int)
    parser.add_argument("--max-minutes", type=float,
                        help="Stop after this long (model-best so far is kept); the step is logged.")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="Config override, e.g. components.ner.model.tok2vec.encode.depth=2 (repeatable).")
    parser.add_argument("--vectors", type=Path,
                        help="spaCy vectors for configs with static vectors (python -m extract.ner.vectors).")
    parser.add_argument("--extra-data", action="store_true",
                        help="Add NCBI-disease train (chem-disease) or ebm_nlp_difficulty (pico).")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"corpora directory not found: {args.corpora}", file=sys.stderr)
        return 2
    info = train(args.task, args.corpora, args.out, work=args.work, limit=args.limit,
                 max_steps=args.max_steps, eval_frequency=args.eval_frequency, extra_data=args.extra_data,
                 max_minutes=args.max_minutes, overrides=_overrides(args.set), vectors=args.vectors)
    print(json.dumps(info, indent=2))
    return 0


def _overrides(pairs: list[str]) -> dict:
    import ast

    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            out[key] = value
    return out


if __name__ == "__main__":
    sys.exit(main())
