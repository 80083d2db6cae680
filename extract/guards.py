"""Guards that keep hostile text from hanging the pipeline (see README, "Bad input").

- `BoundedTokenizer`: spaCy's tokenizer strips prefixes and suffixes one at a time, re-searching the
  rest of the chunk each time, so a whitespace-free run of punctuation ("((((...", "....", quote marks) costs
  time quadratic in its length (8,000 brackets: ~25 s). Runs longer than `MAX_RUN` characters are
  cut into `PIECE`-character pieces tokenized separately; the Doc's text is unchanged (every span
  still indexes it), and text without such runs is tokenized exactly as before.
- `bound_abbreviation_matcher`: scispaCy's abbreviation detector matches "(" + any tokens + ")",
  which yields every (open, close) pair of a document: quadratic in brackets, billions of matches for
  a run of them. Its own filter drops every match with more than 8 tokens inside, so matching at
  most 8 gives the same abbreviations at linear cost. The pairs are found from the brackets'
  positions (`ParenthesisPairs`), in the Matcher's order, without running a Matcher over every token.
  Its second Matcher, which finds the other mentions of each short form, is replaced the same way
  (`TokenSequences`: the same matches in the same order; a speed-up, not a guard).
"""
from __future__ import annotations

import regex
from spacy.language import Language
from spacy.attrs import ORTH
from spacy.tokens import Doc

MAX_RUN = 400   # a whitespace-free run longer than this is no word of an abstract
PIECE = 200
_LONG_RUN = regex.compile(rf"(?<!\S)\S{{{MAX_RUN + 1},}}+")


_NOT_REGEX_SPACE = ("\x1c", "\x1d", "\x1e", "\x1f")  # str.split() splits there, regex's \s does not


def _may_have_long_run(text: str) -> bool:
    """Cheap test before `_LONG_RUN` (a regex scan costs 0.2 ms on an abstract): False when no
    whitespace-free run can be longer than MAX_RUN."""
    if len(text) <= MAX_RUN:
        return False
    return max(map(len, text.split()), default=0) > MAX_RUN or any(c in text for c in _NOT_REGEX_SPACE)


class BoundedTokenizer:
    """Wraps a spaCy tokenizer: same tokens, but no whitespace-free run is longer than MAX_RUN."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        runs = list(_LONG_RUN.finditer(text)) if _may_have_long_run(text) else []
        if not runs:
            return self.tokenizer(text)
        pieces, start = [], 0
        for run in runs:
            if run.start() > start:
                pieces.append(text[start:run.start()])
            pieces += [text[i:min(i + PIECE, run.end())] for i in range(run.start(), run.end(), PIECE)]
            start = run.end()
        if start < len(text):
            pieces.append(text[start:])
        doc = Doc.from_docs([self.tokenizer(piece) for piece in pieces], ensure_whitespace=False)
        assert doc.text == text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name):  # add_special_case, explain, to_disk, vocab...
        return getattr(self.tokenizer, name)


def bound_abbreviation_matcher(nlp: Language, name: str = "abbreviation_detector") -> None:
    """Give scispaCy's abbreviation detector a "(" + 1..8 tokens + ")" pattern, and a faster finder
    of its short forms' other mentions (see module doc)."""
    if name not in nlp.pipe_names:
        return
    detector = nlp.get_pipe(name)
    detector.matcher = ParenthesisPairs(nlp.vocab)
    detector.global_matcher = TokenSequences(nlp.vocab)


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


class TokenSequences:
    """What scispaCy's detector asks of its `global_matcher` (a Matcher it fills, per document, with
    one exact token sequence per short form, runs, then empties), with the same matches in the same
    order (by end, then earliest start first), read from the document's ORTH array: a spaCy Matcher
    walks every token as a Python object, which was half of the detector's time."""

    def __init__(self, vocab):
        self.vocab = vocab
        self._sequences: dict[int, list[tuple[int, ...]]] = {}

    def add(self, key: str, patterns: list[list[dict]]) -> None:
        strings = self.vocab.strings
        self._sequences.setdefault(strings.add(key), []).extend(
            tuple(strings.add(token["ORTH"]) for token in pattern) for pattern in patterns)

    def remove(self, key: str) -> None:
        del self._sequences[self.vocab.strings[key]]

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if not self._sequences:
            return []
        orths = doc.to_array(ORTH).tolist()
        starts: dict[int, list[int]] = {}
        firsts = {sequence[0] for sequences in self._sequences.values() for sequence in sequences}
        for i, orth in enumerate(orths):
            if orth in firsts:
                starts.setdefault(orth, []).append(i)
        out = []
        for key, sequences in self._sequences.items():
            for sequence in sequences:
                size = len(sequence)
                out.extend((key, i, i + size) for i in starts.get(sequence[0], ())
                           if tuple(orths[i:i + size]) == sequence)
        out.sort(key=lambda match: (match[2], match[1]))
        return out
