"""Static word vectors for the NER models, trained on training-split text only.

    python -m extract.ner.vectors --corpora ../shared/corpora --out build/vectors

Text: the Evidence Inference TRAIN-split articles (title, abstract and body), BC5CDR
CDR_TrainingSet, NCBI-disease train and the EBM-NLP crowd-labelled docs (scibert_split/dev.txt);
no evaluation split is read. Tokens come from the extract tokenizer and are lower-cased; gensim's
word2vec (skip-gram, fixed seed) learns `--dims` dimensions, and the `--rows` most frequent words
become a spaCy vectors table (`<out>/spacy`, case forms as aliases) that the NER configs take as
`paths.vectors`. gensim is a training-time dependency only (`pip install -e ".[train]"`).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Iterator

from . import corpus as C

_HEADER = re.compile(r"(TITLE|ABSTRACT|BODY)\b[\w. ]*[:.]?\s*$")
ROOT = Path(__file__).resolve().parent.parent.parent


def training_texts(corpora: Path) -> Iterator[str]:
    """Every training-split text, one string per document (or per article section)."""
    from ..corpora.evidence_inference import abst_path, training_ids
    from ..corpora.pubtator import iter_pubtator

    for pmcid in sorted(training_ids(corpora)):
        path = abst_path(corpora, pmcid)
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.strip() and not _HEADER.match(line):  # "ABSTRACT.METHODS:", "BODY.RESULTS:" …
                    yield line.strip()
    for path in (C.CDR_TRAIN, C.NCBI_TRAIN):
        for doc in iter_pubtator(corpora / path):
            yield f"{doc.title} {doc.abstract}"
    for _, words, _ in C.read_ebm(corpora / C.EBM_TRAIN):
        yield " ".join(words)


class Sentences:
    """Lower-cased token lists (a re-iterable corpus for gensim), cached in a text file."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self):
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                yield line.split()


def tokenize(corpora: Path, path: Path) -> int:
    nlp = C.tokenizer_nlp()
    words = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in nlp.tokenizer.pipe(training_texts(corpora), batch_size=256):
            tokens = [t.lower_ for t in doc if not t.is_space]
            words += len(tokens)
            out.write(" ".join(tokens) + "\n")
    return words


def spacy_vectors(wv, path: Path, rows: int) -> int:
    """Save the `rows` most frequent words as a spaCy pipeline with only vectors (what `paths.vectors`
    takes). Keys are the lower-cased words plus their Capitalised and UPPER forms on the same row:
    spaCy looks vectors up by ORTH (a `LOWER` key attribute is not kept when a default-mode table
    is saved), so the case forms are aliases. Returns the number of keys."""
    import numpy
    import spacy
    from spacy.vectors import Vectors

    words = wv.index_to_key[:rows]
    nlp = spacy.blank("en")
    data = numpy.asarray([wv[w] for w in words], dtype="float32")
    vectors = Vectors(strings=nlp.vocab.strings, data=data, keys=words)
    for row, word in enumerate(words):
        for form in {word.capitalize(), word.upper()} - {word}:
            vectors.add(form, row=row)
    nlp.vocab.vectors = vectors
    nlp.to_disk(path)
    return len(vectors.key2row)


def train(corpora: Path, out: Path, dims: int = 100, rows: int = 30000, epochs: int = 5,
          reuse: bool = False) -> dict:
    from gensim.models import KeyedVectors, Word2Vec

    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    kv = out / "word2vec.kv"
    info_path = out / "vectors.json"
    if reuse and kv.is_file() and info_path.is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        wv = KeyedVectors.load(str(kv))
    else:
        text = out / "tokens.txt"
        words = tokenize(corpora, text)
        model = Word2Vec(Sentences(text), vector_size=dims, window=5, min_count=3, sg=1, negative=5,
                         epochs=epochs, workers=2, seed=42)
        wv = model.wv
        wv.save(str(kv))
        text.unlink()
        info = {"words": words, "vocabulary": len(wv), "dims": dims, "epochs": epochs,
                "word2vec_seconds": round(time.time() - started),
                "texts": "Evidence Inference train-split articles, BC5CDR CDR_TrainingSet, NCBI-disease train, "
                         "EBM-NLP scibert_split/dev.txt"}
    info["rows"] = min(rows, len(wv))
    info["keys"] = spacy_vectors(wv, out / "spacy", rows)
    info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.ner.vectors", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "vectors")
    parser.add_argument("--dims", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep the word2vec model already in --out.")
    args = parser.parse_args(argv)
    print(json.dumps(train(args.corpora, args.out, args.dims, args.rows, args.epochs, args.reuse), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
