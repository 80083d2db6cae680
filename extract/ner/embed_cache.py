"""Word embeddings computed once per word of a batch, not once per token.

The first half of spaCy's `Tok2Vec.v2` encoder (`MultiHashEmbed`: hash embeddings of NORM, PREFIX,
SUFFIX and SHAPE, the static vector, and the maxout layer that mixes them) gives every token a vector
that depends on that token alone, and only on its word (ORTH) and its NORM: the other features are
attributes of the word. Sixty-four abstracts have about 22,000 tokens but only about 4,500 different
words, so embedding each word once is about a fifth of the work.

`cache_embeddings(nlp)` puts an `EmbedCache` in front of that layer in each tok2vec of the pipeline
that has one (inference only: in training, and for a layer it does not recognise, the original runs).
`EmbedCache.start(docs)` embeds the words of a group of documents in one pass; the group's documents
then take their vectors from it, and `clear()` ends the group. Documents outside a group embed their
own words. A vector's last bits depend on what else was multiplied with it in that pass (BLAS), so
the cache never outlives its group: the output depends on the documents of the group, as it did on the
documents of a batch without the cache, never on what a worker processed before.

A sourced model's `WordTable` (word_table.py), if its directory has one, gives the vectors of the
words the model knows: constants, the same in every process, so a group embeds only the words the
table lacks (about a quarter of them in abstracts).
"""
from __future__ import annotations

from typing import Iterable, Optional

import numpy
from spacy.attrs import NORM, ORTH, intify_attr
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model

from .ops import component_models
from .word_table import WordTable, embed_words

# leaves of MultiHashEmbed: each gives a token's output from that token's own features
PER_TOKEN_LAYERS = frozenset({"extract_features", "list2ragged", "ragged2list", "ints-getitem",
                              "hashembed", "static_vectors", "maxout", "layernorm", "dropout"})
WORD_ATTRS = frozenset(intify_attr(a) for a in ("ORTH", "LOWER", "PREFIX", "SUFFIX", "SHAPE"))


def cache_embeddings(nlp: Language) -> list["EmbedCache"]:
    """Put an EmbedCache in front of the word-embedding layer of each tok2vec in `nlp` that has one
    it recognises; returns the caches (a sourced component's BoundedPipe gets its own as
    `embed_cache`, to start and clear around each group of documents)."""
    caches = []
    for component, model in component_models(nlp):
        layers = model.layers
        if len(layers) == 2 and cacheable(layers[0]):
            source = getattr(component, "source", None)  # the model directory it was sourced from
            layers[0] = EmbedCache(layers[0], WordTable.for_model(source, layers[0], nlp.vocab))
            caches.append(layers[0])
            if hasattr(component, "inner"):
                component.embed_cache = layers[0]
    return caches


def cacheable(embed: Model) -> bool:
    """Whether `embed` gives each token a vector from its ORTH and NORM alone."""
    leaves = [layer for layer in embed.walk() if not layer.layers]
    if not leaves or any(layer.name not in PER_TOKEN_LAYERS for layer in leaves):
        return False
    extractors = [layer for layer in leaves if layer.name == "extract_features"]
    if len(extractors) != 1:
        return False
    columns = {intify_attr(c) for c in extractors[0].attrs["columns"]}
    return columns <= WORD_ATTRS | {NORM}


class EmbedCache(Model):
    """`embed`'s output for a list of Docs: each (ORTH, NORM) embedded once per group or call."""

    def __init__(self, embed: Model, known: Optional["WordTable"] = None):
        super().__init__(f"cached({embed.name})", _forward, layers=[embed], dims={"nO": embed.get_dim("nO")})
        self.embed, self.known = embed, known
        self.table = numpy.zeros((0, embed.get_dim("nO")), dtype="float32")
        self.members: dict[int, tuple[Doc, numpy.ndarray]] = {}  # id(doc) -> (doc, its rows in table)

    def start(self, docs: Iterable[Doc]) -> None:
        """Embed the words of `docs`, a group whose documents will take their vectors from here."""
        docs = list(docs)
        self.table, rows = self._embed(docs)
        self.members = {id(doc): (doc, doc_rows) for doc, doc_rows in zip(docs, rows)}

    def clear(self) -> None:
        self.table, self.members = self.table[:0], {}

    def vectors(self, docs: list[Doc]) -> list:
        found = [self.members.get(id(doc)) for doc in docs]
        outside = [doc for doc, member in zip(docs, found) if member is None or member[0] is not doc]
        if outside:  # documents outside the group (or no group): their words in a pass of their own
            table, rows = self._embed(outside)
            own = {id(doc): table.take(doc_rows, axis=0) for doc, doc_rows in zip(outside, rows)}
        return [self.table.take(member[1], axis=0) if member is not None and member[0] is doc
                else own[id(doc)] for doc, member in zip(docs, found)]

    def _embed(self, docs: list[Doc]) -> tuple[numpy.ndarray, list[numpy.ndarray]]:
        """The vectors of the distinct (ORTH, NORM) of `docs` (from the table of known words, the
        others from one pass of `embed` over them in sorted order), and for each doc the row of each
        of its tokens."""
        ids = [doc.to_array([ORTH, NORM]).reshape(-1, 2) for doc in docs]
        flat = numpy.concatenate(ids) if ids else numpy.zeros((0, 2), dtype="uint64")
        edges = numpy.cumsum([len(doc_ids) for doc_ids in ids])[:-1]
        if not len(flat):
            return self.table[:0], numpy.split(numpy.zeros(0, dtype="int64"), edges)
        orths, first, rows = numpy.unique(flat[:, 0], return_index=True, return_inverse=True)
        words = numpy.stack([orths, flat[first, 1]], axis=1)
        if not numpy.array_equal(words[rows, 1], flat[:, 1]):  # a token with a NORM of its own
            words, rows = numpy.unique(flat, axis=0, return_inverse=True)
        rows = numpy.split(rows.reshape(-1).astype("int64"), edges)
        if self.known is None:
            return embed_words(self.embed, docs[0].vocab, words), rows
        table, missing = self.known.lookup(words)
        if len(missing):
            table[missing] = embed_words(self.embed, docs[0].vocab, words[missing])
        return table, rows


def _forward(model: EmbedCache, docs: list[Doc], is_train: bool):
    if is_train:  # weights change in training: no cache
        return model.embed(docs, is_train)
    return model.vectors(docs), lambda d_vectors: []
