"""Bad input: every bad file or record becomes a record with a clear `errors` entry (or a logged skip
for what is not a document), and every good document of the same run is still extracted.

Everything goes through the command line (`extract run DIR --out F`) on real files made in tmp_path.
"""
from __future__ import annotations

import builtins
import gzip
import inspect
import logging
import os
import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from extract import cli
from extract.cli import app
from extract.readers.decode import MAX_LINE_BYTES
from extract.readers.fields import MAX_DOCUMENT_CHARS
from extract.readers.text import MAX_TEXT_BYTES
from extract.schema import Record

from conftest import SEEDS

SEED_004 = SEEDS / "004_3e5f9a7b2ea04f88.txt"   # n = 5 (see test_pipeline)
SEED_000 = SEEDS / "000_e57ad145d3f0bd88.txt"   # n = 31
# One process: the run reads in this process (monkeypatch works) and starts no worker pool.
ONE_WORKER = ["--workers", "1"] if "workers" in inspect.signature(cli.run).parameters else []

MINIMAL_PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
               b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
MINIMAL_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
               b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
               b"\x00\x00IEND\xaeB`\x82")
LATIN1 = "Caf\u00e9 na\u00efve \u00bd dose trial.\n\nTwelve patients (\u00e2ge 40\u00b15 years) were enrolled."
CP1252 = "\u201cSmart\u201d quotes \u2013 a trial.\n\nEighteen patients were enrolled \u2026 p = 0.02."
UTF16 = "\u03b2-blocker \u00e9tude.\n\nForty patients received \u03b2-blockers (p < 0.001)."


def run(*args: str) -> tuple[int, list[dict], str]:
    """(exit code, output records, stderr) of `extract run ARGS`; records are schema-validated."""
    out = Path(args[args.index("--out") + 1])
    result = CliRunner().invoke(app, ["run", *args, *ONE_WORKER])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    lines = out.read_bytes().splitlines() if out.exists() else []
    records = [orjson.loads(line) for line in lines]
    for record in records:
        Record.model_validate(record)
    return result.exit_code, records, getattr(result, "stderr", "") or result.output


def messages(record: dict) -> str:
    return " | ".join(e["message"] for e in record["errors"])


def jsonl(*rows) -> bytes:
    return b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in rows)


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """One run over a directory of every kind of bad input, with good documents before and after."""
    root = tmp_path_factory.mktemp("bad")
    inputs = root / "inputs"
    (inputs / "sub").mkdir(parents=True)
    files = {
        "00_good.txt": SEED_004.read_bytes(),
        "empty.txt": b"",
        "blank.txt": b"  \n\t \r\n   ",
        "nul.txt": b"Title\x00\x00\x01 more binary\x00",
        "paper.pdf": MINIMAL_PDF,
        "figure.png": MINIMAL_PNG,
        "latin1.txt": LATIN1.encode("latin-1"),
        "cp1252.txt": CP1252.encode("cp1252"),
        "utf16.txt": UTF16.encode("utf-16"),   # with its BOM
        "longline.txt": ("Patients were enrolled and randomized to treatment. " * 20200)[:1024 * 1024].encode(),
        "truncated.txt.gz": gzip.compress(SEED_000.read_bytes())[:700],   # cut in the middle
        "malformed.xml": b"<?xml version='1.0'?><PubmedArticleSet><PubmedArticle><MedlineCitation>"
                         b"<PMID>1</PMID></PubmedArticle>",
        "other.xml": b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>",
        "records.jsonl": jsonl(
            {"id": "j1", "title": "A trial.", "abstract": "Sixty patients were randomized (p = 0.03)."},
            b'{"id": "j2", "title": "cut off',
            b"not json at all",
            {"title": "No id here.", "abstract": "Ten patients."},
            {"id": "j5"},
            {"id": "j6", "title": ["not", "a", "string"], "abstract": 7},
            [1, 2, 3],
            {"id": "dup", "title": "First of two.", "abstract": "Twenty patients were enrolled."},
            {"id": "dup", "title": "Second of two.", "abstract": "Thirty patients were enrolled."},
        ),
        "zz_good.txt": SEED_000.read_bytes(),
        "sub/00_good.txt": SEED_004.read_bytes(),   # same file stem: a duplicate id across files
    }
    for name, data in files.items():
        (inputs / name).write_bytes(data)
    with open(inputs / "huge.txt", "wb") as handle:  # 50 MB of text
        block = b"Patients were randomized to drug or placebo and followed for a year.\n" * 15000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(block)
    (inputs / "sub" / "loop").symlink_to(inputs, target_is_directory=True)   # a directory loop
    (inputs / "sub" / "self").symlink_to(inputs / "sub" / "self")           # a symlink loop
    (inputs / "sub" / "dangling.txt").symlink_to(inputs / "nowhere.txt")    # a broken symlink
    out = root / "out.jsonl"
    code, records, stderr = run(str(inputs), "--out", str(out))
    return {"inputs": inputs, "code": code, "records": records, "stderr": stderr}


