"""PLACEHOLDER: interventions component (being written)."""
from spacy.language import Language


@Language.factory("extract_interventions")
def make_interventions(nlp, name):
    def component(doc):
        doc._.interventions = []
        return doc
    return component
