"""Speed benchmark: `python benchmarks/speed.py [--docs 2000] [--corpora ../shared/corpora] [--model M]`.

The scispaCy tokenizer alone and the whole extract pipeline (with the shipped NER models, and rules
only), with 1 and 2 worker processes, on the
first 2,000 Evidence Inference TRAIN-split abstracts; prints a table (docs/s, words/s, peak RSS per
worker) and writes it, with the raw figures, to benchmarks/results/speed.md and speed.json. Same as
`extract bench --speed`. See extract/bench.py for what is timed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from extract.bench import speed, speed_table

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="../shared/corpora")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-save", action="store_true", help="Print only.")
    args = parser.parse_args()
    workers = tuple(int(n) for n in args.workers.split(","))
    models = (args.model,) if args.model else (None, "none")
    results = speed(args.corpora, args.docs, workers, args.batch_size, models)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        command = "python benchmarks/speed.py " + " ".join(sys.argv[1:])
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        (RESULTS / "speed.md").write_text(f"`{command.strip()}` ({stamp})\n\n"
                                          f"{speed_table(results)}\n", encoding="utf-8")
        (RESULTS / "speed.json").write_text(json.dumps([asdict(m) for m in results], indent=2) + "\n",
                                            encoding="utf-8")


if __name__ == "__main__":
    main()