def by_source(bad_run, name: str) -> list[dict]:
    path = str(bad_run["inputs"] / name)
    return [r for r in bad_run["records"] if r["source"] == path]


def one(bad_run, name: str) -> dict:
    [record] = by_source(bad_run, name)
    return record


def test_exit_code_1_and_nothing_lost(bad_run):
    assert bad_run["code"] == 1
    sources = {Path(r["source"]).relative_to(bad_run["inputs"]).as_posix() for r in bad_run["records"]}
    assert sources == {"00_good.txt", "blank.txt", "cp1252.txt", "empty.txt", "figure.png", "huge.txt",
                       "latin1.txt", "longline.txt", "malformed.xml", "nul.txt", "other.xml", "paper.pdf",
                       "records.jsonl", "sub/00_good.txt", "truncated.txt.gz", "utf16.txt", "zz_good.txt"}
    assert len(bad_run["records"]) == 16 + 9   # one per file, nine for the JSONL file
    for record in bad_run["records"]:
        for error in record["errors"]:
            assert error["stage"] in ("read", "extract") and error["message"].strip()


def test_good_documents_around_the_bad_ones_are_extracted(bad_run):
    first, last = one(bad_run, "00_good.txt"), one(bad_run, "zz_good.txt")
    assert first["errors"] == [] and first["sample_size"]["n"] == 5 and first["interventions"]
    assert last["errors"] == [] and last["sample_size"]["n"] == 31 and len(last["p_values"]) == 4
    assert bad_run["records"][0]["id"] == "00_good" and bad_run["records"][-1]["source"].endswith("zz_good.txt")


@pytest.mark.parametrize("name, message", [
    ("empty.txt", "empty file"),
    ("blank.txt", "empty file (only whitespace)"),
    ("nul.txt", "binary file (contains NUL bytes), not text"),
    ("paper.pdf", "binary file (a PDF document), not text"),
    ("figure.png", "binary file (a PNG image), not text"),
    ("huge.txt", f"text file larger than {MAX_TEXT_BYTES // 2**20} MiB: not one abstract"),
    ("longline.txt", f"document too long: 1,048,576 characters (the limit is {MAX_DOCUMENT_CHARS:,}"),
    ("truncated.txt.gz", "truncated gzip file: the compressed data ends early"),
    ("malformed.xml", "malformed XML at line 1"),
    ("other.xml", "not PubMed XML: root element <{http://www.w3.org/2000/svg}svg>"),
])
def test_bad_file_gives_one_error_record(bad_run, name, message):
    record = one(bad_run, name)
    assert messages(record).startswith(message), messages(record)
    assert record["id"] == name.split(".")[0]
    assert record["text"] == "" and record["sample_size"]["n"] is None and record["p_values"] == []
    assert [e["stage"] for e in record["errors"]] == ["read"]


@pytest.mark.parametrize("name, title, text_part", [
    ("latin1.txt", "Caf\u00e9 na\u00efve \u00bd dose trial.", "(\u00e2ge 40\u00b15 years)"),
    ("cp1252.txt", "\u201cSmart\u201d quotes \u2013 a trial.", "enrolled \u2026 p = 0.02."),
    ("utf16.txt", "\u03b2-blocker \u00e9tude.", "Forty patients received \u03b2-blockers"),
])
def test_non_utf8_text_is_decoded(bad_run, name, title, text_part):
    record = one(bad_run, name)
    assert record["errors"] == []
    assert record["title"] == title and text_part in record["text"]


def test_utf16_document_is_extracted(bad_run):
    record = one(bad_run, "utf16.txt")
    assert record["sample_size"]["n"] == 40
    assert [(p["comparator"], p["value"]) for p in record["p_values"]] == [("<", 0.001)]


def test_jsonl_bad_lines_and_missing_fields(bad_run):
    records = by_source(bad_run, "records.jsonl")
    assert [r["id"] for r in records] == ["j1", "records:2", "records:3", "records:4", "j5", "j6",
                                         "records:7", "dup", "dup"]
    j1 = records[0]
    assert j1["errors"] == [] and j1["sample_size"]["n"] == 60 and j1["p_values"][0]["value"] == 0.03
    assert messages(records[1]).startswith("invalid JSON on line 2:")
    assert messages(records[2]).startswith("invalid JSON on line 3:")
    assert messages(records[3]) == "line 4: no 'id'"
    assert messages(records[4]) == "line 5: missing abstract and title"
    assert "line 6: 'title' must be a string, not list" in messages(records[5])
    assert "line 6: 'abstract' must be a string, not int" in messages(records[5])
    assert messages(records[6]) == "line 7: expected a JSON object, got list"


