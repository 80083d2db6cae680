"""Big runs on one machine: order whatever the workers, resume after SIGKILL, partial lines, gzip,
stdin/stdout, progress, exit codes."""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.output import iter_output_lines, prepare_resume
from extract.runner import ResumeError, RunOptions, estimate_total, run

from bigrun import BROKEN_XML, ids_of, reference_run, seeds_jsonl
from conftest import ROOT, SEEDS

OPTIONS = RunOptions(batch_size=8)
CLI = [sys.executable, "-m", "extract.cli"]


@pytest.fixture(scope="module")
def inputs() -> list[str]:
    return reference_run()[0]


@pytest.fixture(scope="module")
def reference() -> bytes:
    """The one-worker run, in this process."""
    return reference_run()[1]


def test_reference_is_whole_and_in_input_order(reference):
    ids = ids_of(reference)
    assert ids[:4] == ["000_e57ad145d3f0bd88-0000", "004_3e5f9a7b2ea04f88-0000",
                       "000_e57ad145d3f0bd88-0001", "004_3e5f9a7b2ea04f88-0001"]
    assert len(ids) == len(set(ids)) and ids[-1] == "z_broken"
    failed = [orjson.loads(line) for line in reference.splitlines() if b'"errors":[]' not in line]
    assert [r["id"] for r in failed] == ["z_broken"]
    assert reference.endswith(b"\n") and all(line.startswith(b"{") for line in reference.splitlines())


def test_two_workers_byte_identical_to_one(inputs, reference, tmp_path):
    out = tmp_path / "two.jsonl"
    summary = run(inputs, str(out), workers=2, options=RunOptions(batch_size=5), progress=False)
    assert out.read_bytes() == reference
    assert (summary.documents, summary.errors) == (len(reference.splitlines()), 1)


def test_sigkill_then_resume_gives_every_record_once(inputs, reference, tmp_path):
    out = tmp_path / "killed.jsonl"
    command = CLI + ["run", *inputs, "--out", str(out), "--workers", "2", "--batch-size", "4", "-q"]
    proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= 12:
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()!r}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    killed = out.read_bytes()
    assert 12 <= killed.count(b"\n") < len(reference.splitlines())
    assert reference.startswith(killed[:killed.rfind(b"\n") + 1])   # only whole, correct lines

    resumed = subprocess.run(command + ["--resume"], cwd=ROOT, stderr=subprocess.PIPE, timeout=300)
    assert resumed.returncode == 1, resumed.stderr  # the broken file is one failed document
    data = out.read_bytes()
    assert ids_of(data) == ids_of(reference)      # every id exactly once, in order
    assert data == reference                      # and the same records


def test_resume_cuts_a_partial_trailing_line(inputs, reference, tmp_path):
    lines = reference.splitlines(keepends=True)
    out = tmp_path / "partial.jsonl"
    cut = len(lines) - 6
    out.write_bytes(b"".join(lines[:cut]) + lines[cut][:37])
    summary = run(inputs, str(out), workers=1, options=OPTIONS, resume=True, progress=False)
    assert summary.skipped == cut and summary.documents == 6
    assert out.read_bytes() == reference


def test_resume_of_a_finished_run_adds_nothing(inputs, reference, tmp_path):
    out = tmp_path / "done.jsonl"
    out.write_bytes(reference)
    summary = run(inputs, str(out), workers=1, options=OPTIONS, resume=True, progress=False)
    assert summary.documents == 0 and out.read_bytes() == reference


def test_resume_refuses_another_input(inputs, reference, tmp_path):
    out = tmp_path / "other.jsonl"
    out.write_bytes(reference.splitlines(keepends=True)[1])
    with pytest.raises(ResumeError, match="not the same input"):
        run(inputs, str(out), workers=1, options=OPTIONS, resume=True, progress=False)


def test_gzip_output_and_resume_of_a_truncated_gzip(tmp_path):
    source = [str(seeds_jsonl(tmp_path / "in.jsonl", copies=8))]
    plain, out = tmp_path / "plain.jsonl", tmp_path / "out.jsonl.gz"
    run(source, str(plain), workers=1, options=OPTIONS, progress=False)
    run(source, str(out), workers=1, options=OPTIONS, progress=False)
    reference = plain.read_bytes()
    assert gzip.decompress(out.read_bytes()) == reference
    # a run killed mid-way: sync-flushed batches of lines, then a cut inside the compressed data
    lines = reference.splitlines(keepends=True)
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    data = packer.compress(b"".join(lines[:10])) + packer.flush(zlib.Z_SYNC_FLUSH)
    data += packer.compress(b"".join(lines[10:14])) + packer.flush(zlib.Z_SYNC_FLUSH)
    out.write_bytes(data[:-20])
    assert len(list(iter_output_lines(str(out)))) >= 10
    summary = run(source, str(out), workers=1, options=OPTIONS, resume=True, progress=False)
    assert summary.skipped >= 10 and summary.skipped + summary.documents == len(lines)
    with gzip.open(out) as handle:  # whole members: the rewritten prefix, then the appended rest
        assert handle.read() == reference


def test_prepare_resume_on_missing_and_empty_files(tmp_path):
    assert list(prepare_resume(str(tmp_path / "none.jsonl"))) == []
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert list(prepare_resume(str(tmp_path / "empty.jsonl"))) == []
    (tmp_path / "p.jsonl").write_bytes(b'{"id":"a"}\n{"id":"b"}\n{"id":')
    assert list(prepare_resume(str(tmp_path / "p.jsonl"))) == ["a", "b"]
    assert (tmp_path / "p.jsonl").read_bytes() == b'{"id":"a"}\n{"id":"b"}\n'


def test_stdin_to_stdout(tmp_path):
    source = seeds_jsonl(tmp_path / "in.jsonl", copies=4)
    expected = tmp_path / "expected.jsonl"
    run([str(source)], str(expected), workers=1, options=OPTIONS, progress=False)
    piped = subprocess.run(CLI + ["run", "-", "--workers", "1", "--batch-size", "3", "-q"], cwd=ROOT,
                           input=source.read_bytes(), capture_output=True, timeout=300)
    assert piped.returncode == 0, piped.stderr
    # the source of a stdin record is "-"; everything else is the same
    assert piped.stdout == expected.read_bytes().replace(str(source).encode(), b"-")
    assert piped.stderr == b""


def test_progress_bar_and_summary_on_stderr(tmp_path):
    out = tmp_path / "p.jsonl"
    result = CliRunner().invoke(app, ["run", str(SEEDS), "--out", str(out), "-j", "1"])
    assert result.exit_code == 0
    assert "2 documents, 0 errors" in result.stderr
    quiet = CliRunner().invoke(app, ["run", str(SEEDS), "--out", str(out), "-j", "1", "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_progress_bar_when_asked(tmp_path, capsys):
    run([str(SEEDS)], str(tmp_path / "p.jsonl"), workers=1, options=OPTIONS, progress=True)
    err = capsys.readouterr().err
    assert "2/2" in err and "docs" in err and "errors=0" in err


def test_estimate_total(tmp_path):
    assert estimate_total([str(SEEDS)]) == 2
    assert estimate_total([str(seeds_jsonl(tmp_path / "s.jsonl", copies=3)), str(SEEDS)]) == 8
    (tmp_path / "x.xml").write_text(BROKEN_XML, encoding="utf-8")
    assert estimate_total([str(tmp_path / "x.xml")]) is None
    assert estimate_total(["-"]) is None


# ------------------------------------------------------------------------------------ exit codes
def invoke(*args: str):
    return CliRunner().invoke(app, ["run", *args])


def test_exit_0_1_and_fail_fast(tmp_path):
    broken = tmp_path / "a_broken.xml"
    broken.write_text(BROKEN_XML, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert invoke(str(SEEDS), "--out", str(out), "-q", "-j", "1").exit_code == 0
    assert invoke(str(broken), str(SEEDS), "--out", str(out), "-q", "-j", "1").exit_code == 1
    assert len(out.read_bytes().splitlines()) == 3
    fast = invoke(str(broken), str(SEEDS), "--out", str(out), "-j", "1", "--fail-fast")
    assert fast.exit_code == 1 and "error: a_broken" in fast.stderr
    assert ids_of(out.read_bytes()) == ["a_broken"]


@pytest.mark.parametrize("args, message", [
    (["missing.txt"], "no such file"),
    ([str(SEEDS), "--resume"], "--resume needs --out"),
    ([str(SEEDS), "--workers", "0"], ""),
    ([str(SEEDS), "--scheduler", "local", "--out", "-"], "--scheduler needs"),
])
def test_usage_errors_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_resume_mismatch_is_a_usage_error(tmp_path):
    out = tmp_path / "o.jsonl"
    out.write_bytes(orjson.dumps({"id": "something-else"}) + b"\n")
    result = invoke(str(SEEDS), "--out", str(out), "--resume", "-j", "1")
    assert result.exit_code == 2 and "not the same input" in result.stderr


def test_a_renewed_pipeline_gives_the_same_records(monkeypatch, tmp_path):
    from extract import runner

    source = [str(seeds_jsonl(tmp_path / "in.jsonl", copies=5))]
    expected, renewed = tmp_path / "expected.jsonl", tmp_path / "renewed.jsonl"
    run(source, str(expected), workers=1, options=RunOptions(batch_size=4), progress=False)
    builds = []
    make = RunOptions.make_extractor
    monkeypatch.setattr(RunOptions, "make_extractor", lambda self: builds.append(1) or make(self))
    monkeypatch.setattr(runner, "RECYCLE_AFTER", 6)
    run(source, str(renewed), workers=1, options=RunOptions(batch_size=4), progress=False)
    assert len(builds) >= 1 and renewed.read_bytes() == expected.read_bytes()
