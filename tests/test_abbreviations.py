"""The abbreviation finder (extract/components/abbreviations.py) against scispaCy's detector."""
from __future__ import annotations

import time
import warnings

import pytest
import spacy

from extract.components.abbreviations import Abbreviations
from extract.readers import read_paths
from extract.tokenizer import scispacy_tokenizer

from conftest import SEEDS

CRT = ("Cognitive remediation therapy (CRT) was given to 40 inpatients with CRT; the control group "
       "received treatment as usual (TAU), and CRT improved the WCST (Wisconsin Card Sorting Test) score.")


@pytest.fixture(scope="module")
def tokenizer_nlp():
    nlp = spacy.blank("en")
    nlp.tokenizer = scispacy_tokenizer(nlp)
    return nlp


def found(doc) -> list[tuple[str, int, int, str, int, int]]:
    return [(a.text, a.start, a.end, a._.long_form.text, a._.long_form.start, a._.long_form.end)
            for a in doc._.abbreviations]


def scispacys(nlp, text: str):
    """scispaCy's own detector, unbounded Matcher and all."""
    import scispacy.abbreviation

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W036: its second matcher starts empty
        detector = scispacy.abbreviation.AbbreviationDetector(nlp)
        return detector(nlp.make_doc(text))


def test_definitions_and_other_mentions(tokenizer_nlp):
    doc = Abbreviations(tokenizer_nlp.vocab)(tokenizer_nlp.make_doc(CRT))
    assert found(doc) == [
        ("CRT", 4, 5, "Cognitive remediation therapy", 0, 3),
        ("CRT", 12, 13, "Cognitive remediation therapy", 0, 3),
        ("CRT", 26, 27, "Cognitive remediation therapy", 0, 3),
        ("TAU", 22, 23, "treatment as usual", 18, 21),
        ("WCST", 29, 30, "Wisconsin Card Sorting Test", 31, 35),
    ]


def test_character_offsets_kept_beside_the_spans(tokenizer_nlp):
    """What the components read (`abbreviation_chars`) is what the Spans say, for our finder and for
    scispaCy's (read from its Spans)."""
    from extract.components.extensions import abbreviation_chars

    doc = Abbreviations(tokenizer_nlp.vocab)(tokenizer_nlp.make_doc(CRT))
    assert [(CRT[a:b], CRT[c:d]) for a, b, c, d in abbreviation_chars(doc)][3:] == [
        ("TAU", "treatment as usual"), ("WCST", "Wisconsin Card Sorting Test")]
    from_spans = [(a.start_char, a.end_char, a._.long_form.start_char, a._.long_form.end_char)
                  for a in doc._.abbreviations]
    assert abbreviation_chars(doc) == from_spans
    assert sorted(abbreviation_chars(scispacys(tokenizer_nlp, CRT))) == sorted(from_spans)  # (its order varies)


def test_same_abbreviations_as_scispacy_on_the_seed_abstracts(tokenizer_nlp):
    ours = Abbreviations(tokenizer_nlp.vocab)
    total = 0
    for document in read_paths([SEEDS]):
        expected = scispacys(tokenizer_nlp, document.text)
        doc = ours(tokenizer_nlp.make_doc(document.text))
        assert sorted(found(doc)) == sorted(found(expected))
        assert ([a._.long_form.start for a in doc._.abbreviations]
                == sorted((a._.long_form.start for a in doc._.abbreviations),
                          key=[a._.long_form.start for a in expected._.abbreviations].index))
        total += len(found(doc))
    assert total >= 4


def test_same_abbreviations_as_scispacy_on_training_abstracts(tokenizer_nlp, corpora):
    from extract.bench import load_documents

    ours = Abbreviations(tokenizer_nlp.vocab)
    total = 0
    for document in load_documents(corpora, 300):
        expected = found(scispacys(tokenizer_nlp, document.text))
        got = found(ours(tokenizer_nlp.make_doc(document.text)))
        assert sorted(got) == sorted(expected), document.text[:80]
        total += len(got)
    assert total > 1000


def test_hostile_brackets_stay_linear(tokenizer_nlp):
    text = "an open (" * 3000 + "and a close ) " * 3000
    doc = tokenizer_nlp.make_doc(text)
    started = time.process_time()
    Abbreviations(tokenizer_nlp.vocab)(doc)
    assert time.process_time() - started < 5  # an unbounded match of every pair: 9 million matches
