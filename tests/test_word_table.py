"""The shipped model's table of known words' embeddings (extract/ner/word_table.py)."""
from __future__ import annotations

import shutil
import warnings

import numpy
import pytest

from extract.ner.embed_cache import EmbedCache
from extract.ner.models import model_path, shipped_models
from extract.ner.word_table import TABLE_FILE, WordTable, write_table

SENTENCES = [
    "Patients with type 2 diabetes were randomized to dapagliflozin 10 mg or placebo for 24 weeks.",
    "Dapagliflozin reduced HbA1c by 0.84% compared with 0.30% with placebo (P < 0.001).",
]


@pytest.fixture(scope="module")
def cache(nlp):
    return nlp.get_pipe("ner_tok2vec").embed_cache


@pytest.fixture(scope="module")
def shipped_dir():
    return model_path(shipped_models()[0].name)


def test_the_shipped_model_runs_with_its_table(cache):
    assert isinstance(cache, EmbedCache) and isinstance(cache.known, WordTable)
    assert len(cache.known) > 15000
    assert {"randomized", "placebo", "patients", "Patients"} <= set(cache.known.texts)


def test_known_words_take_the_tables_vectors_and_the_others_are_embedded(nlp, cache):
    docs = [nlp.make_doc(s) for s in SENTENCES]
    known = cache.known
    at = {text: i for i, text in enumerate(known.texts)}
    vectors = cache.vectors(docs)
    assert "dapagliflozin" not in at and "placebo" in at
    for doc, got in zip(docs, vectors):
        for token in doc:
            if token.text in at and known.norms[at[token.text]] == token.norm:
                assert numpy.array_equal(got[token.i], known.vectors[at[token.text]])
    for got, expected in zip(vectors, cache.embed.predict(docs)):  # the same vectors, up to last bits
        numpy.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_a_known_word_with_a_norm_of_its_own_is_embedded(nlp, cache):
    doc = nlp.make_doc("Patients were randomized to placebo.")
    doc[4].norm_ = "dapagliflozin"
    table, missing = cache.known.lookup(doc.to_array(["ORTH", "NORM"]).reshape(-1, 2))
    assert missing.tolist() == [4]
    assert numpy.array_equal(table[0], cache.known.vectors[cache.known.texts.index("Patients")])


def test_write_table_rebuilds_the_shipped_table(shipped_dir, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(shipped_dir, copy, ignore=shutil.ignore_patterns(TABLE_FILE))
    rebuilt = write_table(copy)
    shipped = WordTable.load(shipped_dir / TABLE_FILE)
    assert rebuilt.texts == shipped.texts
    assert numpy.array_equal(rebuilt.orths, shipped.orths) and numpy.array_equal(rebuilt.norms, shipped.norms)
    numpy.testing.assert_allclose(rebuilt.vectors, shipped.vectors, rtol=0, atol=1e-5)
    assert WordTable.load(copy / TABLE_FILE).texts == rebuilt.texts  # what was saved is what was built


def test_a_table_that_does_not_match_the_model_is_ignored_with_a_warning(shipped_dir, cache, nlp, tmp_path):
    table = WordTable.load(shipped_dir / TABLE_FILE)
    assert WordTable.for_model(shipped_dir, cache.embed, nlp.vocab) is not None
    table.vectors[::100] += 0.01  # a table built from other weights
    table.save(tmp_path / TABLE_FILE)
    with pytest.warns(UserWarning, match="does not match the model's embeddings"):
        assert WordTable.for_model(tmp_path, cache.embed, nlp.vocab) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert WordTable.for_model(tmp_path / "elsewhere", cache.embed, nlp.vocab) is None  # no table: none
