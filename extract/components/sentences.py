"""Sentence boundaries that survive biomedical abbreviations ("vs.", "i.v.", "et al.", "Fig. 2")."""
from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from .extensions import doc_texts


@Language.factory("extract_sentences", default_config={"rules": "sentences.yml"})
def make_sentences(nlp: Language, name: str, rules: str) -> "SentenceSegmenter":
    return SentenceSegmenter(rules)


class SentenceSegmenter:
    """Sets `is_sent_start`: after a line break, and after a sentence-final mark that is followed by
    a capital, a digit or a bracket and not preceded by a known abbreviation."""

    def __init__(self, rules_file: str = "sentences.yml"):
        data = rules.load(rules_file)
        self.abbreviations = frozenset(a.lower() for a in data["abbreviations"])
        self.enders = frozenset(data["sentence_enders"])

    def __call__(self, doc: Doc) -> Doc:
        # Plain strings and one `from_array` call: setting `is_sent_start` token by token costs a
        # Token object per access, which made this the slowest step after the tokenizer.
        n = len(doc)
        if not n:
            return doc
        texts = doc_texts(doc)
        starts = [-1] * n
        starts[0] = 1
        # Only a token after a sentence-final mark or after whitespace can open a sentence: one after
        # a line break (in the run of space tokens before it), or one `_ends_sentence` accepts.
        # (a token's trailing whitespace is at most one " ": line breaks are space tokens)
        enders = self.enders
        after_break = False
        for i in [i for i, text in enumerate(texts, 1) if text in enders or text.isspace()]:
            if i >= n:
                break
            prev, text = texts[i - 1], texts[i]
            if prev.isspace():  # (the first token is never taken as a break)
                after_break = after_break or (i > 1 and "\n" in prev)
            else:
                after_break = False
            if text.isspace():  # Token.is_space
                continue
            if after_break or self._ends_sentence(texts, i):
                starts[i] = 1
            after_break = False
        doc.from_array([SENT_START], numpy.array(starts, dtype=numpy.int64).astype(numpy.uint64))
        return doc

    def _ends_sentence(self, texts: list[str], i: int) -> bool:
        prev = texts[i - 1]
        if prev not in self.enders:
            return False
        first = texts[i][0]
        if not (first.isupper() or first.isdigit() or first in "([\"'"):
            return False
        if i >= 2 and prev == "." and texts[i - 2].lower().rstrip(".") in self.abbreviations:
            return False
        return True
