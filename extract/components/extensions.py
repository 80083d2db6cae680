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


def evidence(doc: Doc, start: int, end: int) -> Span:
    """The evidence span for characters `start:end` of the document text."""
    return Span(start=start, end=end, text=doc_text(doc)[start:end])
