"""Build the spaCy pipeline: scispaCy tokenizer, sentences, abbreviations, one component per field."""
from __future__ import annotations

import warnings

import spacy
from spacy.language import Language

# Importing the component modules registers their factories with spaCy.
from .components import FIELD_COMPONENTS  # noqa: F401

# The sentence, abbreviation and field components, in order.
PIPE_NAMES = ("extract_sentences", "abbreviation_detector", *FIELD_COMPONENTS)


def _tokenizer(nlp: Language):
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    with warnings.catch_warnings():  # scispaCy's prefix regex triggers a harmless FutureWarning
        warnings.simplefilter("ignore", FutureWarning)
        return combined_rule_tokenizer(nlp)


def build_pipeline() -> Language:
    """A blank English pipeline with scispaCy's tokenizer and the extract components."""
    warnings.filterwarnings("ignore", message=r"\[W036\]")  # scispaCy adds an empty matcher
    import scispacy.abbreviation  # noqa: F401  (registers "abbreviation_detector")

    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp
