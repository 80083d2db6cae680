"""The Dask run: a LocalCluster of 2 worker processes gives the local run's output, record for record,
even when a worker is killed mid-run."""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("dask.distributed")

from extract.distributed import PART, plan_partitions, run_distributed  # noqa: E402
from extract.runner import RunOptions  # noqa: E402

from bigrun import MEDLINE, ids_of, reference_run, seeds_jsonl  # noqa: E402
from conftest import SEEDS  # noqa: E402

OPTIONS = RunOptions(batch_size=8)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_plan_cuts_files_into_record_ranges():
    inputs = [("a.xml", None), ("bad", "cannot list directory"), ("b.jsonl", None)]
    plan = plan_partitions(inputs, [5, 2], partition_size=2)
    assert [(p.index, p.path, p.start, p.stop, p.problem) for p in plan] == [
        (0, "a.xml", 0, 2, None), (1, "a.xml", 2, 4, None), (2, "a.xml", 4, None, None),
        (3, "bad", 0, None, "cannot list directory"), (4, "b.jsonl", 0, None, None)]
    assert plan[0].location == os.path.abspath("a.xml")


def test_estimates_only_balance_the_partitions(tmp_path):
    """A file with more records than estimated: its open-ended last partition reads them all."""
    from extract.distributed import _documents, estimate_records

    source = seeds_jsonl(tmp_path / "s.jsonl", copies=3)
    assert estimate_records(str(source)) == 6
    assert estimate_records(str(SEEDS / "000_e57ad145d3f0bd88.txt")) == 1
    if MEDLINE.is_dir():  # PubMed XML and MEDLINE text: the estimate is right on the samples
        from extract.readers import read_file

        for sample in sorted(MEDLINE.iterdir()):
            assert estimate_records(str(sample)) == len(list(read_file(str(sample)))), sample.name
    plan = plan_partitions([(str(source), None)], [3], partition_size=2)
    assert [len(list(_documents(p))) for p in plan] == [2, 4]


def test_same_output_as_the_local_run(client, tmp_path):
    inputs, reference = reference_run()
    out = tmp_path / "dask.jsonl"
    summary = run_distributed(inputs, str(out), client, options=OPTIONS, partition_size=16)
    assert out.read_bytes() == reference
    assert (summary.documents, summary.errors) == (len(reference.splitlines()), 1)
    assert not Path(f"{out}.parts").exists()   # part files removed once merged


def test_a_worker_killed_mid_run_loses_nothing(client, tmp_path):
    inputs, reference = reference_run()
    out = tmp_path / "killed.jsonl"
    parts = tmp_path / "parts"
    pids = client.run(os.getpid)
    killed: dict = {}

    def kill_one_worker():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = list(parts.glob("part-*.jsonl")) if parts.is_dir() else []
            if len(done) >= 2:
                address, pid = sorted(pids.items())[0]
                killed.update(pid=pid, parts_done=len(done))
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    summary = run_distributed(inputs, str(out), client, options=OPTIONS, partition_size=4,
                              parts_dir=str(parts), keep_parts=True)
    killer.join()
    partitions = len(list(parts.glob("part-*.jsonl")))
    assert killed and killed["parts_done"] < partitions, "the worker was not killed mid-run"
    assert ids_of(out.read_bytes()) == ids_of(reference)   # every record exactly once, in order
    assert out.read_bytes() == reference
    assert summary.documents == len(reference.splitlines())
    assert (parts / PART.format(0)).exists()


def test_resume_reuses_the_part_files(client, tmp_path):
    inputs, reference = reference_run()
    out = tmp_path / "resumed.jsonl.gz"
    parts = tmp_path / "parts"
    run_distributed(inputs, str(out), client, options=OPTIONS, partition_size=32, parts_dir=str(parts),
                    keep_parts=True)
    first = sorted(parts.glob("part-*.jsonl"))
    (first[-1]).unlink()                     # a stopped run: the last part was never written
    stamps = {p.name: p.stat().st_mtime_ns for p in first[:-1]}
    summary = run_distributed(inputs, str(out), client, options=OPTIONS, partition_size=32,
                              parts_dir=str(parts), resume=True, keep_parts=True)
    assert gzip.decompress(out.read_bytes()) == reference
    assert summary.documents == len(reference.splitlines())
    assert {p.name: p.stat().st_mtime_ns for p in first[:-1]} == stamps   # not redone
    assert first[-1].exists()


def test_repeated_ids_are_flagged_as_on_one_machine(client, tmp_path):
    from extract.runner import run

    first = seeds_jsonl(tmp_path / "a.jsonl", copies=2)
    second = tmp_path / "b.jsonl"
    second.write_bytes(first.read_bytes())          # the same ids again, in another file
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    expected = run([str(first), str(second)], str(local), workers=1, options=OPTIONS, progress=False)
    summary = run_distributed([str(first), str(second)], str(dask), client, options=OPTIONS, partition_size=3)
    assert dask.read_bytes() == local.read_bytes()
    assert b"duplicate id" in dask.read_bytes()
    assert summary.errors == expected.errors == 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc")
def test_worker_undoes_dasks_malloc_trim_threshold():
    """Under Dask's MALLOC_TRIM_THRESHOLD_=65536 every large numpy array is mapped afresh (a page
    fault per 4 KB); after `adaptive_malloc_thresholds` the heap reuses the memory."""
    code = """
import resource, numpy
from extract.distributed import adaptive_malloc_thresholds
def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        numpy.ones(500_000).sum()   # 4 MB, allocated and freed
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
faults()
plain = faults()
assert adaptive_malloc_thresholds()
faults()
print(plain, faults())
"""
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    plain, tuned = map(int, out.stdout.split())
    assert plain > 20_000 and tuned < plain / 20
