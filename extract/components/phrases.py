"""Reading candidate phrases off tokens: forward to a boundary word, trimmed, split into lists.

The readers work on `Tokens` (plain per-document lists) and token ranges `(start, end)`: `doc[start:end]`."""
from __future__ import annotations

from typing import Iterable, Optional

from .tokens import JOINERS, SPACE, STOP, Tokens

Range = tuple  # (start, end) token indices: doc[start:end]


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

    def read(self, toks: Tokens, start: int, end: int) -> Optional[Range]:
        """The phrase starting at token `start` (leading drop-words skipped) as a token range, or None."""
        lowers, texts = toks.lowers, toks.texts
        i = start
        while i < end and lowers[i] in self.leading_drop:
            i += 1
        j, limit = i, min(end, i + self.max_tokens)
        while j < limit:
            if self.allow_brackets and texts[j] == "(":
                close = _closing(toks, j, end)
                if close is None:
                    break
                j = close + 1
                continue
            if toks.flags(j) & STOP:
                break
            lower = lowers[j]
            if lower in self.keep:
                if self._stops(toks, j, end):
                    break
            elif lower in self.boundary:
                break
            j += 1
        while j > i and (lowers[j - 1] in self.keep or texts[j - 1] in JOINERS):
            j -= 1
        return (i, j) if j > i else None

    def _stops(self, toks: Tokens, j: int, end: int) -> bool:
        if toks.flags(j) & STOP:
            return True
        lower = toks.lowers[j]
        if lower in self.keep:  # a run of keep-words stays when a content word follows it
            k = j + 1
            while k < end and toks.lowers[k] in self.keep:
                k += 1
            return k >= end or self._stops(toks, k, end)
        return lower in self.boundary


def _closing(toks: Tokens, j: int, end: int, longest: int = 6) -> Optional[int]:
    for k in range(j + 1, min(end, j + longest + 1)):
        if toks.texts[k] == ")":
            return k if k > j + 1 else None
        if toks.texts[k] == "(" or toks.flags(k) & SPACE:
            return None
    return None


def split_range(toks: Tokens, start: int, end: int,
                conjunctions: frozenset = frozenset({"and", "or", ","})) -> list[Range]:
    """Split "A, B, and C" (tokens start:end) into its members (brackets kept whole)."""
    parts, depth, begin = [], 0, start
    lowers = toks.lowers
    for k in range(start, end):
        text = lowers[k]
        depth += (text == "(") - (text == ")")
        if depth == 0 and text in conjunctions:
            if k > begin:
                parts.append((begin, k))
            begin = k + 1
    if end > begin:
        parts.append((begin, end))
    return parts

