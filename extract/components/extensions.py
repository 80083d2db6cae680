"""The `Doc._` attributes the field components fill, and the evidence spans they carry."""
from __future__ import annotations

import functools

import regex
from spacy.attrs import LOWER, ORTH, SPACY
from spacy.tokens import Doc

from ..schema import Span

# Set by the Extractor before the pipeline runs.
INPUTS = ("publication_types",)
# Filled by one field component each (schema objects: Design, SampleSize, lists of items).
OUTPUTS = ("design", "sample_size", "interventions", "endpoints", "p_values", "conditions")
# Filled by `extract_entities`: the statistical NER spans as (start, end, LABEL) tuples.
NER = ("entities",)

for _name in INPUTS + OUTPUTS + NER:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def abbreviations(doc: Doc) -> list:
    """The short forms (Spans with `._.long_form`) scispaCy's abbreviation detector found; an empty
    list when it did not run."""
    return getattr(doc._, "abbreviations", None) or []


_ABBREVIATION_CHARS = "extract.abbreviation_chars"


def abbreviation_chars(doc: Doc) -> list[tuple[int, int, int, int]]:
    """`abbreviations(doc)` as character offsets `(short start, short end, long start, long end)`,
    in the same order: kept by our abbreviation finder as it sets them (reading `._.long_form` costs
    an object per access), else read from the Spans (another detector's)."""
    found = doc.user_data.get(_ABBREVIATION_CHARS)
    if found is None:
        found = [(s.start_char, s.end_char, s._.long_form.start_char, s._.long_form.end_char)
                 for s in abbreviations(doc)]
    return found


def keep_abbreviation_chars(doc: Doc, found: list[tuple[int, int, int, int]]) -> None:
    """Store what `abbreviation_chars(doc)` returns (by the finder that set `doc._.abbreviations`)."""
    doc.user_data[_ABBREVIATION_CHARS] = found


_TEXT = "extract.text"
_SPACES = "extract.spaces"


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once per document: spaCy rebuilds it from every token on each access.
    (Built the way spaCy does, each token's text and its trailing space, from the cached strings.)"""
    text = doc.user_data.get(_TEXT)
    if text is None:
        spaces = doc.user_data[_SPACES] = doc.to_array(SPACY).tolist() if len(doc) else []
        text = doc.user_data[_TEXT] = "".join([t + " " if s else t for t, s in zip(doc_texts(doc), spaces)])
    return text


def keep_text(doc: Doc, text: str) -> None:
    """Give `doc_text(doc)` the text `doc` was tokenized from: spaCy's tokenizer loses no character
    (`doc.text == text`), so it need not be rebuilt from the tokens."""
    doc.user_data[_TEXT] = text


def doc_spaces(doc: Doc) -> list[int]:
    """Whether each token has a trailing space (1 or 0), computed once per document."""
    spaces = doc.user_data.get(_SPACES)
    if spaces is None or len(spaces) != len(doc):
        spaces = doc.user_data[_SPACES] = doc.to_array(SPACY).tolist() if len(doc) else []
    return spaces


_LOWERS = "extract.lowers"
_TEXTS = "extract.texts"
_STRINGS: dict[int, str] = {}  # string hash -> string, across documents


def doc_lowers(doc: Doc) -> list[str]:
    """`token.lower_` of every token, computed once per document."""
    return _token_strings(doc, _LOWERS, LOWER)


def doc_texts(doc: Doc) -> list[str]:
    """`token.text` of every token, computed once per document."""
    return _token_strings(doc, _TEXTS, ORTH)


def _token_strings(doc: Doc, key: str, attr: int) -> list[str]:
    """A string attribute of every token, from the attribute's hashes (no Token objects), cached."""
    values = doc.user_data.get(key)
    if values is None or len(values) != len(doc):
        hashes = doc.to_array(attr).tolist() if len(doc) else []
        if len(_STRINGS) >= 500_000:
            _STRINGS.clear()
        values = list(map(_STRINGS.get, hashes))
        if None in values:
            strings = doc.vocab.strings
            for h in set(hashes).difference(_STRINGS):
                _STRINGS[h] = strings[h]
            values = list(map(_STRINGS.__getitem__, hashes))
        doc.user_data[key] = values
    return values


def span_text(span) -> str:
    """`span.text` (a sentence, a phrase) cut from the cached document text, not rebuilt token by token."""
    return doc_text(span.doc)[span.start_char:span.end_char]


def evidence(doc: Doc, start: int, end: int) -> Span:
    """The evidence span for characters `start:end` of the document text."""
    return Span(start=start, end=end, text=doc_text(doc)[start:end])


_CASEFOLDED: list = [None, ""]  # the last text asked about, and its case folding


def casefolded(text: str) -> str:
    """`text.casefold()`, kept for the last text asked about: the literal gates and name tests of
    several components fold the same document text."""
    if _CASEFOLDED[0] is not text:
        _CASEFOLDED[:] = [text, text.casefold()]
    return _CASEFOLDED[1]


_FOLDED: list = [None, "", False]  # the last text asked about, its case folding, whether it is plain
_WORD_CHAR = regex.compile(r"\w")
# The characters outside ASCII that `regex` matches to an ASCII letter ignoring case (İ ı ſ and the Kelvin sign U+212A), or that
# case-fold to ASCII letters (ß ŉ ǰ ẖ ẗ ẘ ẙ ẚ ẞ and the ligatures ﬀ-ﬆ): found by trying every character.
_ASCII_LOOKALIKES = regex.compile("[ßİıŉſǰẖẗẘẙẚẞ\u212aﬀﬁﬂﬃﬄﬅﬆ]")


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str):
    """The whole-word, case-insensitive pattern of a name (compiled once per name)."""
    return regex.compile(rf"(?<!\w){regex.escape(name)}(?!\w)", regex.I)


def occurs_twice(text: str, name: str) -> bool:
    r"""Whether `name` stands twice or more in `text`, case-insensitively, between non-word characters:
    `len(regex.findall(rf"(?<!\w){regex.escape(name)}(?!\w)", text, regex.I)) >= 2`, without
    compiling a pattern for each name.

    For an ASCII name in a text without ASCII look-alikes, whose case folding keeps every character
    one character (nearly always), the matches are the occurrences of the folded name in the folded
    text, at the same offsets; and every match folds to the folded name, so fewer occurrences than
    two rule it out in any text."""
    if _FOLDED[0] is not text:
        folded = casefolded(text)
        _FOLDED[:] = [text, folded, len(folded) == len(text) and not _ASCII_LOOKALIKES.search(text)]
    folded, plain, key = _FOLDED[1], _FOLDED[2], name.casefold()
    if not plain or not key or not name.isascii():
        return len(_name_pattern(name).findall(text)) >= 2
    if folded.count(key) < 2:
        return False
    found, size = 0, len(key)
    pos = folded.find(key)
    while pos >= 0:
        if (pos == 0 or not _WORD_CHAR.match(text, pos - 1)) and not _WORD_CHAR.match(text, pos + size):
            found += 1
            if found == 2:
                return True
            pos = folded.find(key, pos + size)
        else:
            pos = folded.find(key, pos + 1)
    return False
