"""Guards that keep hostile text from hanging the pipeline (see README, "Bad input").

- `BoundedTokenizer`: spaCy's tokenizer strips prefixes and suffixes one at a time, re-searching the
  rest of the chunk each time, so a whitespace-free run of punctuation ("((((...", "....", quote marks) costs
  time quadratic in its length (8,000 brackets: ~25 s). Runs longer than `MAX_RUN` characters are
  cut into `PIECE`-character pieces tokenized separately; the Doc's text is unchanged (every span
  still indexes it), and text without such runs is tokenized exactly as before.
- The abbreviation finder (`components/abbreviations.py`) takes at most 8 tokens between brackets
  (`ParenthesisPairs` there): scispaCy's detector matched "(" + any tokens + ")", every (open, close)
  pair of a document, quadratic in brackets, and then dropped each match with more than 8 inside.
"""
from __future__ import annotations

import regex
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

