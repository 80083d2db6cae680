"""The benchmark's sample-size measure and its failure categories (no pipeline run needed)."""
from types import SimpleNamespace

import pytest

from benchmarks import measures
from benchmarks.ebm_nlp import TokenDoc, hier_participants_dev


def _doc(text: str, sample: set[str]) -> TokenDoc:
    words = text.split()
    return TokenDoc(pmid="1", words=words, labels=["3_p" if w in sample else "N" for w in words])


def _record(text: str, n):
    return SimpleNamespace(text=text, sample_size=SimpleNamespace(n=n, evidence=[]))


@pytest.mark.parametrize("n, category", [
    (None, measures.NO_ANSWER),
    (40, measures.OTHER_3P),
    (164, measures.SUM_3P),
    (29, measures.ELSEWHERE_SMALLER),
    (1234, measures.ELSEWHERE_LARGER),
    (111, measures.ABSENT),
])
def test_failure_categories(n, category):
    text = "Eighty-two patients were randomised , 40 to A and 42 to B ; 29 completed , 1 234 screened"
    doc = _doc(text, {"Eighty-two", "40", "42"})
    result = measures.sample_size([doc], {"1": _record(doc.text, n)})
    assert list(result.categories) == [category]
    assert result.failures == [("1", 82, n)]


def test_right_answer_is_no_failure():
    doc = _doc("Forty healthy subjects were randomly allocated", {"Forty"})
    result = measures.sample_size([doc], {"1": _record(doc.text, 40)})
    assert (result.documents, result.answered, result.strict, result.failures) == (1, 1, 1, [])


@pytest.mark.corpora
def test_training_split_reads(corpora):
    docs = list(hier_participants_dev(corpora))
    assert len(docs) == 921
    assert docs[0].pmid == "6885201" and len(docs[0].words) == len(docs[0].labels)
    assert sum(1 for d in docs if d.runs("3_p")) > 500
