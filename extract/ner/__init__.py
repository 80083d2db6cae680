"""Statistical NER for `extract`: corpus conversion, training, evaluation and the shipped models.

- `extract.ner.vectors` — static word vectors (gensim word2vec) from training-split text only
- `extract.ner.corpus`  — BC5CDR / NCBI-disease / EBM-NLP → spaCy `Doc`s and `DocBin`s
- `extract.ner.train`   — `python -m extract.ner.train joint|chem-disease|pico --corpora … --out …`
- `extract.ner.evaluate` — `python -m extract.ner.evaluate --corpora …` (test-split scores, words/s)
- `extract.ner.models`  — where the shipped models live, their names and their score files
- `extract.ner.biluo`   — the shipped entity head: a BILUO softmax tagger with constrained decoding
- `extract.ner.load`, `extract.ner.ops` — sourcing the models into the pipeline; their arithmetic
"""
from . import biluo  # noqa: F401  (registers the extract_biluo_ner factory)
from .models import MODELS, ModelInfo, model_path, shipped_models

__all__ = ["MODELS", "ModelInfo", "model_path", "shipped_models"]
