"""The `Doc._` attributes the field components fill, and the evidence spans they carry."""
from __future__ import annotations

from spacy.tokens import Doc

from ..schema import Span

# Set by the Extractor before the pipeline runs.
INPUTS = ("publication_types",)
# Filled by one field component each (schema objects: Design, SampleSize, lists of items).
OUTPUTS = ("design", "sample_size", "interventions", "endpoints", "p_values")

for _name in INPUTS + OUTPUTS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def evidence(doc: Doc, start: int, end: int) -> Span:
    """The evidence span for characters `start:end` of the document text."""
    return Span(start=start, end=end, text=doc.text[start:end])
