"""The same job on a Dask distributed cluster: `extract run --scheduler ADDRESS`, or `run_distributed`.

1. The input paths are listed here (the client); the workers estimate each file's records (a byte scan).
2. Each file is cut into partitions of about `partition_size` records (file, record range); one
   task per partition reads its range, extracts it with the worker's pipeline (built once per worker
   process, cached) and writes the JSON lines to a part file, atomically (temporary name, rename).
3. The client appends the part files to the output in input order, as they come in; the output is
   the same, byte for byte, as `extract run` on one machine.

Dask does the scheduling, the retries and the recovery from lost workers (a task whose worker dies
is run again elsewhere; a part file is written whole or not at all, so nothing is lost or doubled).
The part files live in `<out>.parts/` (a directory every worker can write to: on a real cluster, a
shared file system, like the inputs); they are removed once merged. `resume=True` keeps the part
files of a stopped run and only runs the partitions that have none.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Optional, Sequence

import orjson

from .readers.seen_ids import SeenIds
from .runner import (ExtractorCache, ResumeError, RunOptions, RunSummary, WorkerCrash, batched,
                     process_batch)

PART = "part-{:06d}.jsonl"
PLAN = "plan.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Partition:
    """Records [start, stop) of one input file, in job order."""

    index: int
    path: str                      # as listed on the client: the records' `source`
    location: str                  # where workers open it (absolute)
    start: int = 0
    stop: Optional[int] = None     # None: to the end of the file
    problem: Optional[str] = None  # an input that could not be listed: one error record


@dataclass
class PartResult:
    index: int
    documents: int
    failures: list  # (line number in the part, id, source, message)
    ids: list = field(default_factory=list)
    cpu_seconds: float = 0.0  # spent extracting (0 when the part file was already there)


# ------------------------------------------------------------------------------------ worker side
def estimate_records(location: str) -> int:
    """About how many records a file holds, from a fast scan of its bytes (gzip looked into):
    PubMed XML article tags, MEDLINE "PMID-" lines, JSONL lines, else 1. Only the balance of the
    partitions depends on it: the last partition of a file reads to its end, whatever the estimate."""
    from .readers.decode import GZIP_MAGIC, HEAD_SIZE, open_input
    from .readers.detect import JSONL, MEDLINE, PUBMED_XML, detect_format

    try:
        with open_input(location) as (head, stream):
            kind = detect_format(head, os.path.basename(location))
            markers = {PUBMED_XML: (b"<PubmedArticle>", b"<PubmedBookArticle>"),
                       MEDLINE: (b"PMID-",), JSONL: (b"\n",)}.get(kind)
            if markers is None:
                return 1
            count, tail = 0, b""
            while chunk := stream.read(_CHUNK):
                data = tail + chunk
                count += sum(data.count(m) for m in markers)
                tail = data[-24:]
                count -= sum(tail.count(m) for m in markers)  # counted again with the next chunk
            count += sum(tail.count(m) for m in markers)
            return max(count, 1)
    except Exception:  # noqa: BLE001 - the reader will report it, as one error record
        return 1


_extractors = ExtractorCache()
_lock = threading.Lock()  # one pipeline per worker process; its threads take turns (the GIL would anyway)
_malloc_tuned = False     # adaptive_malloc_thresholds() has run in this worker process


def _extractor(options: RunOptions, documents: int = 0):
    """The worker process's pipeline, built once (renewed every RECYCLE_AFTER documents, like
    `extract run`'s). Call it holding `_lock`."""
    global _malloc_tuned
    if not _malloc_tuned:
        _malloc_tuned = True
        adaptive_malloc_thresholds()
    return _extractors.get(options, documents)


