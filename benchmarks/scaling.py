"""Dask scaling benchmark: `python benchmarks/scaling.py [--docs 2000] [--partition-size 100]`.

`run_distributed` on a Dask LocalCluster of 1, then 2 worker processes (one thread each), over the
same Evidence Inference TRAIN-split abstracts as benchmarks/speed.py, with cluster start-up and
pipeline loading left out of the timing; efficiency = speed-up / workers. Writes
benchmarks/results/scaling.md and scaling.json. Same as `extract bench --scaling`.
"""
from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from extract.bench import save_results, scaling, script_arguments

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    args = script_arguments(__doc__, [("--partition-size", {"type": int, "default": 100})])
    table = io.StringIO()
    with redirect_stdout(table):
        rows = scaling(args.corpora, args.docs, args.workers, args.partition_size, args.batch_size, args.model)
    print(table.getvalue(), end="")
    if not args.no_save:
        save_results(RESULTS, "scaling", table.getvalue(), rows)


if __name__ == "__main__":
    main()
