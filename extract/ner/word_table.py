"""A model's known words with their embeddings, computed once when the model is built.

`EmbedCache` (embed_cache.py) embeds the distinct words of each group of documents; most of them
are common words whose vectors never change. A `WordTable` holds those vectors for the words of the
model's static-vectors table whose text the model keeps (about 20,000 for the shipped model; three
quarters of the distinct words of a group of abstracts), saved in the model directory as
`word_embeddings.npz`:

    python -m extract.ner.word_table MODEL_DIR...

(`python -m extract.ner.train` writes it too). The table is a constant, the same in every process,
so outputs stay independent of what a worker processed before. At load a sample of its words is
embedded again and compared; a table that does not match the model is ignored with a warning.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Iterable, Optional

import numpy
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.api import Model

TABLE_FILE = "word_embeddings.npz"
TABLE_CHUNK = 4096  # words per forward pass when a table is built
TABLE_CHECK = 32    # words embedded again at load to check a table against its model


def embed_words(embed: Model, vocab: Vocab, words: numpy.ndarray) -> numpy.ndarray:
    """`embed`'s vectors of `words` ((ORTH, NORM) rows), in one pass."""
    strings = vocab.strings
    pass_doc = Doc(vocab, words=[strings[orth] for orth in words[:, 0].tolist()], spaces=[False] * len(words))
    pass_doc.from_array([NORM], words[:, 1:].copy())
    return embed.predict([pass_doc])[0]


class WordTable:
    """Vectors of known words, embedded when the model was built: (ORTH, NORM) -> vector."""

    def __init__(self, texts: list[str], words: numpy.ndarray, vectors: numpy.ndarray):
        order = numpy.argsort(words[:, 0], kind="stable")
        self.texts = [texts[i] for i in order.tolist()]
        self.orths, self.norms = words[order, 0].copy(), words[order, 1].copy()
        self.vectors = numpy.ascontiguousarray(vectors[order], dtype="float32")

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def build(cls, embed: Model, vocab: Vocab, texts: Iterable[str]) -> "WordTable":
        """Embed `texts` (each as one word, with its lexeme's NORM) in fixed chunks."""
        texts = sorted(set(texts))
        words = numpy.zeros((len(texts), 2), dtype="uint64")
        vectors = numpy.zeros((len(texts), embed.get_dim("nO")), dtype="float32")
        for start in range(0, len(texts), TABLE_CHUNK):
            chunk = texts[start:start + TABLE_CHUNK]
            ids = Doc(vocab, words=chunk, spaces=[False] * len(chunk)).to_array([ORTH, NORM]).reshape(-1, 2)
            words[start:start + len(chunk)] = ids
            vectors[start:start + len(chunk)] = embed_words(embed, vocab, ids)
        return cls(texts, words, vectors)

    @classmethod
    def for_model(cls, path: Optional[Path], embed: Model, vocab: Vocab) -> Optional["WordTable"]:
        """The table saved in model directory `path`, if there is one that matches `embed`."""
        if path is None or not (Path(path) / TABLE_FILE).is_file():
            return None
        table = cls.load(Path(path) / TABLE_FILE)
        if not table.matches(embed, vocab):
            warnings.warn(f"{Path(path) / TABLE_FILE} does not match the model's embeddings: not used "
                          f"(rebuild it with `python -m extract.ner.word_table {path}`)")
            return None
        return table

    def matches(self, embed: Model, vocab: Vocab) -> bool:
        """Whether a sample of the table's words, embedded now, get the stored vectors (up to the
        last bits, which depend on what else is in the pass)."""
        if not len(self) or self.vectors.shape[1] != embed.get_dim("nO"):
            return False
        sample = numpy.unique(numpy.linspace(0, len(self) - 1, TABLE_CHECK).astype("int64"))
        chunk = [self.texts[i] for i in sample.tolist()]
        words = Doc(vocab, words=chunk, spaces=[False] * len(chunk)).to_array([ORTH, NORM]).reshape(-1, 2)
        if not (numpy.array_equal(words[:, 0], self.orths[sample]) and numpy.array_equal(words[:, 1], self.norms[sample])):
            return False
        return bool(numpy.allclose(embed_words(embed, vocab, words), self.vectors[sample], rtol=0, atol=1e-4))

    def lookup(self, words: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """For (ORTH, NORM) rows `words`: a table with the known ones' vectors filled in, and the
        indices of the rows still to embed."""
        at = numpy.searchsorted(self.orths, words[:, 0])
        at[at == len(self.orths)] = 0
        known = (self.orths[at] == words[:, 0]) & (self.norms[at] == words[:, 1])
        table = numpy.empty((len(words), self.vectors.shape[1]), dtype="float32")
        table[known] = self.vectors[at[known]]
        return table, numpy.flatnonzero(~known)

    def save(self, path: Path) -> None:
        with open(path, "wb") as file:  # numpy.savez would add ".npz" to a name without it
            numpy.savez_compressed(file, texts=numpy.array(self.texts, dtype=str), vectors=self.vectors,
                                   words=numpy.stack([self.orths, self.norms], axis=1))

    @classmethod
    def load(cls, path: Path) -> "WordTable":
        with numpy.load(path) as data:
            return cls(data["texts"].tolist(), data["words"], data["vectors"])


def model_words(nlp: Language) -> list[str]:
    """The words a table is built for: those of `nlp`'s static vectors whose text it keeps."""
    strings = nlp.vocab.strings
    return [strings[key] for key in nlp.vocab.vectors.key2row if key in strings]


def write_table(model: Path) -> Optional[WordTable]:
    """Build and save the word table of the pipeline directory `model` (None: nothing to cache)."""
    import spacy

    from .embed_cache import EmbedCache
    from .load import run_as_extract
    from .ops import component_models

    nlp = spacy.load(model)
    run_as_extract(nlp)  # the arithmetic extract runs with
    caches = [layer for _, m in component_models(nlp) for layer in m.layers if isinstance(layer, EmbedCache)]
    words = model_words(nlp)
    if not caches or not words:
        return None
    table = WordTable.build(caches[0].embed, nlp.vocab, words)
    table.save(Path(model) / TABLE_FILE)
    return table



def main(argv: Optional[list[str]] = None) -> int:
    """`python -m extract.ner.word_table MODEL_DIR...`: (re)build each model's word table."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("models", nargs="+", type=Path)
    for model in parser.parse_args(argv).models:
        table = write_table(model)
        print(f"{model}: {len(table) if table else 0} words in {TABLE_FILE if table else 'no table'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
