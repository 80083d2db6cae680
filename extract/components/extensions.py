"""The `Doc._` attributes the field components fill, and the evidence spans they carry."""
from __future__ import annotations

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


_TEXT = "extract.text"


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once per document: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


_LOWERS = "extract.lowers"


def doc_lowers(doc: Doc) -> list[str]:
    """`token.lower_` of every token, computed once per document."""
    lowers = doc.user_data.get(_LOWERS)
    if lowers is None or len(lowers) != len(doc):
        lowers = doc.user_data[_LOWERS] = [token.lower_ for token in doc]
    return lowers


def span_text(span) -> str:
    """`span.text` (a sentence, a phrase) cut from the cached document text, not rebuilt token by token."""
    return doc_text(span.doc)[span.start_char:span.end_char]


def evidence(doc: Doc, start: int, end: int) -> Span:
    """The evidence span for characters `start:end` of the document text."""
    return Span(start=start, end=end, text=doc_text(doc)[start:end])
