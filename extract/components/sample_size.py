"""PLACEHOLDER: sample_size component (being written)."""
from spacy.language import Language
from ..schema import SampleSize


@Language.factory("extract_sample_size")
def make_sample_size(nlp, name):
    def component(doc):
        doc._.sample_size = SampleSize()
        return doc
    return component
