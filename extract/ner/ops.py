"""Inference arithmetic for the statistical components: numpy's BLAS instead of thinc's BLIS.

thinc's `NumpyOps` multiplies matrices with BLIS. On the 2-core AMD EPYC machine this project is
measured on, numpy's OpenBLAS does the same float32 products 3-4x faster on one thread, which makes
the shipped NER about twice as fast (benchmarks/speed.py). `use_numpy_blas(nlp)` points every thinc
layer of the pipeline's components at `NumpyOps(use_blis=False)`, which hands `gemm` to numpy;
`one_blas_thread()` keeps OpenBLAS to one thread per process, so N worker processes use N cores
rather than fighting over them. Set EXTRACT_BLIS=1 to keep thinc's default ops.
The hash embeddings' row lookups (`gather_add`) are also done with numpy: the same sums, in the
same order, a third faster than thinc's loop.
"""
from __future__ import annotations

import os

import numpy
from spacy.language import Language
from thinc.api import NumpyOps


class FastOps(NumpyOps):
    """NumpyOps without BLIS, with a faster `gather_add` (the same float sums in the same order)."""

    def __init__(self):
        super().__init__(use_blis=False)

    def gather_add(self, table, indices):
        if table.ndim != 2 or indices.ndim != 2 or not indices.shape[1]:
            return super().gather_add(table, indices)
        rows = numpy.ascontiguousarray(indices.T)
        out = table.take(rows[0], axis=0)
        for keys in rows[1:]:
            out += table.take(keys, axis=0)
        return out


def use_numpy_blas(nlp: Language) -> int:
    """Point the thinc models of `nlp`'s components at numpy's BLAS; returns the layers changed."""
    if os.environ.get("EXTRACT_BLIS") == "1":
        return 0
    ops = FastOps()
    changed = 0
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)  # sourced components may be wrapped (BoundedPipe)
        if model is None or not hasattr(model, "walk"):
            continue
        for layer in model.walk():
            if isinstance(layer.ops, NumpyOps):
                layer.ops = ops
                changed += 1
    return changed


def one_blas_thread() -> None:
    """Limit numpy's BLAS to one thread in this process (worker processes take a core each)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
