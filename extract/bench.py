"""Speed and scaling benchmarks: `extract bench --speed` / `benchmarks/speed.py`, and
`extract bench --scaling` / `benchmarks/scaling.py`.

Speed: the Evidence Inference TRAIN-split abstracts (the first `docs` that exist, by id) go through
(a) spaCy with scispaCy's tokenizer alone and (b) the whole extract pipeline (the shipped pipeline as
`extract run` builds it, serialized to JSON lines), each with 1 and 2 worker processes, using the
same batching and process machinery as `extract run`. Each measurement runs in a fresh Python
process; pipeline start-up is excluded (workers are warmed up first) and reported apart. Every run is
measured in ROUNDS interleaved rounds (this VM's speed drifts by 10-30% between minutes): the table
gives the median and the range, and a pipeline's share of the tokenizer's rate within each round.

Scaling: the same abstracts, as a JSONL file, through `run_distributed` on a Dask LocalCluster of 1,
then 2 worker processes (start-up and pipeline loading excluded); efficiency = speed-up / workers.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median
from typing import Optional

from .runner import RunOptions, batched, make_pool, map_batches, process_batch

KINDS = ("tokenizer", "pipeline")
ROUNDS = 3  # speed: each run measured this many times, interleaved; the table gives medians


@dataclass
class Measure:
    kind: str
    workers: int
    docs: int
    words: int
    seconds: float        # wall time of the timed part
    cpu_seconds: float    # CPU time spent inside the batches, summed over workers
    startup: float        # seconds to start the workers and build their pipelines
    rss_mb: float         # peak resident memory of one worker process
    main_rss_mb: float    # peak resident memory of the main process
    model: Optional[str] = None
    round: int = 0        # which round of `speed` (each round measures every run once)

    @property
    def rate(self) -> float:
        return self.docs / self.seconds

    @property
    def words_rate(self) -> float:
        return self.words / self.seconds


def load_documents(corpora: str | Path, docs: int):
    """The first `docs` Evidence Inference training abstracts (sorted by id) that have text."""
    from .corpora.evidence_inference import read_document, training_ids

    out = []
    for pmcid in sorted(training_ids(corpora)):
        document = read_document(corpora, pmcid)
        if not document.errors and document.abstract.strip():
            out.append(document)
            if len(out) == docs:
                break
    if len(out) < docs:
        raise SystemExit(f"only {len(out)} training abstracts with text in {corpora}")
    return out


# ---------------------------------------------------------------------------------- tokenizer task
_tokenizer = None


def _tokenizer_init(options: RunOptions) -> None:
    global _tokenizer
    import spacy

    from .tokenizer import scispacy_tokenizer

    nlp = spacy.blank("en")
    _tokenizer = scispacy_tokenizer(nlp)


def _tokenize(options: RunOptions, batch) -> tuple[int, float]:
    started = time.process_time()
    for _ in _tokenizer.pipe([d.text for d in batch]):
        pass
    return len(batch), time.process_time() - started


def _extract(options: RunOptions, batch) -> tuple[int, float]:
    from .runner import cached_extractor

    started = time.process_time()
    result = process_batch(cached_extractor(options, len(batch)), batch)
    return sum(map(len, result.lines)), time.process_time() - started


def _ping(options: RunOptions, batch) -> tuple[int, float]:
    time.sleep(0.05)
    return os.getpid(), 0.0


def measure(kind: str, workers: int, corpora: str, docs: int, batch_size: int = 64,
            model: Optional[str] = None) -> Measure:
    """One measurement, in this process (run it in a fresh one for a clean peak RSS)."""
    options = RunOptions(batch_size=batch_size, model=model)
    documents = load_documents(corpora, docs)
    words = sum(len(d.text.split()) for d in documents)
    task = _tokenize if kind == "tokenizer" else _extract
    init = _tokenizer_init if kind == "tokenizer" else None
    started = time.monotonic()
    pool = None
    if workers > 1:
        pool = make_pool(workers, options, initializer=init)
        seen: set = set()
        while len(seen) < workers:  # every worker up, its pipeline built
            seen.update(f.result()[0] for f in [pool.submit(_ping, options, []) for _ in range(workers)])
    elif kind == "tokenizer":
        _tokenizer_init(options)
    else:
        from .runner import cached_extractor

        cached_extractor(options)
    startup = time.monotonic() - started
    started = time.monotonic()
    cpu = 0.0
    for _, spent in map_batches(batched(documents, batch_size), workers, options, pool=pool, task=task):
        cpu += spent
    seconds = time.monotonic() - started
    rss = main_rss = _max_rss(resource.RUSAGE_SELF)
    if pool is not None:
        pool.shutdown(wait=True)
        rss = _max_rss(resource.RUSAGE_CHILDREN)
    return Measure(kind, workers, len(documents), words, seconds, cpu, startup, rss, main_rss,
                   model if kind == "pipeline" else None)


def _max_rss(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def measure_in_subprocess(kind: str, workers: int, corpora: str, docs: int, batch_size: int,
                          model: Optional[str]) -> Measure:
    command = [sys.executable, "-m", "extract.bench", kind, str(workers), corpora, str(docs), str(batch_size)]
    if model is not None:
        command.append(model)
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return Measure(**json.loads(done.stdout.strip().splitlines()[-1]))


def speed(corpora: str = "../shared/corpora", docs: int = 2000, workers: tuple[int, ...] = (1, 2),
          batch_size: int = 64, models: tuple = (None, "none"), rounds: int = ROUNDS,
          echo=print) -> list[Measure]:
    """The tokenizer alone and the whole pipeline (for each of `models`: None is the shipped NER,
    "none" rules only), for each number of workers, `rounds` times over (a round measures each run
    once, the tokenizer just before the pipelines it is compared with); prints the table."""
    results = []
    runs = [("tokenizer", None)] + [("pipeline", model) for model in models]
    for round_ in range(rounds):
        for n in workers:
            for kind, model in runs:
                what = kind if kind == "tokenizer" else f"{kind} (model: {model or 'shipped'})"
                echo(f"... round {round_ + 1} of {rounds}: {what}, {n} worker{'s' * (n > 1)}", file=sys.stderr)
                measure = measure_in_subprocess(kind, n, corpora, docs, batch_size, model)
                measure.round = round_
                results.append(measure)
    echo(speed_table(results))
    return results


def _name(m: Measure) -> str:
    if m.kind == "tokenizer":
        return "scispaCy tokenizer alone"
    if m.model is None:
        return "extract pipeline, shipped NER"
    if m.model == "none":
        return "extract pipeline, rules only (`--model none`)"
    return f"extract pipeline, `--model {m.model}`"


def _spread(values: list[float], form: str) -> str:
    """"median (min-max)" of `values`, or the value alone if there is one."""
    if len(values) == 1:
        return format(values[0], form)
    return f"{format(median(values), form)} ({format(min(values), form)}-{format(max(values), form)})"


def speed_table(results: list[Measure]) -> str:
    """One row per run (kind, model, workers): the median over rounds, and its range; a pipeline's
    share of the tokenizer's rate is taken within each round (the two measured minutes apart)."""
    tokenizer = {(m.workers, m.round): m for m in results if m.kind == "tokenizer"}
    groups: dict = {}
    for m in results:
        groups.setdefault((m.kind, m.model, m.workers), []).append(m)
    rounds = len({m.round for m in results})
    lines = [
        f"{results[0].docs} Evidence Inference training abstracts, {results[0].words} words "
        f"(whitespace-separated); {rounds} round{'s' * (rounds > 1)}"
        + (": median (min-max) over them" if rounds > 1 else "") + f"; {_machine()}",
        "",
        "| run | workers | docs/s | words/s | docs per CPU-s | peak RSS per worker | startup | vs tokenizer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (kind, _, n), ms in groups.items():
        shares = [m.rate / tokenizer[n, m.round].rate for m in ms
                  if kind == "pipeline" and (n, m.round) in tokenizer]
        lines.append(f"| {_name(ms[0])} | {n} | {_spread([m.rate for m in ms], ',.1f')} | "
                     f"{median([m.words_rate for m in ms]):,.0f} | "
                     f"{_spread([m.docs / m.cpu_seconds * n for m in ms], ',.1f')} | "
                     f"{max(m.rss_mb for m in ms):,.0f} MB | {median([m.startup for m in ms]):.1f} s | "
                     f"{_spread(shares, '.1%') if shares else ''} |")
    lines.append("")
    for model in dict.fromkeys(m.model for m in results if m.kind == "pipeline"):
        runs = {n: ms for (kind, mod, n), ms in groups.items() if kind == "pipeline" and mod == model}
        for n, ms in sorted(runs.items()):
            if n > 1 and 1 in runs:
                rate = {k: median([m.rate for m in v]) for k, v in ((1, runs[1]), (n, ms))}
                cpu = {k: median([m.docs / m.cpu_seconds * k for m in v]) for k, v in ((1, runs[1]), (n, ms))}
                speedup, cpu_speedup = rate[n] / rate[1], cpu[n] / cpu[1]
                lines.append(f"{_name(ms[0])}, 1 -> {n} workers: speed-up {speedup:.2f} (efficiency "
                             f"{speedup / n:.2f}); in CPU time {cpu_speedup:.2f} ({cpu_speedup / n:.2f})")
    return "\n".join(lines)


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load:.1f} at the end")


