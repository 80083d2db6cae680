"""Inference arithmetic for the statistical components: numpy's BLAS instead of thinc's BLIS.

thinc's `NumpyOps` multiplies matrices with BLIS. On the 2-core AMD EPYC machine this project is
measured on, numpy's OpenBLAS does the same float32 products 3-4x faster on one thread, which makes
the shipped NER about twice as fast (benchmarks/speed.py). `use_numpy_blas(nlp)` points every thinc
layer of the pipeline's components at `NumpyOps(use_blis=False)`, which hands `gemm` to numpy;
`one_blas_thread()` keeps OpenBLAS to one thread per process, so N worker processes use N cores
rather than fighting over them. Set EXTRACT_BLIS=1 to keep thinc's default ops.
The hash embeddings' row lookups (`gather_add`) are also done with numpy: the same sums, in the
same order, a third faster than thinc's loop. `fast_inference(nlp)` gives the maxout and layernorm
layers a forward pass for inference that skips what only training needs (the argmax of each maxout,
the layernorm's second mean): the same numbers, bit for bit.
"""
from __future__ import annotations

import os
from typing import Iterator

import numpy
from spacy.language import Language
from thinc.api import Model, NumpyOps


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
    for _, model in component_models(nlp):
        for layer in model.walk():
            if isinstance(layer.ops, NumpyOps):
                layer.ops = ops
                changed += 1
    return changed


def component_models(nlp: Language) -> Iterator[tuple[object, Model]]:
    """(component, its thinc model) for each component of `nlp` that has one; a BoundedPipe (a
    sourced component, extract/ner/load.py) is given with its inner component's model."""
    for _, component in nlp.pipeline:
        model = getattr(getattr(component, "inner", component), "model", None)
        if model is not None and hasattr(model, "walk"):
            yield component, model


def fast_inference(nlp: Language) -> int:
    """Give every maxout and layernorm layer of `nlp`'s components the inference forward below
    (training still runs thinc's); returns the layers changed."""
    changed = 0
    for _, model in component_models(nlp):
        for layer in model.walk():
            faster = _INFERENCE.get(layer.name)
            if faster is not None and getattr(layer._func, "__name__", "") == "forward":
                layer._func = faster(layer._func)
                changed += 1
    return changed


def _maxout(train_forward):
    def maxout_forward(model, X, is_train):
        if is_train:
            return train_forward(model, X, is_train)
        nO, nP, nI = model.get_dim("nO"), model.get_dim("nP"), model.get_dim("nI")
        Y = model.ops.gemm(X, model.ops.reshape2f(model.get_param("W"), nO * nP, nI), trans2=True)
        Y += model.ops.reshape1f(model.get_param("b"), nO * nP)
        pieces = Y.reshape(Y.shape[0], nO, nP)
        best = pieces[..., 0].copy()
        for p in range(1, nP):
            numpy.maximum(best, pieces[..., p], out=best)
        return best, _no_backprop

    return maxout_forward


def _layernorm(train_forward):
    def layernorm_forward(model, X, is_train):
        if is_train:
            return train_forward(model, X, is_train)
        # thinc: mu = X.mean(1); var = X.var(1) + 1e-08; (X - mu) * var ** -0.5 * G + b; numpy's
        # var is this sum of squared distances over the width (the same operations, once)
        dist = X - X.mean(axis=1, keepdims=True)
        var = numpy.multiply(dist, dist).sum(axis=1, keepdims=True)
        var /= X.shape[1]
        var += 1e-08
        Y = dist * var ** (-1.0 / 2.0)
        Y *= model.get_param("G")
        Y += model.get_param("b")
        return Y, _no_backprop

    return layernorm_forward


def _no_backprop(dY):
    raise RuntimeError("inference forward: no backprop (the layer was called with is_train=False)")


_INFERENCE = {"maxout": _maxout, "layernorm": _layernorm}


def one_blas_thread() -> None:
    """Limit numpy's BLAS to one thread in this process (worker processes take a core each)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
