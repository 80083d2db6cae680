"""Big runs on one machine: streamed, parallel, ordered, resumable.

Documents are read in the main process and sent, in batches, to worker processes (spawned; each
builds the pipeline once, in its initializer); the workers send back serialized JSON lines, which
the main process writes in input order, one batch per write + flush. At most a few batches per
worker are in flight, so memory does not grow with the corpus. With one worker everything runs in
the main process; the output is byte-identical whatever the number of workers.

`--resume`: the output's trailing partial line (a run killed mid-write) is cut, the ids of the whole
lines are read and checked against the first documents of the input, which are skipped; new records
are appended. Memory stays constant: ids are compared one by one, not collected.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator, Optional, Sequence

from .document import SourceDocument

IN_FLIGHT_PER_WORKER = 2   # batches queued or running per worker


@dataclass(frozen=True)
class RunOptions:
    """What a worker needs to build its extractor: small and picklable (sent once per worker)."""

    batch_size: int = 64
    model: Optional[str] = None

    def make_extractor(self):
        from .extractor import Extractor
        from .ner.ops import one_blas_thread

        one_blas_thread()  # one core per worker process (see extract/ner/ops.py)

        kwargs: dict = {"batch_size": self.batch_size}
        if self.model is not None:
            kwargs["model"] = self.model
        return Extractor(**kwargs)


@dataclass
class BatchResult:
    """A processed batch: one serialized line per document, and the failed ones."""

    lines: list[bytes]
    failures: list[tuple[int, str, str, str]] = field(default_factory=list)  # (index, id, source, message)


@dataclass
class RunSummary:
    documents: int = 0       # records written by this run
    errors: int = 0          # of which failed
    skipped: int = 0         # already in the output (--resume)
    seconds: float = 0.0
    stopped: bool = False    # --fail-fast stopped the run
    cpu_seconds: float = 0.0  # CPU time of the workers' tasks, where known (distributed runs)

    def line(self) -> str:
        rate = self.documents / self.seconds if self.seconds > 0 else 0.0
        done = f", {self.skipped} already done" if self.skipped else ""
        return (f"{self.documents} documents, {self.errors} errors, {self.seconds:.1f} s "
                f"({rate:.1f} docs/s){done}")


class ResumeError(Exception):
    """The output to resume does not continue this input."""


class WorkerCrash(Exception):
    """A worker process died (killed, out of memory): the run cannot go on."""


# ------------------------------------------------------------------------------------ one batch
def process_batch(extractor, batch: Sequence[SourceDocument]) -> BatchResult:
    """Extract and serialize one batch (in a worker, or in the main process)."""
    from .output import dumps

    result = BatchResult(lines=[])
    for index, record in enumerate(extractor.extract_documents(batch)):
        result.lines.append(dumps(record))
        if record.errors:
            result.failures.append((index, record.id, record.source, record.errors[0].message))
    return result


RECYCLE_AFTER = 50_000   # documents; then the pipeline is built afresh (see ExtractorCache)


class ExtractorCache:
    """One extractor per options, built on first use and rebuilt every RECYCLE_AFTER documents:
    spaCy's vocabulary keeps every new string it meets, so a pipeline that ran over millions of
    abstracts would keep growing; a fresh one bounds a worker's memory (and gives the same output)."""

    def __init__(self):
        self._entries: dict = {}

    def get(self, options: "RunOptions", documents: int = 0):
        entry = self._entries.get(options)
        if entry is None or entry[1] >= RECYCLE_AFTER:
            gc.unfreeze()
            self._entries.pop(options, None)  # let the old pipeline go before building the new one
            gc.collect()
            entry = self._entries[options] = [options.make_extractor(), 0]
            # The pipeline's objects live until the next renewal: out of the collector's sight, its
            # full collections stop walking them again and again (about 2% of a run's CPU time).
            gc.freeze()
        entry[1] += documents
        return entry[0]


_cache = ExtractorCache()


def cached_extractor(options: RunOptions, documents: int = 0):
    """This process's extractor for `options`, counting `documents` towards its renewal."""
    return _cache.get(options, documents)


_init_error: Optional[BaseException] = None


def _init_worker(options: RunOptions) -> None:
    global _init_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    parent = multiprocessing.parent_process()
    if parent is not None:  # never outlive a main process that was killed
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    try:
        cached_extractor(options)
    except Exception as exc:  # noqa: BLE001 - e.g. a missing model: raised again by the first batch
        _init_error = exc


