"""The command line shared by the training-split failure scripts (sample_size_dev, failures_dev):
measure the first N docs, write `<out>.json` (figures) and a markdown file of examples, print both."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent


def main(description: str, measure: Callable, figures: Callable, examples: Callable, out: str,
         examples_suffix: str) -> None:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--limit", type=int, default=None, help="first N docs of each training split")
    parser.add_argument("--out", type=Path, default=Path(out))
    args = parser.parse_args()
    result = measure(args.corpora, limit=args.limit)
    figs = figures(result)
    Path(f"{args.out}.json").write_text(json.dumps(figs, indent=2), encoding="utf-8")
    Path(f"{args.out}{examples_suffix}").write_text(examples(result), encoding="utf-8")
    print(json.dumps(figs, indent=2))
    print(f"examples: {args.out}{examples_suffix}")
