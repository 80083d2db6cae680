"""The NER models shipped inside the package (`extract/models/<name>/`) and their score files."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
SCORES_FILE = "scores.json"


@dataclass(frozen=True)
class ModelInfo:
    name: str            # directory under extract/models/
    pipe_name: str       # the name its component(s) get inside the extract pipeline (a prefix for several)
    labels: tuple[str, ...]
    corpora: str         # what it was trained on (attribution in the README)
    config: str          # the training config, in configs/
    measures: tuple[str, ...] = ()  # the test-split evaluations that apply (extract.ner.evaluate)


_CDR = ("BC5CDR (BioCreative V CDR) CDR_TrainingSet: official train + dev halves, the last 100 dev-half "
        "docs kept for early stopping; NCBI public-domain notice")
_EBM = ("EBM-NLP crowd-labelled docs, scibert_split/dev.txt (900 of 960; the last 60 kept for early "
        "stopping); cite Nye et al., ACL 2018")

# The models extract can ship (`python -m extract.ner.train <task>` builds each); the ones present in
# extract/models/ run, in this order.
MODELS = {
    "chem_disease_pico": ModelInfo(
        name="chem_disease_pico", pipe_name="ner",
        labels=("CHEMICAL", "DISEASE", "PARTICIPANTS", "INTERVENTION", "OUTCOME"),
        corpora=f"{_CDR}; {_EBM}; static vectors from training-split text only (extract.ner.vectors)",
        config="ner_joint.cfg", measures=("chem_disease", "pico")),  # one tok2vec, NER + PICO tagger
    "chem_disease": ModelInfo(
        name="chem_disease", pipe_name="ner_chem_disease", labels=("CHEMICAL", "DISEASE"),
        corpora=_CDR, config="ner_chem_disease.cfg", measures=("chem_disease",)),
    "pico": ModelInfo(
        name="pico", pipe_name="ner_pico", labels=("PARTICIPANTS", "INTERVENTION", "OUTCOME"),
        corpora=_EBM, config="pico_tagger.cfg", measures=("pico",)),  # PAR/INT/OUT/O tag runs become spans
}


def model_path(name: str) -> Path:
    return MODELS_DIR / name


def is_installed(name: str) -> bool:
    return (model_path(name) / "config.cfg").is_file()


def shipped_models() -> list[ModelInfo]:
    """The shipped models that are present, in pipeline order."""
    return [info for info in MODELS.values() if is_installed(info.name)]


def read_scores(name: str) -> Optional[dict]:
    path = model_path(name) / SCORES_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