def _exit_with(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _work(options: RunOptions, batch: list[SourceDocument]) -> BatchResult:
    if _init_error is not None:
        raise _init_error
    return process_batch(cached_extractor(options, len(batch)), batch)


def make_pool(workers: int, options: RunOptions, initializer=None) -> ProcessPoolExecutor:
    """Spawned worker processes, each building `options`' pipeline once (or running `initializer`)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=initializer or _init_worker,
                               initargs=(options,))


def map_batches(batches: Iterable[list[SourceDocument]], workers: int, options: RunOptions,
                pool: Optional[ProcessPoolExecutor] = None, task: Callable = _work) -> Iterator:
    """`task(options, batch)` for each batch (default: extract it), results in input order.

    With workers > 1 the batches go to `pool` (default: a new one, shut down at the end), with at
    most IN_FLIGHT_PER_WORKER batches per worker out at once."""
    if workers <= 1:
        if task is _work:
            cached_extractor(options)  # build it before the first batch
        for batch in batches:
            yield task(options, batch)
        return
    own = pool is None
    pool = pool or make_pool(workers, options)
    pending: deque = deque()
    try:
        for batch in batches:
            pending.append(pool.submit(task, options, batch))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as exc:
        raise WorkerCrash("a worker process died (killed, or out of memory?); the output holds "
                          "only whole records: run again with --resume to continue") from exc
    finally:
        for future in pending:
            future.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------------------------ the run
def batched(items: Iterable, size: int) -> Iterator[list]:
    items = iter(items)
    while batch := list(islice(items, size)):
        yield batch


def skip_done(documents: Iterator[SourceDocument], done_ids: Iterable[str]) -> int:
    """Consume the documents the output already holds; their ids must match, in order."""
    skipped = 0
    for done in done_ids:
        document = next(documents, None)
        if document is None:
            raise ResumeError(f"the output has more records ({skipped + 1}+) than the input has documents")
        if document.id != done:
            raise ResumeError(f"record {skipped + 1} of the output is {done!r} but document {skipped + 1} "
                              f"of the input is {document.id!r}: not the same input, or not in the same order")
        skipped += 1
    return skipped


def run(paths: Sequence[str], out: str = "-", *, workers: Optional[int] = None,
        options: RunOptions = RunOptions(), resume: bool = False, fail_fast: bool = False,
        progress: Optional[bool] = None, log: Optional[Callable[[str], None]] = None) -> RunSummary:
    """Extract every document of `paths` into `out` (JSONL, ".gz" for gzip, "-" for stdout).

    `workers`: processes (default: all cores, or one for a small input). `progress`: a bar on stderr (None: when stderr is a
    terminal). `log` receives one message per failed document. Raises ResumeError, WorkerCrash.
    """
    from .output import open_output, prepare_resume, write_lines
    from .readers import read_paths

    started = time.monotonic()
    summary = RunSummary()
    auto = workers is None
    workers = max(1, workers or os.cpu_count() or 1)
    documents = iter(read_paths(paths))
    if resume:
        summary.skipped = skip_done(documents, prepare_resume(out))
    total = estimate_total(paths) if progress is not False or auto else None
    if auto and workers > 1 and (small_input(paths) or (
            total is not None and total - summary.skipped <= options.batch_size)):
        workers = 1   # a few seconds' work: not worth starting processes
    bar = _progress_bar(total, summary.skipped, progress)
    say = log and (lambda message: bar.write(message, file=sys.stderr) if bar else log(message))
    try:
        results = map_batches(batched(documents, options.batch_size), workers, options)
        with open_output(out, append=resume) as stream, closing(results):
            for result in results:
                lines = result.lines
                if fail_fast and result.failures:
                    lines = lines[:result.failures[0][0] + 1]
                    result.failures = result.failures[:1]
                    summary.stopped = True
                write_lines(stream, b"".join(lines))
                summary.documents += len(lines)
                summary.errors += len(result.failures)
                if say:
                    for _, doc_id, source, message in result.failures:
                        say(f"error: {doc_id} ({source}): {message}")
                if bar:
                    bar.update(len(lines))
                    if result.failures:
                        bar.set_postfix(errors=summary.errors, refresh=False)
                if summary.stopped:
                    break
    finally:
        if bar:
            bar.close()
        summary.seconds = time.monotonic() - started
    return summary


def _progress_bar(total: Optional[int], initial: int, progress: Optional[bool]):
    if progress is False:
        return None
    from tqdm import tqdm

    bar = tqdm(total=total, initial=initial, unit=" docs", file=sys.stderr, dynamic_ncols=True,
               disable=None if progress is None else False, mininterval=0.5, smoothing=0.1)
    if not bar.disable:
        bar.set_postfix(errors=0, refresh=False)
        return bar
    bar.close()
    return None


# ------------------------------------------------------------------------------------ total
SMALL_INPUT = 256 * 1024   # bytes of input files below which `workers=None` runs in one process


def small_input(paths: Sequence[str]) -> bool:
    """Whether the inputs are files (no stdin) of less than SMALL_INPUT bytes in all."""
    from .readers.paths import iter_inputs

    size = 0
    try:
        for given in paths:
            for path, problem in iter_inputs(str(given)):
                if path == "-":
                    return False
                size += 0 if problem else os.path.getsize(path)
                if size >= SMALL_INPUT:
                    return False
    except OSError:
        return False
    return True


MAX_COUNTED_BYTES = 1 << 30   # count JSONL lines up to this much input; beyond, no total


def estimate_total(paths: Sequence[str]) -> Optional[int]:
    """The number of documents when it is cheap to know: every input is a one-document text file or
    an uncompressed JSONL file (lines counted). None otherwise (stdin, PubMed XML, MEDLINE, gzip)."""
    from .readers.decode import GZIP_MAGIC, HEAD_SIZE
    from .readers.detect import JSONL, TEXT, detect_format
    from .readers.paths import iter_inputs

    total, counted = 0, 0
    try:
        for given in paths:
            for path, problem in iter_inputs(str(given)):
                if problem:
                    total += 1
                    continue
                if path == "-":
                    return None
                with open(path, "rb") as handle:
                    head = handle.read(HEAD_SIZE)
                    if head.startswith(GZIP_MAGIC):
                        return None
                    kind = detect_format(head, os.path.basename(path))
                    if kind == TEXT:
                        total += 1
                    elif kind == JSONL:
                        counted += os.path.getsize(path)
                        if counted > MAX_COUNTED_BYTES:
                            return None
                        handle.seek(0)
                        total += max(1, sum(1 for line in handle if line.strip()))
                    else:
                        return None
    except OSError:
        return None
    return total

