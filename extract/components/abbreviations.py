"""Abbreviation definitions, "long form (SF)" and "SF (long form)": scispaCy's detector on token strings.

`extract_abbreviations` finds what scispaCy's `AbbreviationDetector` finds (Schwartz & Hearst 2003,
as scispaCy implements it: the same candidates, filters, character walk and first-definition-wins
rules) and sets the same `doc._.abbreviations` (short-form Spans whose `._.long_form` is the long-form
Span), but reads the tokens' strings once instead of building Token and Span objects for every
candidate, and finds the other mentions of each short form in those strings. The bracket pairs come
from their positions (`ParenthesisPairs`), at most 8 tokens apart: scispaCy's Matcher took any number
(every pair of a document: quadratic in brackets) and its own filter then dropped the longer ones.
Short forms are listed by long form (in the order they were defined), then by position; scispaCy
lists a long form's short forms in the order of a Python set of Spans, which varies from run to run.
"""
from __future__ import annotations

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import doc_spaces, doc_text, doc_texts, keep_abbreviation_chars
from .tokens import char_edges

MAX_INSIDE = 8  # tokens between the brackets; scispaCy drops longer candidates


@Language.factory("extract_abbreviations")
def make_abbreviations(nlp: Language, name: str) -> "Abbreviations":
    return Abbreviations(nlp.vocab)


class Abbreviations:
    """Sets `doc._.abbreviations`: each short form found (definition and other mentions), with its
    `._.long_form`."""

    def __init__(self, vocab):
        Doc.set_extension("abbreviations", default=[], force=True)
        Span.set_extension("long_form", default=None, force=True)
        self.matcher = ParenthesisPairs(vocab)

    def __call__(self, doc: Doc) -> Doc:
        pairs = self.matcher(doc)
        if not pairs:
            return doc
        words = _Words(doc)
        found: dict[tuple[int, int], dict[tuple[int, int], None]] = {}  # long form -> its short forms
        seen_long, seen_short, sequences = set(), set(), []
        for long, short in self._candidates(words, pairs):
            long = _long_form(words, long, short)
            if long is None or long[1] <= long[0]:
                continue
            long_text, short_text = words.text(*long), words.text(*short)
            if long_text in seen_long or short_text in seen_short:
                continue
            seen_long.add(long_text)
            seen_short.add(short_text)
            found[long] = {short: None}
            sequences.append((long, tuple(words.texts[short[0]:short[1]])))
        if sequences:
            for long, start, end in _occurrences(words.texts, sequences):
                found[long][(start, end)] = None
        out, chars = doc._.abbreviations, []
        starts, ends = words.starts, words.ends
        for (ls, le), shorts in found.items():
            long_span = doc[ls:le]
            for start, end in sorted(shorts):
                short_span = doc[start:end]
                short_span._.long_form = long_span
                out.append(short_span)
                chars.append((starts[start], ends[end - 1], starts[ls], ends[le - 1]))
        keep_abbreviation_chars(doc, chars)
        return doc

    @staticmethod
    def _candidates(words: "_Words", pairs) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """(long-form candidate, short-form candidate) token ranges, as scispaCy's filter_matches."""
        out = []
        for _, start, end in pairs:
            start, end = start + 1, end - 1  # inside the brackets
            if end - start > MAX_INSIDE or start == 1:
                continue
            if end - start > 3:  # "SF (long form)": the word before the bracket
                short, long = (start - 2, start - 1), (start, end)
                if _unbalanced(words.texts[start:end]):
                    continue
            else:  # "long form (SF)": up to min(|SF| + 5, |SF| * 2) words before
                short = (start, end)
                size = sum(len(t) for t in words.texts[start:end])
                long = (max(start - min(size + 5, size * 2) - 1, 0), start - 1)
            if _short_form(words, *short):
                out.append((long, short))
        return out


class ParenthesisPairs:
    """The matches of a Matcher with the pattern "(" + 1..8 tokens + ")", in the Matcher's order (by
    end, then latest start first): (key, start, end) for every "(" token 3 to 10 tokens before the
    end of a ")" token."""

    def __init__(self, vocab, key: str = "parenthesis"):
        self.key = vocab.strings.add(key)
        self.open, self.close = vocab.strings.add("("), vocab.strings.add(")")

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        orths = doc.to_array(ORTH).tolist()
        if self.open not in orths:
            return []
        out = []
        for end, orth in enumerate(orths, 1):
            if orth == self.close:
                out.extend((self.key, start, end) for start in range(end - 3, max(end - 11, -1), -1)
                           if orths[start] == self.open)
        return out


class _Words:
    """A document's token texts and trailing spaces, and span texts cut from its cached text."""

    def __init__(self, doc: Doc):
        self.texts, self.spaces = doc_texts(doc), doc_spaces(doc)
        self.whole, (self.starts, self.ends) = doc_text(doc), char_edges(doc)

    def text(self, start: int, end: int) -> str:
        """`doc[start:end].text`."""
        return self.whole[self.starts[start]:self.ends[end - 1]] if end > start else ""


def _unbalanced(texts: list[str]) -> bool:
    depth = 0
    for text in texts:
        if text == "(":
            depth += 1
        elif text == ")":
            if depth == 0:
                return True
            depth -= 1
    return depth != 0


def _short_form(words: _Words, start: int, end: int) -> bool:
    """scispaCy's short_form_filter: every word 2-9 characters, at least half the text letters, a
    letter first."""
    if not all(2 <= len(t) < 10 for t in words.texts[start:end]):
        return False
    text = words.text(start, end)
    return sum(c.isalpha() for c in text) / len(text) >= 0.5 and text[0].isalpha()


def _long_form(words: _Words, long: tuple[int, int], short: tuple[int, int]):
    """scispaCy's find_abbreviation: the long form's token range, or None. Each character of the
    short form (right to left, letters and digits only) is found in the candidate's words joined by
    spaces, its first character at the start of a word; the long form starts at the token that holds
    the character position reached (counted with each token's own trailing space)."""
    texts = words.texts
    long_form = " ".join(texts[long[0]:long[1]])
    short_form = " ".join(texts[short[0]:short[1]])
    long_index, short_index = len(long_form) - 1, len(short_form) - 1
    while short_index >= 0:
        char = short_form[short_index].lower()
        if not char.isalnum():
            short_index -= 1
            continue
        while ((long_index >= 0 and long_form[long_index].lower() != char)
               or (short_index == 0 and long_index > 0 and long_form[long_index - 1].isalnum())):
            long_index -= 1
        if long_index < 0:
            return None
        long_index -= 1
        short_index -= 1
    long_index += 1
    length = 0
    for i in range(long[0], long[1]):
        length += len(texts[i]) + words.spaces[i]
        if length > long_index:
            return i, long[1]
    return long


def _occurrences(texts: list[str], sequences: list) -> list[tuple[tuple[int, int], int, int]]:
    """Every occurrence of each short form's token sequence in `texts`: (its long form, start, end)."""
    firsts = {sequence[0] for _, sequence in sequences}
    starts: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        if text in firsts:
            starts.setdefault(text, []).append(i)
    out = []
    for long, sequence in sequences:
        size = len(sequence)
        out.extend((long, i, i + size) for i in starts.get(sequence[0], ())
                   if tuple(texts[i:i + size]) == sequence)
    return out
