"""PLACEHOLDER: design component (being written)."""
from spacy.language import Language
from ..schema import Design


@Language.factory("extract_design")
def make_design(nlp, name):
    def component(doc):
        doc._.design = Design()
        return doc
    return component