# ---------------------------------------------------------------------------------- Dask scaling
def scaling(corpora: str = "../shared/corpora", docs: int = 2000, workers: tuple[int, ...] = (1, 2),
            partition_size: int = 100, batch_size: int = 64, model: Optional[str] = None,
            echo=print) -> list[dict]:
    """`run_distributed` on a LocalCluster of 1, then 2, ... worker processes; prints the table."""
    import orjson
    from dask.distributed import Client, LocalCluster

    from .distributed import run_distributed

    options = RunOptions(batch_size=batch_size, model=model)
    rows = []
    with tempfile.TemporaryDirectory(prefix="extract-scaling-") as tmp:
        source = Path(tmp) / "abstracts.jsonl"
        with open(source, "wb") as handle:
            for d in load_documents(corpora, docs):
                handle.write(orjson.dumps({"id": d.id, "title": d.title, "abstract": d.abstract}) + b"\n")
        for n in workers:
            echo(f"... Dask LocalCluster, {n} worker{'s' * (n > 1)}", file=sys.stderr)
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                client.run(_warm_up, options)  # pipelines loaded before the clock starts
                out = Path(tmp) / f"out{n}.jsonl"
                started = time.monotonic()
                summary = run_distributed([str(source)], str(out), client, options=options,
                                          partition_size=partition_size)
                seconds = time.monotonic() - started
            rows.append({"workers": n, "docs": summary.documents, "seconds": seconds,
                         "rate": summary.documents / seconds,
                         "cpu_rate": summary.documents / summary.cpu_seconds * n})
    base = rows[0]["rate"]
    cpu_base = rows[0]["cpu_rate"]
    lines = [f"Dask LocalCluster, {docs} abstracts, partitions of {partition_size}, model: "
             f"{model or 'shipped'}; {_machine()}", "",
             "| workers | seconds | docs/s | speed-up | efficiency | docs per CPU-s | speed-up in CPU time "
             "| efficiency in CPU time |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        speedup, cpu_speedup = r["rate"] / base, r["cpu_rate"] / cpu_base
        r.update(speedup=speedup, efficiency=speedup / r["workers"] * rows[0]["workers"],
                 cpu_speedup=cpu_speedup, cpu_efficiency=cpu_speedup / r["workers"] * rows[0]["workers"])
        lines.append(f"| {r['workers']} | {r['seconds']:.1f} | {r['rate']:.1f} | {speedup:.2f} | "
                     f"{r['efficiency']:.2f} | {r['cpu_rate']:.1f} | {cpu_speedup:.2f} | "
                     f"{r['cpu_efficiency']:.2f} |")
    echo("\n".join(lines))
    return rows


def _warm_up(options: RunOptions) -> None:
    from .distributed import _extractor, _lock

    with _lock:
        _extractor(options)


def _main(argv: list[str]) -> None:
    kind, workers, corpora, docs, batch_size = argv[:5]
    model = argv[5] if len(argv) > 5 else None
    result = measure(kind, int(workers), corpora, int(docs), int(batch_size), model)
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    _main(sys.argv[1:])


def script_arguments(doc: str, extra=()) -> "argparse.Namespace":
    """The options `benchmarks/speed.py` and `benchmarks/scaling.py` share, plus `extra`
    ((flag, kwargs) pairs), parsed from the command line."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--corpora", default="../shared/corpora")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--workers", default="1,2")
    for flag, kwargs in extra:
        parser.add_argument(flag, **kwargs)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", default=None)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="speed: times each run is measured")
    parser.add_argument("--no-save", action="store_true", help="Print only.")
    args = parser.parse_args()
    args.workers = tuple(int(n) for n in args.workers.split(","))
    return args


def save_results(folder: Path, name: str, table: str, data) -> None:
    """Write `<name>.md` (the command, a UTC stamp and the table) and `<name>.json` into `folder`."""
    folder.mkdir(exist_ok=True)
    command = f"python benchmarks/{name}.py " + " ".join(sys.argv[1:])
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (folder / f"{name}.md").write_text(f"`{command.strip()}` ({stamp})\n\n{table}", encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