def test_duplicate_ids_keep_both_records_and_flag_the_second(bad_run):
    first, second = [r for r in bad_run["records"] if r["id"] == "dup"]
    assert first["errors"] == [] and first["sample_size"]["n"] == 20
    assert second["sample_size"]["n"] == 30   # still extracted
    assert messages(second) == ("duplicate id 'dup': an earlier document of this run has the same id "
                                "(both records are kept)")
    again = one(bad_run, "sub/00_good.txt")   # same file stem as 00_good.txt
    assert again["id"] == "00_good" and again["sample_size"]["n"] == 5
    assert messages(again).startswith("duplicate id '00_good'")


def test_directory_loops_and_broken_links_are_skipped(bad_run):
    # The symlink to a parent is not followed twice: every file was read exactly once (see the
    # count in test_exit_code_1_and_nothing_lost), and the skips are logged (next test).
    assert not [r for r in bad_run["records"] if "/loop/" in r["source"] or "self" in r["source"]]
    assert not [r for r in bad_run["records"] if "dangling" in r["source"]]


def test_skips_are_logged(tmp_path, caplog):
    from extract.readers import read_paths

    (tmp_path / "doc.txt").write_text("A title.\n\nAn abstract.", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path / "self")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(tmp_path / "fifo")
    with caplog.at_level(logging.WARNING, logger="extract.readers"):
        docs = list(read_paths([tmp_path]))
    assert [d.id for d in docs] == ["doc"] and not docs[0].errors
    logged = caplog.text
    assert f"skipped {tmp_path / 'loop'}: a directory already read" in logged
    assert f"skipped {tmp_path / 'self'}: " in logged
    assert f"skipped {tmp_path / 'dangling.txt'}: broken symlink" in logged
    assert f"skipped {tmp_path / 'fifo'}: not a regular file" in logged


