"""The encoder's per-word embedding cache (extract/ner/embed_cache.py)."""
from __future__ import annotations

import numpy
import pytest

from extract.ner.embed_cache import EmbedCache, cacheable

SENTENCES = [
    "Patients with type 2 diabetes were randomized to dapagliflozin 10 mg or placebo for 24 weeks.",
    "The primary endpoint was the change in HbA1c from baseline to week 24.",
    "Dapagliflozin reduced HbA1c by 0.84% compared with 0.30% with placebo (P < 0.001).",
    "Hypoglycaemia occurred in 3 patients in the dapagliflozin group and 2 in the placebo group.",
    "",
]


@pytest.fixture(scope="module")
def embed(nlp):
    tok2vec = nlp.get_pipe("ner_tok2vec").inner
    cached = tok2vec.model.layers[0]
    assert isinstance(cached, EmbedCache)  # build_pipeline puts the cache in front of the embeddings
    return cached.embed


def test_the_word_embeddings_are_cacheable_but_not_the_window_encoder(nlp, embed):
    assert cacheable(embed)
    whole_encoder = nlp.get_pipe("ner_tok2vec").inner.model
    assert not cacheable(whole_encoder)  # its output for a token depends on the tokens around it


def test_cached_vectors_are_the_embedding_layers_vectors(nlp, embed):
    docs = [nlp.make_doc(s) for s in SENTENCES]
    cached = EmbedCache(embed).predict(docs)
    for doc, got, expected in zip(docs, cached, embed.predict(docs)):
        assert got.shape == expected.shape == (len(doc), embed.get_dim("nO"))
        numpy.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


def test_a_groups_vectors_do_not_depend_on_what_came_before(nlp, embed):
    first, second = [nlp.make_doc(s) for s in SENTENCES[:2]], [nlp.make_doc(s) for s in SENTENCES[2:]]
    fresh = EmbedCache(embed)
    fresh.start(second)
    expected = fresh.vectors(second)
    used = EmbedCache(embed)
    used.start(first)
    used.vectors(first)
    used.clear()
    used.start(second)
    for a, b in zip(expected, used.vectors(second)):
        assert numpy.array_equal(a, b)


def test_a_group_gives_each_document_the_same_bits_alone_or_together(nlp, embed):
    docs = [nlp.make_doc(s) for s in SENTENCES]
    cache = EmbedCache(embed)
    cache.start(docs)
    together = cache.vectors(docs)
    alone = [cache.vectors([doc])[0] for doc in reversed(docs)][::-1]
    for a, b in zip(together, alone):
        assert numpy.array_equal(a, b)


def test_outside_a_group_a_call_embeds_its_own_words(nlp, embed):
    doc = nlp.make_doc(SENTENCES[2])
    expected = EmbedCache(embed).vectors([doc])[0]
    cache = EmbedCache(embed)
    cache.start([nlp.make_doc(s) for s in SENTENCES[:2]])
    cache.clear()
    assert not cache.members
    assert numpy.array_equal(cache.vectors([doc])[0], expected)
    assert not cache.members and not len(cache.table)  # words met outside a group are not kept


def test_the_pipeline_clears_its_cache_after_each_group(nlp):
    tok2vec = nlp.get_pipe("ner_tok2vec")
    assert tok2vec.embed_cache is tok2vec.inner.model.layers[0]
    docs = list(nlp.pipe(SENTENCES))
    assert [d.text for d in docs] == SENTENCES
    assert not tok2vec.embed_cache.members


def test_a_token_with_its_own_norm_gets_that_norms_vector(nlp, embed):
    plain = nlp.make_doc("Patients were randomized to placebo.")
    changed = nlp.make_doc("Patients were randomized to placebo.")
    changed[4].norm_ = "dapagliflozin"
    cache = EmbedCache(embed)
    a, b = cache.predict([plain, changed])
    assert numpy.array_equal(a[:4], b[:4])
    assert not numpy.allclose(a[4], b[4])
    numpy.testing.assert_allclose(b, embed.predict([changed])[0], rtol=0, atol=1e-5)
