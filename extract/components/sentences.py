"""Sentence boundaries that survive biomedical abbreviations ("vs.", "i.v.", "et al.", "Fig. 2")."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .. import rules


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
        if not len(doc):
            return doc
        doc[0].is_sent_start = True
        after_break = False
        for i in range(1, len(doc)):
            token, prev = doc[i], doc[i - 1]
            if token.is_space:
                token.is_sent_start = False
                after_break = after_break or "\n" in token.text
                continue
            start = after_break or "\n" in prev.whitespace_ or self._ends_sentence(doc, i)
            token.is_sent_start = start
            after_break = False
        return doc

    def _ends_sentence(self, doc: Doc, i: int) -> bool:
        prev = doc[i - 1]
        if prev.text not in self.enders:
            return False
        first = doc[i].text[0]
        if not (first.isupper() or first.isdigit() or first in "([\"'"):
            return False
        if i >= 2 and prev.text == "." and doc[i - 2].lower_.rstrip(".") in self.abbreviations:
            return False
        return True