def test_long_jsonl_line_is_skipped_and_the_next_lines_read(tmp_path):
    from extract.readers import read_paths

    path = tmp_path / "long.jsonl"
    with open(path, "wb") as handle:
        handle.write(jsonl({"id": "a", "title": "T.", "abstract": "A."}))
        handle.write(b'{"id": "huge", "abstract": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n')
        handle.write(jsonl({"id": "b", "title": "T.", "abstract": "B."}))
    docs = list(read_paths([path]))
    assert [d.id for d in docs] == ["a", "long:2", "b"]
    assert docs[1].errors[0].message == "line 2 longer than 8 MiB: skipped, not a document"
    assert not docs[0].errors and not docs[2].errors


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    """Tests may run as root, where chmod 000 does not block reading: simulate the refusal."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED_004, inputs / "a_good.txt")
    locked = inputs / "b_locked.txt"
    locked.write_text("Title.\n\nAbstract.", encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    code, records, _ = run(str(inputs), "--out", str(tmp_path / "out.jsonl"), "--quiet")
    monkeypatch.undo()
    assert code == 1
    assert [r["id"] for r in records] == ["a_good", "b_locked"]
    assert records[0]["errors"] == [] and records[0]["sample_size"]["n"] == 5
    assert messages(records[1]) == "permission denied"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads a chmod 000 file anyway (the simulated test covers it)")
def test_unreadable_file_chmod(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("Title.\n\nAbstract.", encoding="utf-8")
    locked.chmod(0)
    try:
        code, records, _ = run(str(locked), "--out", str(tmp_path / "out.jsonl"), "--quiet")
    finally:
        locked.chmod(0o644)
    assert code == 1 and messages(records[0]) == "permission denied"


# --- exit codes and --fail-fast ------------------------------------------------------------------

def test_fail_fast_stops_at_the_first_bad_document(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED_004, inputs / "a_good.txt")
    (inputs / "b_empty.txt").write_bytes(b"")
    shutil.copy(SEED_000, inputs / "c_good.txt")
    (inputs / "d_binary.txt").write_bytes(b"\x00\x01")
    out = tmp_path / "out.jsonl"
    code, records, _ = run(str(inputs), "--out", str(out), "--fail-fast", "--quiet")
    assert code == 1
    assert [r["id"] for r in records] == ["a_good", "b_empty"]   # nothing after the first failure
    assert records[0]["errors"] == [] and messages(records[1]) == "empty file"
    code, records, _ = run(str(inputs), "--out", str(out), "--quiet")   # without: all four
    assert code == 1 and [r["id"] for r in records] == ["a_good", "b_empty", "c_good", "d_binary"]


def test_exit_code_0_when_all_good_and_2_on_usage_errors(tmp_path):
    shutil.copy(SEED_004, tmp_path / "good.txt")
    code, records, _ = run(str(tmp_path / "good.txt"), "--out", str(tmp_path / "out.jsonl"), "--quiet")
    assert code == 0 and [r["errors"] for r in records] == [[]]
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(tmp_path / "missing.txt")]).exit_code == 2
    assert runner.invoke(app, ["run", str(tmp_path), "--no-such-option"]).exit_code == 2
    assert runner.invoke(app, ["run", str(tmp_path), "--batch-size", "0"]).exit_code == 2


def test_exit_codes_are_documented_in_help_and_readme():
    result = CliRunner().invoke(app, ["run", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "Exit codes: 0 every document extracted; 1 some documents failed" in text
    assert "2 usage error" in text and "--fail-fast" in text
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "## Bad input" in readme and "**Exit codes**" in readme


# --- extract score on malformed gold and results -------------------------------------------------

def _gold(directory: Path, name: str = "g1", text: str | None = None) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(text if text is not None else orjson.dumps(
        {"id": name, "source": "corpus/x.txt"}, option=orjson.OPT_INDENT_2).decode(), encoding="utf-8")
    return path


def _score(results: Path, gold: Path):
    result = CliRunner().invoke(app, ["score", str(results), "--gold", str(gold)])
    return result.exit_code, " ".join(result.output.split())


def test_score_names_file_line_and_field_of_bad_results(tmp_path):
    gold = tmp_path / "gold"
    _gold(gold)
    good = orjson.dumps({"id": "g1", "source": "x"}).decode()
    cases = [
        (f'{good}\n{{"id": "g2", "source": "x", "sample_size": {{"n": -3}}}}\n',
         "results.jsonl, line 2 (id 'g2'): field sample_size.n: Input should be greater than or equal to 0"),
        (f'{good}\n\n{{"id": "g2", "source": "x", "p_values": [{{"text": "p=2", "comparator": "=", '
         f'"value": 2, "span": {{"start": 0, "end": 0, "text": ""}}}}]}}\n',
         "results.jsonl, line 3 (id 'g2'): field p_values[0].value: Input should be less than or equal to 1"),
        (f'{good}\n{{"id": "g2", "source": \n', "results.jsonl, line 2: invalid JSON"),
        (f'{good}\n[1, 2]\n', "results.jsonl, line 2: expected a JSON object, got list"),
        (f'{good}\n{{"source": "x"}}\n', "results.jsonl, line 2 (id None): field id: Field required"),
    ]
    for text, message in cases:
        results = tmp_path / "results.jsonl"
        results.write_text(text, encoding="utf-8")
        code, output = _score(results, gold)
        assert code == 2 and message in output, output


def test_score_names_file_line_and_field_of_bad_gold(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text(orjson.dumps({"id": "g1", "source": "x"}).decode() + "\n", encoding="utf-8")
    cases = [
        ('{\n  "id": "g1",\n  "source": "corpus/x.txt",\n  "sample_size": {"n": -1}\n}\n',
         "g1.json: line 4: field sample_size.n: Input should be greater than or equal to 0"),
        ('{\n  "id": "g1",\n  "source": "corpus/x.txt",\n  "interventions": [\n'
         '    {"name": "a", "kind": "drug", "role": "experimental"},\n'
         '    {"name": "b",\n     "kind": "potion", "role": "control"}\n  ]\n}\n',
         "g1.json: line 7: field interventions[1].kind: Input should be"),
        ('{\n  "id": "g1",\n  "source": "corpus/x.txt",\n  "design": {"labels": ["randomised"]}\n}\n',
         "g1.json: line 4: field design.labels[0]: Input should be"),
        ('{\n  "id": "g1",\n  "source": "corpus/x.txt",\n  "notes": "a" "b"\n}\n',
         "g1.json: invalid JSON at line 4, column"),
        ('{\n  "id": "other",\n  "source": "corpus/x.txt"\n}\n',
         "g1.json: line 2: field id: 'other' does not match the file name 'g1.json'"),
        ('{\n  "id": "g1"\n}\n', "g1.json: line 1: field source: Field required"),
    ]
    for text, message in cases:
        gold = tmp_path / "gold"
        shutil.rmtree(gold, ignore_errors=True)
        _gold(gold, text=text)
        code, output = _score(results, gold)
        assert code == 2 and message in output, output
