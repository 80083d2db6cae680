"""PLACEHOLDER: p_values component (being written)."""
from spacy.language import Language


@Language.factory("extract_p_values")
def make_p_values(nlp, name):
    def component(doc):
        doc._.p_values = []
        return doc
    return component
