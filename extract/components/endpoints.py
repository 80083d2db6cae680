"""PLACEHOLDER: endpoints component (being written)."""
from spacy.language import Language


@Language.factory("extract_endpoints")
def make_endpoints(nlp, name):
    def component(doc):
        doc._.endpoints = []
        return doc
    return component
