"""The token facts the phrase readers use, as plain lists computed once per document.

A `Token` or `Span` object per access costs more than the work done with it, so the interventions
and endpoints components read token strings, character offsets, lexical flags and sentence
boundaries from `Tokens(doc)`, and name phrases by token ranges `(start, end)` (`doc[start:end]`).
"""
from __future__ import annotations

from bisect import bisect_right
from operator import add
from typing import Optional

from spacy.attrs import IDX
from spacy.tokens import Doc

from .extensions import doc_lowers, doc_text, doc_texts

JOINERS = frozenset("-/'’+")  # punctuation that stays inside a phrase
_EDGES, _SENTS = "extract.edges", "extract.sents"
_AFTER_ANY = float("inf")  # (i, _AFTER_ANY) sorts after every sentence (i, end)

# Lexical flags of a token string (`Token.is_space`, …: flags of its lexeme, one per string).
STOP = 1   # space, like a number, currency, or punctuation other than JOINERS: a phrase ends there
LOWER_ALPHA = 2  # `is_lower and is_alpha`
SPACE = 4  # `is_space`
PUNCT = 8  # `is_punct`, other than "-", "/" and "'" (a condition phrase ends there; numbers stay)
_FLAGS: list = [None, {}]  # the vocabulary the flags were read from, and string -> flags


def char_edges(doc: Doc) -> tuple[list[int], list[int]]:
    """The character offsets where each token starts, and where it ends (computed once per document)."""
    edges = doc.user_data.get(_EDGES)
    if edges is None or len(edges[0]) != len(doc):
        starts = doc.to_array(IDX).tolist() if len(doc) else []
        edges = doc.user_data[_EDGES] = (starts, list(map(add, starts, map(len, doc_texts(doc)))))
    return edges


def sentences(doc: Doc) -> list[tuple[int, int]]:
    """The token ranges `(span.start, span.end)` of `doc.sents`, computed once per document (the
    design, p-value, sample-size, intervention and endpoint components all read them); the whole
    doc as one sentence when no sentence boundaries are set."""
    found = doc.user_data.get(_SENTS)
    if found is None or (found and found[-1][1] != len(doc)):
        found = [(s.start, s.end) for s in doc.sents] if doc.has_annotation("SENT_START") else [(0, len(doc))]
        doc.user_data[_SENTS] = found
    return found


def sentence_chars(doc: Doc) -> list[tuple[int, int]]:
    """`(span.start_char, span.end_char)` of each of `sentences(doc)`."""
    starts, ends = char_edges(doc)
    return [(starts[first], ends[last - 1]) for first, last in sentences(doc)]


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """`sentence_chars(doc)`; the whole text as one sentence when the doc is empty or has no
    sentence boundaries (the p-value and sample-size patterns read text, not tokens)."""
    if not len(doc) or not doc.has_annotation("SENT_START"):
        return [(0, len(doc_text(doc)))]
    return sentence_chars(doc)


class Tokens:
    """One document's tokens: `texts`, `lowers`, `starts`/`ends` (character offsets into `text`) and
    `sentences`, the token ranges of `doc.sents`; `flags(i)` gives a token's STOP, LOWER_ALPHA, SPACE,
    PUNCT."""

    __slots__ = ("doc", "n", "text", "texts", "lowers", "starts", "ends", "sentences", "_flags")

    def __init__(self, doc: Doc):
        self.doc, self.n = doc, len(doc)
        self.text, self.texts, self.lowers = doc_text(doc), doc_texts(doc), doc_lowers(doc)
        self.starts, self.ends = char_edges(doc)
        self.sentences = sentences(doc)
        if _FLAGS[0] is not doc.vocab:
            _FLAGS[:] = [doc.vocab, {}]
        self._flags = _FLAGS[1]

    def flags(self, i: int) -> int:
        """STOP, LOWER_ALPHA, SPACE and PUNCT of token `i`."""
        text = self.texts[i]
        found = self._flags.get(text)
        if found is None:
            if len(self._flags) >= 500_000:
                self._flags.clear()
            lex = self.doc.vocab[text]
            stop = lex.is_space or lex.like_num or lex.is_currency or (lex.is_punct and text not in JOINERS)
            found = self._flags[text] = (STOP * stop + LOWER_ALPHA * (lex.is_lower and lex.is_alpha)
                                         + SPACE * lex.is_space + PUNCT * (lex.is_punct and text not in "-/'"))
        return found

    def char_span(self, start: int, end: int) -> Optional[tuple[int, int]]:
        """`doc.char_span(start, end, alignment_mode="expand")` as a token range.

        The tokens and their trailing whitespace tile the text, so the token "covering" a character
        (spaCy's `token_by_char`) is the last one starting at or before it."""
        if start >= end:  # (not asked for by the components; spaCy's answer)
            span = self.doc.char_span(start, end, alignment_mode="expand")
            return None if span is None else (span.start, span.end)
        if start < 0 or end > len(self.text):
            return None
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1, first) - 1
        if start == self.ends[first]:  # on the first token's trailing space: the span starts after it
            first += 1
        return first, last + 1

    def aligned(self, start: int, end: int) -> bool:
        """Whether `doc.char_span(start, end)` (strict) is a span."""
        if start >= end:  # (spaCy's answer)
            return self.doc.char_span(start, end) is not None
        if start < 0 or end > len(self.text):
            return False
        first = bisect_right(self.starts, start) - 1
        last = bisect_right(self.starts, end - 1, first) - 1
        return self.starts[first] == start and self.ends[last] == end

    def token_at(self, char: int) -> Optional[int]:
        """The token starting at or covering character `char` (not its trailing space), or None."""
        if char < 0 or char >= len(self.text):
            return None
        i = bisect_right(self.starts, char) - 1
        return i if char < self.ends[i] else None

    def span_text(self, start: int, end: int) -> str:
        """`doc[start:end].text`."""
        end = min(end, self.n)
        return self.text[self.starts[start]:self.ends[end - 1]] if start < end else ""

    def sentence(self, i: int) -> int:
        """The number of the sentence holding token `i`."""
        return max(bisect_right(self.sentences, (i, _AFTER_ANY)) - 1, 0)
