"""Property-based tests (hypothesis): whatever the text or bytes, extract gives valid records.

- any Unicode text (control characters, RTL marks, combining characters, emoji...) gives a valid
  `Record` whose spans all index its text;
- a p-value's `value` is always within [0, 1];
- `n` (and the other counts) is never negative or absurd (at most schema.MAX_SAMPLE_SIZE);
- any bytes in a file give at least one document from the readers, never an exception.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.extractor import Extractor
from extract.readers import read_paths
from extract.schema import MAX_SAMPLE_SIZE, Record

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Any character but surrogates (which cannot be encoded), with the awkward ones made likely.
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
AWKWARD = st.sampled_from([
    "\u202e", "\u202d", "\u200f", "\u200e", "\u061c",   # bidi overrides and marks
    "\u0301", "\u0308", "\u20dd", "\u0345",             # combining characters
    "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028", "\u2029", "\u0085",   # invisible, separators
    "\x00", "\x07", "\x1b", "\x7f", "\r", "\t", "\n", "\x0b", "\x0c",     # control characters
    "\u00a0", "\u2009", "\u3000", "\U0001f600", "\U0001d7d8", "\u0663", "\u00b2", "\u2153",
])
# Fragments that wake the extractors up, so the properties are tested where values are produced.
CUES = st.sampled_from([
    "p = 0.03", "P<0.001", "p = 1.5", "p = -0.2", "P = 10^-5", "p = 3 × 10−4", "p=.05", "P ≤ 0.05",
    "(n = 12)", "n = 999999999999", "n = -4", "thirty-one patients", "1,000,000,000 patients",
    "12 patients were randomized", "randomized, double-blind, placebo-controlled", "phase 2",
    "NCT01884571", "(95% CI 1.2-3.4)", "versus placebo", "primary endpoint was survival",
    "basiliximab", "(ALS)", "Participants", ". ", "\n\n", "(", ")", "1", "0.", "-", ":", ";",
])
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=12), AWKWARD, CUES), max_size=40).map("".join)


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def check(record: Record) -> None:
    Record.model_validate(record.model_dump())   # the schema's own checks, spans included
    for span in record.spans():
        assert 0 <= span.start <= span.end <= len(record.text)
        assert record.text[span.start:span.end] == span.text
    for p in record.p_values:
        assert 0.0 <= p.value <= 1.0
    counts = record.sample_size
    for value in (counts.n, counts.enrolled, counts.randomized, counts.analyzed, counts.completed):
        assert value is None or 0 <= value <= MAX_SAMPLE_SIZE


@given(text=TEXT)
@SETTINGS
def test_any_text_gives_a_valid_record(extractor, text):
    record = extractor.extract(text, id="x")
    check(record)
    assert record.errors == []


@given(text=st.text(ANY_CHAR, max_size=300))
@SETTINGS
def test_any_unicode_string_gives_a_valid_record(extractor, text):
    check(extractor.extract(text, id="x"))


@given(title=TEXT, abstract=TEXT)
@SETTINGS
def test_any_title_and_abstract_through_the_readers(extractor, tmp_path_factory, title, abstract):
    """The same through a JSONL file: reader, pipeline and record."""
    import orjson

    path = tmp_path_factory.mktemp("props") / "doc.jsonl"
    path.write_bytes(orjson.dumps({"id": "x", "title": title, "abstract": abstract}) + b"\n")
    [record] = list(extractor.extract_documents(read_paths([path])))
    check(record)


@given(data=st.one_of(
    st.binary(max_size=400),
    TEXT.map(lambda t: t.encode("utf-8")),
    TEXT.map(lambda t: t.encode("utf-16")),
    st.tuples(st.sampled_from([b"<?xml version='1.0'?><PubmedArticleSet>", b"PMID- 1\nTI  - ", b'{"id": "a"',
                               b"\x1f\x8b", b"%PDF-", b"\xef\xbb\xbf"]), st.binary(max_size=200)).map(b"".join),
))
@SETTINGS
def test_any_bytes_give_documents_not_exceptions(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "input.bin"
    path.write_bytes(data)
    docs = list(read_paths([path]))
    assert docs
    for doc in docs:
        assert doc.errors or doc.text
        for error in doc.errors:
            assert error.message.strip()
