"""Build the spaCy pipeline: scispaCy tokenizer, sentences, abbreviations, one component per field."""
from __future__ import annotations

from typing import Optional

import spacy
from spacy.language import Language

# Importing the component modules registers their factories with spaCy.
from .components import FIELD_COMPONENTS  # noqa: F401
from .tokenizer import scispacy_tokenizer

# The sentence, abbreviation, entity and field components, in order; the NER components (shipped
# models, or the one named by `model`) go in just before "extract_entities".
PIPE_NAMES = ("extract_sentences", "extract_abbreviations", "extract_entities", *FIELD_COMPONENTS)


def build_pipeline(model: Optional[str] = None) -> Language:
    """A blank English pipeline with scispaCy's tokenizer and the extract components.

    `model`: None (the NER models shipped in extract/models), "none" (rules only), or an installed
    spaCy pipeline name / pipeline directory to run instead (see `extract.ner.load`); a missing model
    raises `extract.ner.load.ModelNotFoundError`.
    """
    from .guards import BoundedTokenizer
    from .ner.load import add_ner, run_as_extract

    nlp = spacy.blank("en")
    nlp.tokenizer = BoundedTokenizer(scispacy_tokenizer(nlp))  # hostile input: see extract/guards.py
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    add_ner(nlp, model, before="extract_entities")
    run_as_extract(nlp)  # numpy's BLAS, inference forwards, each word embedded once per group
    return nlp
