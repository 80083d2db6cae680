"""Dask scaling benchmark: `python benchmarks/scaling.py [--docs 2000] [--partition-size 100]`.

`run_distributed` on a Dask LocalCluster of 1, then 2 worker processes (one thread each), over the
same Evidence Inference TRAIN-split abstracts as benchmarks/speed.py, with cluster start-up and
pipeline loading left out of the timing; efficiency = speed-up / workers. Writes
benchmarks/results/scaling.md and scaling.json. Same as `extract bench --scaling`.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

from extract.bench import scaling

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="../shared/corpora")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--partition-size", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-save", action="store_true", help="Print only.")
    args = parser.parse_args()
    workers = tuple(int(n) for n in args.workers.split(","))
    table = io.StringIO()
    with redirect_stdout(table):
        rows = scaling(args.corpora, args.docs, workers, args.partition_size, args.batch_size, args.model)
    print(table.getvalue(), end="")
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        command = "python benchmarks/scaling.py " + " ".join(sys.argv[1:])
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        (RESULTS / "scaling.md").write_text(f"`{command.strip()}` ({stamp})\n\n{table.getvalue()}",
                                            encoding="utf-8")
        (RESULTS / "scaling.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
