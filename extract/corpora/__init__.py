"""Loaders for the public corpora in `../shared/corpora` (see its README.md); they yield SourceDocuments."""
from .evidence_inference import evaluation_ids, parse_abst, read_abst, split_ids, training_ids
from .gold_sources import gold_documents
from .pubtator import Mention, PubTatorDocument, find_pubtator, iter_pubtator

__all__ = [
    "Mention", "PubTatorDocument", "evaluation_ids", "find_pubtator", "gold_documents", "iter_pubtator",
    "parse_abst", "read_abst", "split_ids", "training_ids",
]