def adaptive_malloc_thresholds() -> bool:
    """Undo, in this worker process, what Dask's nanny's MALLOC_TRIM_THRESHOLD_=65536 does to numpy.

    Setting any glibc malloc threshold turns off glibc's adaptive mmap threshold, so every array
    over 128 KB (the NER encoder's, for one) is mapped fresh and unmapped again, page by page: 60
    times more page faults and a 20% slower pipeline. This sets the thresholds where the adaptive
    rule would settle (mmap above 32 MB, trim above 64 MB). Linux/glibc only; returns whether set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 64 << 20))


def _documents(partition: Partition):
    from .readers import read_file, stem_of
    from .readers.fields import document

    if partition.problem is not None:
        yield document(stem_of(partition.path), partition.path, error=partition.problem)
        return
    for doc in islice(read_file(partition.location), partition.start, partition.stop):
        if doc.source == partition.location:
            doc.source = partition.path
        yield doc


def extract_partition(partition: Partition, options: RunOptions, parts_dir: str) -> PartResult:
    """Extract one partition into its part file (skipped when the part file is already there)."""
    target = os.path.join(parts_dir, PART.format(partition.index))
    cpu = time.process_time()
    if not os.path.exists(target):
        tmp = f"{target}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as handle:
            for batch in batched(_documents(partition), options.batch_size):
                with _lock:
                    lines = process_batch(_extractor(options, len(batch)), batch).lines
                handle.write(b"".join(lines))
        os.replace(tmp, target)
    result = scan_part(partition.index, target)
    result.cpu_seconds = time.process_time() - cpu
    return result


def scan_part(index: int, path: str) -> PartResult:
    """Count the records of a part file, list their ids and the failed ones."""
    result = PartResult(index=index, documents=0, failures=[])
    with open(path, "rb") as handle:
        for number, line in enumerate(handle):
            result.documents += 1
            record = orjson.loads(line)
            result.ids.append(record["id"])
            if record.get("errors"):
                result.failures.append((number, record["id"], record["source"],
                                        record["errors"][0]["message"]))
    return result


# ------------------------------------------------------------------------------------ client side
def plan_partitions(inputs: Sequence[tuple[str, Optional[str]]], estimates: Sequence[int],
                    partition_size: int) -> list[Partition]:
    """Cut each input file into record ranges of about `partition_size` (by its estimated number of
    records), in input order; the last range of a file is open-ended, so no record is left out."""
    out: list[Partition] = []
    files = iter(estimates)
    for path, problem in inputs:
        if problem is not None:
            out.append(Partition(len(out), path, path, problem=problem))
            continue
        estimate = next(files)
        location = os.path.abspath(path)
        starts = list(range(0, max(estimate, 1), partition_size))
        for start, stop in zip(starts, starts[1:] + [None]):
            out.append(Partition(len(out), path, location, start, stop))
    return out


def connect(scheduler: str):
    """(client, cluster or None): "local" or "local:N" starts a LocalCluster of N worker processes
    (default: all cores), one thread each; anything else is a scheduler address."""
    from dask.distributed import Client, LocalCluster

    if scheduler == "local" or scheduler.startswith("local:"):
        n = int(scheduler.partition(":")[2] or os.cpu_count() or 1)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def run_distributed(paths: Sequence[str], out: str, scheduler, *, options: RunOptions = RunOptions(),
                    partition_size: int = 10_000, resume: bool = False, fail_fast: bool = False,
                    parts_dir: Optional[str] = None, keep_parts: bool = False, retries: int = 2,
                    progress: Optional[bool] = False,
                    log: Optional[Callable[[str], None]] = None) -> RunSummary:
    """Run `extract run` for `paths` on a Dask cluster and write `out` (".gz": gzip).

    `scheduler`: an address ("tcp://host:8786"), "local[:N]", or a `dask.distributed.Client`.
    Part files go to `parts_dir` (default `<out>.parts`), which every worker must be able to write.
    Raises WorkerCrash when a partition fails for good (after `retries` and Dask's own worker-loss
    retries); its finished parts are kept, so `resume=True` goes on from there.
    """
    from dask.distributed import Client, as_completed

    from .output import open_output, write_lines
    from .readers.paths import iter_inputs

    started = time.monotonic()
    if out == "-":
        raise ValueError("a distributed run needs an output file")
    parts = os.path.abspath(parts_dir or f"{out}.parts")
    _prepare_parts(parts, out, resume)
    if isinstance(scheduler, Client):
        client, cluster = scheduler, None
    else:
        client, cluster = connect(scheduler)
    summary = RunSummary()
    bar = None
    try:
        inputs = [item for given in paths for item in iter_inputs(str(given))]
        files = [os.path.abspath(path) for path, problem in inputs if problem is None]
        estimates = client.gather(client.map(estimate_records, files, pure=False, retries=retries))
        partitions = plan_partitions(inputs, estimates, partition_size)
        _check_plan(parts, partitions, options, resume)
        futures = client.map(extract_partition, partitions, options=options, parts_dir=parts,
                             pure=False, retries=retries)
        position = {future.key: i for i, future in enumerate(futures)}
        bar = _bar(sum(estimates) + sum(p.problem is not None for p in partitions), progress)
        ready: dict[int, PartResult] = {}
        following = 0
        duplicates = DuplicateIds()
        with open_output(out) as stream:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - the task failed for good
                    raise WorkerCrash(f"partition {position[future.key]} failed: {type(exc).__name__}: "
                                      f"{exc}; finished parts are kept in {parts}: run again with "
                                      "--resume to continue") from exc
                ready[result.index] = result
                summary.cpu_seconds += result.cpu_seconds
                if bar:
                    bar.update(result.documents)
                while following in ready and not summary.stopped:
                    _merge(ready.pop(following), parts, stream, summary, fail_fast, log, bar, write_lines,
                           duplicates)
                    following += 1
                if summary.stopped:
                    client.cancel(futures)
                    break
        if not keep_parts:
            shutil.rmtree(parts, ignore_errors=True)
    finally:
        if bar:
            bar.close()
        if cluster is not None:
            client.close()
            cluster.close()
        summary.seconds = time.monotonic() - started
    return summary


class DuplicateIds:
    """Flags a repeated id as `read_paths` does on one machine (the partitions are read apart, so the
    client checks the ids, in input order, as it merges): the later record gets the same error."""

    def __init__(self):
        self._seen = SeenIds()

    def repeated(self, ids: list[str]) -> list[int]:
        """Positions in `ids` of ids met before (in this or an earlier call)."""
        return [number for number, doc_id in enumerate(ids) if self._seen.add(doc_id)]

    @staticmethod
    def flag(line: bytes) -> tuple[bytes, bool]:
        """The line with the duplicate-id error added; and whether the record had no error before."""
        record = orjson.loads(line)
        first = not record["errors"]
        record["errors"].append({"stage": "read", "message": f"duplicate id {record['id']!r}: an earlier "
                                 "document of this run has the same id (both records are kept)"})
        return orjson.dumps(record) + b"\n", first


def _merge(result: PartResult, parts: str, stream, summary: RunSummary, fail_fast: bool,
           log, bar, write_lines, duplicates: DuplicateIds) -> None:
    """Append one part file to the output (line by line where an id is repeated)."""
    path = os.path.join(parts, PART.format(result.index))
    repeated = duplicates.repeated(result.ids)
    failures = list(result.failures)
    if repeated:
        with open(path, "rb") as handle:
            lines = handle.readlines()
        failed = {f[0] for f in failures}
        for number in repeated:
            lines[number], first = duplicates.flag(lines[number])
            if first and number not in failed:
                record = orjson.loads(lines[number])
                failures.append((number, record["id"], record["source"], record["errors"][0]["message"]))
        failures.sort()
    if fail_fast and failures:
        stop_after = failures[0][0]
        if not repeated:
            with open(path, "rb") as handle:
                lines = list(islice(handle, stop_after + 1))
        write_lines(stream, b"".join(lines[:stop_after + 1]))
        summary.documents += stop_after + 1
        failures = failures[:1]
        summary.stopped = True
    elif repeated:
        write_lines(stream, b"".join(lines))
        summary.documents += len(lines)
    else:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                stream.write(chunk)
        stream.flush()
        summary.documents += result.documents
    summary.errors += len(failures)
    if log:
        for _, doc_id, source, message in failures:
            message = f"error: {doc_id} ({source}): {message}"
            bar.write(message, file=sys.stderr) if bar else log(message)
    if bar and failures:
        bar.set_postfix(errors=summary.errors, refresh=False)


def _prepare_parts(parts: str, out: str, resume: bool) -> None:
    if resume:
        if not os.path.isdir(parts) and os.path.exists(out) and os.path.getsize(out):
            raise ResumeError(f"nothing to resume: {out} exists but {parts} does not (a finished run?)")
    else:
        shutil.rmtree(parts, ignore_errors=True)
    os.makedirs(parts, exist_ok=True)
    for leftover in Path(parts).glob("*.tmp"):  # a killed task's unfinished part
        leftover.unlink(missing_ok=True)


def _check_plan(parts: str, partitions: list[Partition], options: RunOptions, resume: bool) -> None:
    """The part files must belong to this plan: same partitions, same options."""
    plan = orjson.dumps({"options": asdict(options), "partitions": [asdict(p) for p in partitions]})
    path = os.path.join(parts, PLAN)
    if resume and os.path.exists(path):
        if Path(path).read_bytes() != plan:
            raise ResumeError(f"the part files in {parts} were made from other inputs or options")
        return
    for stale in Path(parts).glob("part-*.jsonl"):
        stale.unlink()
    Path(path).write_bytes(plan)


def _bar(total: int, progress: Optional[bool]):
    if progress is False:
        return None
    from tqdm import tqdm

    bar = tqdm(total=total, unit=" docs", file=sys.stderr, dynamic_ncols=True,
               disable=None if progress is None else False, mininterval=0.5)
    if bar.disable:
        bar.close()
        return None
    bar.set_postfix(errors=0, refresh=False)
    return bar
