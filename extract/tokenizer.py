"""The extract tokenizer: scispaCy's rule tokenizer, also registered for spaCy training configs.

A model must be trained on the tokens it will see: the NER configs name `extract.tokenizer.v1` as
`[nlp.tokenizer]`, so spaCy's training corpus re-tokenizes every text with it (spaCy's default English
tokenizer splits "heparin-induced" into three tokens, ours keeps one). It is also a `spacy_tokenizers`
entry point, so a plain `spacy.load` of a shipped model builds this tokenizer.
"""
from __future__ import annotations

import warnings
from typing import Callable

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry


def scispacy_tokenizer(nlp: Language) -> Tokenizer:
    """scispaCy's `combined_rule_tokenizer` for `nlp`'s vocab."""
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    with warnings.catch_warnings():  # scispaCy's prefix regex triggers a harmless FutureWarning
        warnings.simplefilter("ignore", FutureWarning)
        return combined_rule_tokenizer(nlp)


@registry.tokenizers("extract.tokenizer.v1")
def make_tokenizer() -> Callable[[Language], Tokenizer]:
    def create(nlp: Language) -> Tokenizer:
        # While spaCy builds a pipeline from its config there is no tokenizer yet, and scispaCy's
        # reads the language's default one (its `token_match`): give it that default first.
        if not hasattr(nlp, "tokenizer"):
            nlp.tokenizer = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        return scispacy_tokenizer(nlp)

    return create
