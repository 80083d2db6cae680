"""Statistical NER for `extract`: corpus conversion, training, evaluation and the shipped models.

- `extract.ner.corpus`  — BC5CDR / NCBI-disease / EBM-NLP → spaCy `Doc`s and `DocBin`s
- `extract.ner.train`   — `python -m extract.ner.train chem-disease|pico --corpora … --out …`
- `extract.ner.evaluate` — `python -m extract.ner.evaluate --corpora …` (test-split scores, words/s)
- `extract.ner.models`  — where the shipped models live, their names and their score files
"""
from . import biluo  # noqa: F401  (registers the extract_biluo_ner factory)
from .models import MODELS, ModelInfo, model_path, shipped_models

__all__ = ["MODELS", "ModelInfo", "model_path", "shipped_models"]
