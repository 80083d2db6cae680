"""The whole path on the two seed documents: reader, pipeline, record, CLI."""
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.extractor import Extractor
from extract.readers import read_paths
from extract.schema import Record

from conftest import SEEDS

SEED_000 = "000_e57ad145d3f0bd88"
SEED_004 = "004_3e5f9a7b2ea04f88"
BOILERPLATE = ("Full text links", "Add like", "mobile app", "Copyright", "Related Resources", "CME")


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


@pytest.fixture(scope="module")
def seeds(extractor):
    return {r.id: r for r in extractor.extract_documents(read_paths([SEEDS]))}


def test_seed_000(seeds):
    r = seeds[SEED_000]
    assert r.title == ("An open label study of a novel immunosuppression intervention for the treatment of "
                       "amyotrophic lateral sclerosis.")
    assert (r.sample_size.n, r.sample_size.enrolled, r.sample_size.completed) == (31, 31, 18)
    assert {"open-label", "multicenter"} <= set(r.design.labels)
    assert not {"randomized", "double-blind", "single-blind", "triple-blind", "placebo-controlled",
                "first-in-human"} & set(r.design.labels)
    assert r.design.registrations == ["NCT01884571"]
    assert [i.name for i in r.interventions] == ["basiliximab", "tacrolimus", "mycophenolate", "prednisone"]
    assert [(p.comparator, p.value) for p in r.p_values] == [("=", 0.2), ("=", 0.2), ("=", 0.004), ("=", 0.031)]
    primary = [e.name for e in r.endpoints if e.role == "primary"]
    assert primary == ["rate of clinical response"]


def test_seed_004(seeds):
    r = seeds[SEED_004]
    assert r.sample_size.n == 5
    assert {"open-label", "single-center"} <= set(r.design.labels)
    assert "double-blind" not in r.design.labels
    assert r.design.phase == "2"
    assert [(i.name, i.kind) for i in r.interventions] == [("CL2020", "cell-therapy")]
    assert r.p_values == []
    assert [e.name for e in r.endpoints if e.role == "primary"] == ["safety and tolerability"]
    secondary = [e.name for e in r.endpoints if e.role == "secondary"]
    assert secondary == ["rate of change in the Revised Amyotrophic Lateral Sclerosis Functional Rating Scale "
                         "(ALSFRS-R) score"]


@pytest.mark.parametrize("seed", [SEED_000, SEED_004])
def test_no_boilerplate_and_spans_index_text(seeds, seed):
    r = seeds[seed]
    for phrase in BOILERPLATE:
        assert phrase not in r.title and phrase not in r.text
    assert r.text.startswith(r.title + "\n\n")
    assert r.errors == []
    for span in r.spans():
        assert r.text[span.start:span.end] == span.text


def test_python_api_on_raw_text(extractor):
    raw = (SEEDS / f"{SEED_004}.txt").read_text(encoding="utf-8")
    record = extractor.extract(raw, id="muse")
    assert isinstance(record, Record)
    assert record.id == "muse" and record.sample_size.n == 5
    assert record.title.startswith("Safety and Clinical Effects of a Muse Cell-Based Product")


def test_records_with_their_docs_match_the_records_alone(extractor, seeds):
    pairs = list(extractor.extract_with_docs(read_paths([SEEDS])))
    assert len(pairs) == len(seeds) == 2
    assert [r.model_dump() for r, _ in pairs] == [seeds[r.id].model_dump() for r, _ in pairs]
    for record, doc in pairs:  # the NER layer the record does not carry, on the record text
        assert doc.text == record.text
        assert all(record.text[s:e].strip() for s, e, _ in doc._.entities)
    assert {label for _, doc in pairs for _, _, label in doc._.entities} >= {"CHEMICAL", "DISEASE"}


def test_cli_run_writes_valid_jsonl(tmp_path):
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(app, ["run", str(SEEDS), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    records = [Record.model_validate(orjson.loads(line)) for line in out.read_bytes().splitlines()]
    assert [r.id for r in records] == [SEED_000, SEED_004]


def test_cli_run_keeps_going_past_a_bad_file_and_exits_1(tmp_path):
    (tmp_path / "a_broken.xml").write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>", encoding="utf-8")
    (tmp_path / "b_good.txt").write_text((SEEDS / f"{SEED_004}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "a_broken.xml"), str(tmp_path / "b_good.txt"),
                                      "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert records[0]["errors"] and records[0]["errors"][0]["stage"] == "read"
    assert records[-1]["id"] == "b_good" and records[-1]["sample_size"]["n"] == 5 and records[-1]["errors"] == []


def test_cli_usage_error_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2


def test_cli_schema_is_json_schema():
    result = CliRunner().invoke(app, ["schema"])
    schema = orjson.loads(result.output)
    assert result.exit_code == 0
    assert set(schema["properties"]) >= {"id", "text", "design", "sample_size", "interventions", "endpoints",
                                         "p_values", "errors"}


def test_token_facts_computed_once_match_spacy_on_a_web_copy(extractor):
    """The cached text and token offsets the components read are spaCy's own, line breaks and double
    spaces included (the text kept from the input, the offsets from the token index array)."""
    from extract.components.extensions import doc_text
    from extract.components.tokens import char_edges
    from extract.document import SourceDocument

    text = ("Results\n\nOf 120 patients  randomised (n = 60 per arm), 112 completed. Mean  HbA1c fell by "
            "0·8% vs. 0·1% (p<0·001).")
    document = SourceDocument(id="x", source="<test>", title="", abstract=text)
    doc = next(d for _, d in extractor.extract_with_docs([document]))
    fresh = extractor.nlp.make_doc(document.text)  # nothing cached: built from the tokens
    assert doc_text(doc) == doc_text(fresh) == doc.text == document.text
    assert char_edges(doc) == char_edges(fresh) == ([t.idx for t in doc], [t.idx + len(t) for t in doc])
    from extract.components.tokens import Tokens

    toks = Tokens(doc)
    assert toks.sentences == [(s.start, s.end) for s in doc.sents] and len(toks.sentences) == 3
    for text in ("", " ", "One sentence"):  # (an empty doc has no sentence)
        empty = extractor.nlp(text)
        assert Tokens(empty).sentences == [(s.start, s.end) for s in empty.sents]
    assert [toks.sentence(i) for i in range(len(doc))] == [
        next(k for k, s in enumerate(doc.sents) if s.start <= i < s.end) for i in range(len(doc))]


def test_casefolded_text_kept_for_the_last_text_only():
    from extract.components.extensions import casefolded

    first, second = "Straße K\u212a", "Mann-Whitney"
    assert casefolded(first) == "strasse kk" and casefolded(second) == "mann-whitney"
    assert casefolded(first) == "strasse kk"
