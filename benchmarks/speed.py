"""Speed benchmark: `python benchmarks/speed.py [--docs 2000] [--corpora ../shared/corpora] [--model M] [--rounds 3]`.

The scispaCy tokenizer alone and the whole extract pipeline (with the shipped NER models, and rules
only), with 1 and 2 worker processes, on the first 2,000 Evidence Inference TRAIN-split abstracts,
each measured in 3 interleaved rounds; prints a table (docs/s, words/s, peak RSS per worker: median
and range over the rounds) and writes it, with the raw figures, to benchmarks/results/speed.md and
speed.json. Same as `extract bench --speed`. See extract/bench.py for what is timed.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from extract.bench import save_results, script_arguments, speed, speed_table

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    args = script_arguments(__doc__)
    models = (args.model,) if args.model else (None, "none")
    results = speed(args.corpora, args.docs, args.workers, args.batch_size, models, args.rounds)
    if not args.no_save:
        save_results(RESULTS, "speed", f"{speed_table(results)}\n", [asdict(m) for m in results])


if __name__ == "__main__":
    main()
