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


def test_bc5cdr_names_are_unique_after_normalisation():
    # disease mentions as BC5CDR writes them: case, punctuation and stopwords do not make a new name
    from benchmarks.bc5cdr import unique_names

    names = ["hypotension", "Hypotension", "cardiac arrhythmias", "cardiac-arrhythmias", "the", "bradycardia"]
    assert unique_names(names) == ["hypotension", "cardiac arrhythmias", "bradycardia"]


@pytest.mark.parametrize("field, kind, words, hits, ner, labelled, cause", [
    ("interventions", "fn", ["Anecortave", "acetate", "treatment"], 2, True, None,
     "boundary: our span shorter than the gold span"),
    ("interventions", "fn", ["control"], 0, False, None, "missed: control arm (placebo / control / usual care)"),
    ("interventions", "fn", ["secretin"], 0, True, None, "missed: an NER span covered it, a rule dropped it"),
    ("interventions", "fn", ["levosimendan"], 0, False, None, "missed: no NER span and no rule"),
    ("conditions", "fn", ["patients", "experiencing", "acute", "pain"], 1, True, None,
     "boundary: participant description around the condition (people, age, count)"),
    ("interventions", "fp", ["Except"], 0, False, "O", "extra: no gold label on these tokens"),
    ("interventions", "fp", ["insulin"], 0, False, "I-OUT", "extra: gold labels these tokens I-OUT"),
    ("endpoints", "fp", ["pulmonary", "infections", "(", "P=0.03", ")"], 2, False, "O",
     "boundary: our span longer than the gold span"),
])
def test_span_failure_causes(field, kind, words, hits, ner, labelled, cause):
    from benchmarks.failures_dev import span_cause

    assert span_cause(field, kind, words, hits, ner, labelled) == cause


ABSTRACT = ("METHODS: Noninvasive ventilation (NIV) was compared with a T piece trial.\n"
            "RESULTS: Reherniation was rare with either approach.")


@pytest.mark.parametrize("part, gold, found, cause", [
    ("comparator", "control group", [], "comparator is generic (placebo / control / usual care / baseline)"),
    ("intervention", "Noninvasive ventilation (NIV)", ["NIV"],
     'verbatim; only its abbreviation extracted ("NIV" for "noninvasive ventilation (NIV)")'),
    ("intervention", "ventilation, noninvasive", ["ventilation"],
     "prompt not verbatim in the abstract (its words are)"),
    ("outcome", "Reherniation", [], "verbatim in results sentences only; not extracted"),
    ("outcome", "Brief Psychiatric Rating Scale positive symptoms after 6 months", [],
     "prompt is a long description (> 6 words), not a name"),
    ("outcome", "hypotension", [], "prompt wording mostly absent from the abstract (written from the full article)"),
])
def test_prompt_failure_causes(part, gold, found, cause):
    from benchmarks.failures_dev import _results_start, prompt_cause

    assert prompt_cause(part, gold, ABSTRACT, _results_start(ABSTRACT), found) == cause
