"""Where a worker's time goes: `python benchmarks/components.py [--docs 2000] [--model none]`.

CPU milliseconds per abstract for each step of one worker's run over the first Evidence Inference
TRAIN-split abstracts (those of benchmarks/speed.py), in one fresh process, one pass, batches of 64
as `extract run` makes them: `make_doc` (the tokenizer), each pipeline component (each over the whole
batch, as `Extractor._pipe` runs them), `record` (the Record built from the doc), and `other`
(serialization and the rest). A step's figure moves by about 10% from run to run on this machine:
compare code against code in runs made back to back. Prints one line; nothing is saved.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default="../shared/corpora")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--model", default=None, help="as `extract run --model` (default: the shipped NER)")
    args = parser.parse_args()

    from extract.bench import load_documents
    from extract.extractor import Extractor
    from extract.runner import RunOptions, batched, cached_extractor, process_batch

    documents = load_documents(args.corpora, args.docs)
    extractor = cached_extractor(RunOptions(batch_size=64, model=args.model))
    spent: Counter = Counter()

    def pipe(self, docs):
        for name, proc in self.nlp.pipeline:
            started = time.process_time()
            docs = list(proc.pipe(docs, batch_size=self.nlp.batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            spent[name.removeprefix("extract_")] += time.process_time() - started
        return docs

    def timed(name, method):
        def run(*a, **k):
            started = time.process_time()
            result = method(*a, **k)
            spent[name] += time.process_time() - started
            return result
        return run

    Extractor._pipe = pipe  # the same steps, each timed
    Extractor._make_doc = timed("make_doc", Extractor._make_doc)
    Extractor._record = timed("record", Extractor._record)
    started = time.process_time()
    for batch in batched(documents, 64):
        process_batch(extractor, batch)
    total = time.process_time() - started
    spent = Counter({"make_doc": spent.pop("make_doc")}) + spent
    spent["other"] = total - sum(spent.values())
    ms = {name: 1000 * seconds / len(documents) for name, seconds in spent.items()}
    print(f"CPU ms per abstract, {len(documents)} abstracts, model {args.model or 'shipped'}: "
          + " ".join(f"{name}={value:.2f}" for name, value in ms.items()) + f" total={1000 * total / len(documents):.2f}")


if __name__ == "__main__":
    main()
