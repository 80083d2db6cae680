"""Reading candidate phrases off tokens: forward to a boundary word, trimmed, split into lists."""
from __future__ import annotations

from typing import Iterable, Optional

from spacy.tokens import Doc, Span, Token

JOINERS = frozenset("-/'’+")


class PhraseReader:
    """Extends a phrase from a token up to a boundary word, punctuation or number.

    `allow_brackets` keeps a short bracketed abbreviation inside the phrase ("... Scale (ALSFRS-R) score").
    `keep` holds boundary words that may stay inside a phrase when a content word follows ("rate of change").
    """

    def __init__(self, boundary_words: Iterable[str], leading_drop: Iterable[str] = (),
                 max_tokens: int = 12, allow_brackets: bool = False, keep: Iterable[str] = ()):
        self.boundary = frozenset(w.lower() for w in boundary_words)
        self.leading_drop = frozenset(w.lower() for w in leading_drop)
        self.keep = frozenset(w.lower() for w in keep)
        self.max_tokens = max_tokens
        self.allow_brackets = allow_brackets

    def forward(self, doc: Doc, start: int, end: Optional[int] = None) -> Optional[Span]:
        """The phrase starting at token `start` (leading drop-words skipped), or None."""
        end = len(doc) if end is None else end
        i = start
        while i < end and doc[i].lower_ in self.leading_drop:
            i += 1
        j = i
        while j < end and j - i < self.max_tokens:
            token = doc[j]
            if self.allow_brackets and token.text == "(":
                close = self._closing(doc, j, end)
                if close is None:
                    break
                j = close + 1
                continue
            if self._stops(doc, j, end):
                break
            j += 1
        while j > i and (doc[j - 1].lower_ in self.keep or doc[j - 1].text in JOINERS):
            j -= 1
        return doc[i:j] if j > i else None

    def _stops(self, doc: Doc, j: int, end: int) -> bool:
        token = doc[j]
        if token.is_space or token.like_num or token.is_currency:
            return True
        if token.is_punct and token.text not in JOINERS:
            return True
        lower = token.lower_
        if lower in self.keep:  # a run of keep-words stays when a content word follows it
            k = j + 1
            while k < end and doc[k].lower_ in self.keep:
                k += 1
            return k >= end or self._stops(doc, k, end)
        return lower in self.boundary

    @staticmethod
    def _closing(doc: Doc, j: int, end: int, longest: int = 6) -> Optional[int]:
        for k in range(j + 1, min(end, j + longest + 1)):
            if doc[k].text == ")":
                return k if k > j + 1 else None
            if doc[k].text == "(" or doc[k].is_space:
                return None
        return None


def token_at(doc: Doc, char: int) -> Optional[Token]:
    """The token starting at or covering character `char`."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def split_list(span: Span, conjunctions: frozenset = frozenset({"and", "or", ","})) -> list[Span]:
    """Split "A, B, and C" into its members (brackets kept whole)."""
    parts, depth, begin = [], 0, span.start
    doc = span.doc
    for k in range(span.start, span.end):
        text = doc[k].lower_
        depth += (text == "(") - (text == ")")
        if depth == 0 and text in conjunctions:
            if k > begin:
                parts.append(doc[begin:k])
            begin = k + 1
    if span.end > begin:
        parts.append(doc[begin:span.end])
    return parts
