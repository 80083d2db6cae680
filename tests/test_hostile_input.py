"""Hostile input: XML that tries to read files, fetch URLs or expand entities without end; text made
to send regular expressions, the tokenizer or the abbreviation detector into catastrophic backtracking.

Nothing may be read, fetched or blown up, and every document must finish within a generous bound
(a hang guard, not a speed measurement).
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from extract.extractor import Extractor
from extract.readers import read_paths
from extract.schema import Record

from conftest import SEEDS
from test_bad_input import messages, run

HERE = Path(__file__).resolve().parent
SEED_004 = SEEDS / "004_3e5f9a7b2ea04f88.txt"
DOCUMENT_BOUND = 20.0   # seconds per hostile document through the whole pipeline
PATTERN_BOUND = 5.0     # seconds per pattern and adversarial string (see tests/regex_sweep.py)
PASSWD = Path("/etc/passwd")


def article_set(body: str, doctype: str = "", pmid: str = "42") -> bytes:
    return (f'<?xml version="1.0"?>\n{doctype}<PubmedArticleSet><PubmedArticle><MedlineCitation>'
            f"<PMID>{pmid}</PMID><Article><ArticleTitle>{body}</ArticleTitle><Abstract><AbstractText>"
            f"Ten patients were enrolled.</AbstractText></Abstract></Article></MedlineCitation>"
            f"</PubmedArticle></PubmedArticleSet>\n").encode()


LAUGHS = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
HOSTILE_XML = {
    "xxe_file.xml": article_set("&xxe;", '<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'),
    "xxe_http.xml": article_set("&xxe;", '<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM '
                                         '"http://127.0.0.1:9/steal?file=passwd">]>\n'),
    "xxe_parameter.xml": article_set("x", '<!DOCTYPE PubmedArticleSet [<!ENTITY % remote SYSTEM '
                                          '"http://127.0.0.1:9/evil.dtd"> %remote;]>\n'),
    "billion_laughs.xml": article_set("&lol9;", f'<!DOCTYPE PubmedArticleSet [<!ENTITY lol0 "lol">{LAUGHS}]>\n'),
    "quadratic.xml": article_set("&big;" * 2000, '<!DOCTYPE PubmedArticleSet [<!ENTITY big "' + "x" * 50000
                                 + '">]>\n'),
}
REFUSED = {  # file -> the error its record carries
    "xxe_file.xml": "unsafe XML refused (declares entity 'xxe'); nothing was expanded",
    "xxe_http.xml": "unsafe XML refused (declares entity 'xxe'); nothing was expanded",
    "xxe_parameter.xml": "unsafe XML refused (declares entity 'remote'); nothing was expanded",
    "billion_laughs.xml": "unsafe XML refused (declares entity 'lol0'); nothing was expanded",
    "quadratic.xml": "unsafe XML refused (declares entity 'big'); nothing was expanded",
}


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a connection is recorded and refused."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def passwd_lines() -> list[str]:
    if not PASSWD.is_file():
        return ["root:x:0:0:"]
    return [line for line in PASSWD.read_text(errors="replace").splitlines() if len(line) > 8]


def test_hostile_xml_is_refused_and_nothing_gets_in(tmp_path, no_network):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, data in HOSTILE_XML.items():
        (inputs / name).write_bytes(data)
    (inputs / "dtd_fetch.xml").write_bytes(article_set("A fine title.", (
        '<!DOCTYPE PubmedArticleSet SYSTEM "http://127.0.0.1:9/pubmed_250101.dtd">\n')))
    (inputs / "xinclude.xml").write_bytes(article_set(
        'Title <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" '
        'parse="text"/>.', pmid="43"))
    shutil.copy(SEED_004, inputs / "zz_good.txt")
    out = tmp_path / "out.jsonl"
    started = time.perf_counter()
    code, records, _ = run(str(inputs), "--out", str(out), "--quiet")
    assert time.perf_counter() - started < 60
    assert code == 1 and no_network == []
    by_name = {Path(r["source"]).name: r for r in records}
    assert len(records) == len(by_name) == len(HOSTILE_XML) + 3
    for name, message in REFUSED.items():
        record = by_name[name]
        assert messages(record) == message and record["text"] == "" and record["id"] == name[:-4]
    # A DOCTYPE naming an external DTD is read without fetching it; XInclude is not processed.
    assert by_name["dtd_fetch.xml"]["errors"] == [] and by_name["dtd_fetch.xml"]["title"] == "A fine title."
    assert by_name["xinclude.xml"]["title"] == "Title ." and by_name["xinclude.xml"]["errors"] == []
    good = by_name["zz_good.txt"]
    assert good["errors"] == [] and good["sample_size"]["n"] == 5
    output = out.read_text(encoding="utf-8")
    for line in passwd_lines():
        assert line not in output
    assert "lollol" not in output and "x" * 1000 not in output


def test_entity_expansion_costs_no_memory_or_time():
    bomb = "".join(f'<!ENTITY e{i} "{("&e%d;" % (i - 1)) * 10}">' for i in range(1, 30))
    data = article_set("&e29;", f'<!DOCTYPE PubmedArticleSet [<!ENTITY e0 "boom">{bomb}]>\n')
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"extract-bomb-{os.getpid()}.xml"
    path.write_bytes(data)
    try:
        tracemalloc.start()
        started = time.perf_counter()
        [doc] = list(read_paths([path]))
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        path.unlink()
    assert "unsafe XML refused" in messages(Record(id=doc.id, source=doc.source, errors=doc.errors).model_dump())
    assert seconds < 2 and peak < 20 * 1024 * 1024


def test_gzip_bomb_is_not_inflated(tmp_path):
    """100 MB of text compressed to ~100 KB: the text reader stops after its 4 MiB cap."""
    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb", compresslevel=9) as handle:
        block = b"a " * (1024 * 1024)
        for _ in range(50):
            handle.write(block)
    tracemalloc.start()
    try:
        [doc] = list(read_paths([path]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc.errors[0].message.startswith("text file larger than 4 MiB")
    assert peak < 64 * 1024 * 1024


def test_xml_gzip_bomb_is_not_inflated(tmp_path):
    """One article, then one whose abstract is 100 MB of text (~100 KB compressed): the first is read,
    the second refused once its XML passes the per-article cap; memory stays flat."""
    from extract.readers.pubmed_xml import MAX_ARTICLE_BYTES

    path = tmp_path / "bomb.xml.gz"
    first = article_set("First.").split(b"</PubmedArticleSet>")[0]
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(first + b"<PubmedArticle><MedlineCitation><PMID>2</PMID><Article><Abstract><AbstractText>")
        block = b"a" * (1024 * 1024)
        for _ in range(100):
            handle.write(block)
        handle.write(b"</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>")
    tracemalloc.start()
    try:
        docs = list(read_paths([path]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.id for d in docs] == ["42", "bomb"] and not docs[0].errors
    assert docs[1].errors[0].message == (f"XML article larger than {MAX_ARTICLE_BYTES // 2**20} MiB: not read "
                                         "(after 1 document read)")
    assert peak < 4 * MAX_ARTICLE_BYTES


# --- regular expressions: no catastrophic backtracking --------------------------------------------

def test_every_compiled_pattern_is_linear_on_adversarial_strings():
    """tests/regex_sweep.py finds every compiled pattern (components, readers, numbers...) and runs it
    over 100,000-character adversarial strings, in a subprocess: `re` has no timeout of its own."""
    try:
        paths = [str(HERE.parent), os.environ.get("PYTHONPATH", "")]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
        result = subprocess.run([sys.executable, str(HERE / "regex_sweep.py")], capture_output=True,
                                text=True, timeout=240, cwd=HERE.parent, env=env)  # the code under test
    except subprocess.TimeoutExpired as exc:
        lines = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        pytest.fail(f"the sweep hung; last pattern started: {lines.strip().splitlines()[-1:]}")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    count = rows[0]["patterns"]
    timings = [row for row in rows if "seconds" in row]
    assert count > 100   # design, p-values, sample size, interventions, endpoints, sentences, readers...
    paths = {row["pattern"] for row in timings}
    # (extract_sentences has no pattern: it works on token strings and word sets; the whole-document
    # tests below cover it.)
    for expected in ("extract_p_values", "extract_sample_size", "extract_interventions", "extract_endpoints",
                     "extract_design", "extract_conditions", "extract.readers.text", "extract.readers.pubmed_xml",
                     "extract.readers.medline", "extract.readers.detect", "extract.numbers", "extract.guards"):
        assert any(path.startswith(expected) for path in paths), expected
    slow = [(row["pattern"], row["string"], row["seconds"], row["source"]) for row in timings
            if row["seconds"] > PATTERN_BOUND]
    assert not slow


# --- whole hostile documents through the full pipeline --------------------------------------------

@pytest.fixture(scope="module")
def extractor():
    return Extractor()


N = 100_000
HOSTILE_TEXTS = {
    "repeated letter": "a" * N,
    "repeated capital P": "P" * N,
    "digit run": "1" * N,
    "decimal digit run": "0." + "9" * N,
    "nested parentheses": "(" * (N // 2) + ")" * (N // 2),
    "spaced nested parentheses": "( " * (N // 4) + ") " * (N // 4),
    "nested parenthetical clauses": "Patients (n = 12 (" * 3000 + "))" * 3000,
    "p = repeated": "p = " * (N // 4),
    "p < 0.05 repeated": "(P < 0.05) " * (N // 11),
    "spaces": "Title.\n\nPatients" + " " * N + "were enrolled.",
    "quotes": '"' * N,
    "number words": "thirty one " * (N // 11) + "patients",
    "sample size cues": "(n = 12) patients were randomized and " * (N // 40),
    "registration-like": "NCT" + "0" * N,
    "unicode": "\u202e\u0301\u200b\ufeff\u00a0" * (N // 5),
}


@pytest.mark.parametrize("label", list(HOSTILE_TEXTS))
def test_hostile_document_finishes_within_bound(extractor, label):
    text = HOSTILE_TEXTS[label]
    started = time.perf_counter()
    record = extractor.extract(text, id="hostile")
    seconds = time.perf_counter() - started
    assert seconds < DOCUMENT_BOUND, f"{label}: {seconds:.1f} s"
    Record.model_validate(record.model_dump())   # spans index the text
    assert all(0.0 <= p.value <= 1.0 for p in record.p_values)


def test_guards_change_nothing_on_ordinary_text(extractor):
    """The bounded tokenizer (extract/guards.py) gives the same tokens as scispaCy's on real
    abstracts, and keeps hostile text exact (the abbreviation finder's bound is tested with it, in
    tests/test_abbreviations.py)."""
    from extract.tokenizer import scispacy_tokenizer

    nlp = extractor.nlp
    plain = scispacy_tokenizer(nlp)
    for doc in read_paths([SEEDS]):
        assert [t.text for t in nlp.make_doc(doc.text)] == [t.text for t in plain(doc.text)]
    for text in ("x " + "(" * 5000 + " y", "a" * 1000 + "\n  " + '"' * 900 + " end", " " * 3 + "-" * 401):
        assert nlp.tokenizer(text).text == text


@pytest.mark.parametrize("text, cut", [
    ("Patients were randomized. " * 40, False),          # long text, short words: no regex scan
    ("x " + "(" * 500 + " y", True),
    ("a" * 250 + "\x1c" + "a" * 250, True),              # str.split() splits at \x1c, regex's \s does not
    ("a" * 250 + "\u2003" + "a" * 250, False),           # an em space ends a run for both
    (" \n" * 300, False),                                 # only whitespace: no run at all
])
def test_long_run_check_agrees_with_the_regex(text, cut):
    from extract.guards import _LONG_RUN, _may_have_long_run

    assert bool(_LONG_RUN.search(text)) is cut
    assert _may_have_long_run(text) or not cut   # never says "no long run" when there is one

