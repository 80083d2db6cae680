"""Putting NER into the extract pipeline: the shipped models (sourced), or any spaCy pipeline.

- default: every shipped model in `extract/models/` has its `ner` component sourced into our
  pipeline (`nlp.add_pipe("ner", name="ner_chem_disease", source=...)`), each followed by an
  `extract_keep_entities` step so the next NER starts from a clean entity layer. No network.
- `model="en_ner_bc5cdr_md"` (an installed package), or a path to a saved spaCy pipeline: that
  pipeline runs instead of the shipped models, inside one `extract_external_ner` component (its own
  tokenizer and vectors; its entity spans are mapped onto our tokens). A model directory built by
  `python -m extract.ner.train` is sourced instead, exactly as the shipped models are.
- `model="none"`: no NER at all (the rules-only pipeline).
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Iterable, Iterator, Optional

import numpy
from spacy.attrs import TAG
from spacy.language import Language
from spacy.tokens import Doc

from ..components.entities import add_ner_spans
from .models import shipped_models, model_path

SHIPPED, NO_NER = "shipped", "none"
OFFICIAL = ("en_core_sci_sm", "en_core_sci_md", "en_core_sci_lg", "en_core_sci_scibert",
            "en_ner_bc5cdr_md", "en_ner_craft_md", "en_ner_jnlpba_md", "en_ner_bionlp13cg_md")
SCISPACY_MODELS_VERSION = "0.5.4"


class ModelNotFoundError(Exception):
    """A `--model` that is neither installed nor a pipeline directory."""


def install_hint(name: str) -> str:
    if name in OFFICIAL:
        url = (f"https://s3-us-west-2.amazonaws.com/ai2-s2-scispacy/releases/v{SCISPACY_MODELS_VERSION}/"
               f"{name}-{SCISPACY_MODELS_VERSION}.tar.gz")
        return (f"model {name!r} is not installed. It is a scispaCy model: install it with\n"
                f"    pip install {url}\n"
                f"(needs network; see https://allenai.github.io/scispacy/), or run without --model to use "
                f"the models shipped with extract.")
    return (f"model {name!r} not found: give an installed spaCy pipeline package name "
            f"(e.g. {', '.join(OFFICIAL[:3])}, installed with pip) or the path of a saved spaCy pipeline "
            f"directory (one with config.cfg); without --model the shipped models are used.")


def add_ner(nlp: Language, model: Optional[str] = SHIPPED, before: Optional[str] = None) -> list[str]:
    """Add NER to `nlp` before the pipe `before`; returns the names of the pipes added."""
    model = SHIPPED if model is None else model
    if model == NO_NER:
        return []
    if model == SHIPPED:
        return _add_shipped(nlp, before)
    return _add_external(nlp, model, before)


TAG_LABELS = {"PAR": "PARTICIPANTS", "INT": "INTERVENTION", "OUT": "OUTCOME"}


def _add_shipped(nlp: Language, before: Optional[str]) -> list[str]:
    added = []
    for info in shipped_models():
        added += add_sourced(nlp, model_path(info.name), info.pipe_name, before)
    return added


def add_sourced(nlp: Language, path: Path, pipe_name: str, before: Optional[str] = None) -> list[str]:
    """Source the components of the pipeline at `path` into `nlp`, each followed by the step that
    adds its spans to `entities.ner_spans(doc)`: a `ner` (entities) or a `tagger` (PICO token tags), and the
    `tok2vec` they listen to when they share one. A lone component is named `pipe_name`, several
    `<pipe_name>_<component>`; the model's static vectors, if any, become `nlp`'s."""
    import spacy

    source = spacy.load(path)
    components = [name for name in source.pipe_names if name in ("tok2vec", "ner", "tagger")]
    names = {c: pipe_name if len(components) == 1 else f"{pipe_name}_{c}" for c in components}
    _share_vectors(nlp, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # W113: vectors compared by identity
        for component in components:
            nlp.add_pipe(component, name=names[component], source=source, before=before)
    for component in components:  # after linking: the listeners are already wired to the tok2vec
        _bound(nlp, names[component], path)
    added = []
    for component in components:
        added.append(names[component])
        if component == "tok2vec":
            continue
        keep = f"{names[component]}_keep"
        if component == "ner":
            nlp.add_pipe("extract_keep_entities", name=keep, after=names[component])
        else:
            nlp.add_pipe("extract_tag_spans", name=keep, after=names[component], config={"labels": TAG_LABELS})
        added.append(keep)
    return added


def _share_vectors(nlp: Language, source: Language) -> None:
    """Give `nlp` the static vectors of `source` (models sourced together must share one table)."""
    if not source.vocab.vectors.shape[0]:
        return
    if nlp.vocab.vectors.shape[0] and nlp.vocab.vectors.to_bytes() != source.vocab.vectors.to_bytes():
        raise ValueError("two sourced models carry different static vectors")
    nlp.vocab.vectors = source.vocab.vectors


def max_ner_tokens() -> int:
    from .. import rules

    return int(rules.load("entities.yml").get("max_ner_tokens", 5000))


# Documents per forward pass of a sourced NER component, whatever batch the pipeline passes: the
# encoder's arrays for 8 abstracts stay in the CPU cache (64 would be ~25 MB), which made it about 20%
# faster per document here (3.6 against 4.5 ms; benchmarks/speed.py measures the whole pipeline).
NER_BATCH_SIZE = 8


# Documents per group whose words a tok2vec embeds once (see extract/ner/embed_cache.py).
EMBED_GROUP = 64


class BoundedPipe:
    """A statistical component that leaves documents longer than `max_tokens` alone (an abstract is
    a few hundred tokens, and a pathological input must not spend minutes in the network) and runs
    the others in batches of `batch_size`; a tok2vec with an `embed_cache` embeds the words of each
    group of EMBED_GROUP documents once (with the word table of the model directory `source`, if
    it has one)."""

    embed_cache = None  # set by extract.ner.embed_cache.cache_embeddings

    def __init__(self, inner, max_tokens: int, batch_size: int = NER_BATCH_SIZE, source: Optional[Path] = None):
        self.inner, self.max_tokens, self.batch_size, self.source = inner, max_tokens, batch_size, source
        self.set_annotations = TagWriter.for_pipe(inner) or inner.set_annotations

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, doc: Doc) -> Doc:
        return doc if len(doc) > self.max_tokens else self.inner(doc)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        group: list[Doc] = []
        for doc in docs:
            group.append(doc)
            if len(group) == EMBED_GROUP:
                yield from self._group(group)
                group = []
        yield from self._group(group)

    def _group(self, docs: list[Doc]) -> Iterator[Doc]:
        """`docs` in order, the ones short enough through the component in batches."""
        kept = [doc for doc in docs if len(doc) <= self.max_tokens]
        if not kept:
            yield from docs
            return
        if self.embed_cache is not None:
            self.embed_cache.start(kept)
        try:
            for start in range(0, len(kept), self.batch_size):  # what TrainablePipe.pipe does
                batch = kept[start:start + self.batch_size]
                self.set_annotations(batch, self.inner.predict(batch))
        finally:
            if self.embed_cache is not None:
                self.embed_cache.clear()
        yield from docs


class TagWriter:
    """`set_annotations` for a spaCy Tagger that overwrites tags: each doc's tags in one
    `Doc.from_array` call (spaCy's loop looks up each token's tag string; a fifth as fast here)."""

    def __init__(self, tagger):
        self.hashes = numpy.array([tagger.vocab.strings.add(label) for label in tagger.labels], dtype="uint64")

    @classmethod
    def for_pipe(cls, pipe) -> Optional["TagWriter"]:
        from spacy.pipeline import Tagger

        return cls(pipe) if type(pipe) is Tagger and pipe.cfg.get("overwrite") else None

    def __call__(self, docs: list[Doc], batch_tag_ids) -> None:
        for doc, tag_ids in zip(docs, batch_tag_ids):
            if len(doc):
                doc.from_array([TAG], self.hashes[numpy.asarray(tag_ids)].reshape(-1, 1))


def run_as_extract(nlp: Language) -> None:
    """Set up `nlp`'s statistical components the way extract runs them: numpy's BLAS (ops.py), the
    inference forwards (ops.fast_inference) and each word embedded once per group (embed_cache.py)."""
    from .embed_cache import cache_embeddings
    from .ops import fast_inference, use_numpy_blas

    use_numpy_blas(nlp)
    fast_inference(nlp)
    cache_embeddings(nlp)


def _bound(nlp: Language, pipe_name: str, source: Path) -> None:
    """Wrap the component sourced from `source` in place (same name, same position) in a BoundedPipe."""
    index = [name for name, _ in nlp._components].index(pipe_name)
    nlp._components[index] = (pipe_name, BoundedPipe(nlp._components[index][1], max_ner_tokens(), source=source))


def _add_external(nlp: Language, model: str, before: Optional[str]) -> list[str]:
    if is_extract_model(model):  # rebuilt with extract.ner.train: sourced like the shipped one
        return add_sourced(nlp, Path(model), "ner_model", before)
    nlp.add_pipe("extract_external_ner", name="ner_external", config={"model": model}, before=before)
    return ["ner_external"]


def is_extract_model(model: str) -> bool:
    """Whether `model` is a pipeline directory written by `python -m extract.ner.train` (which
    leaves a training.json naming its task beside config.cfg)."""
    import json

    info = Path(model) / "training.json"
    try:
        return Path(model).is_dir() and "task" in json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def check_model(model: Optional[str]) -> None:
    """Raise ModelNotFoundError (with how to install it) unless `model` can be loaded; cheap, so a
    command can check it before starting worker processes."""
    import spacy

    if model in (None, SHIPPED, NO_NER):
        return
    path = Path(model)
    if not (path.is_dir() and (path / "config.cfg").is_file()) and not spacy.util.is_package(model):
        raise ModelNotFoundError(install_hint(model))


def load_external(model: str) -> Language:
    import spacy

    check_model(model)
    path = Path(model)
    try:
        ext = spacy.load(path if path.is_dir() else model)
    except (OSError, ImportError) as exc:
        raise ModelNotFoundError(f"{install_hint(model)}\n({exc})") from None
    from spacy.pipeline import EntityRecognizer, EntityRuler

    ner = [name for name, pipe in ext.pipeline if isinstance(pipe, (EntityRecognizer, EntityRuler))]
    if not ner:
        raise ModelNotFoundError(f"pipeline {model!r} has no NER component (pipes: {', '.join(ext.pipe_names)})")
    keep = set(ner) | {name for name in ext.pipe_names if name in ("tok2vec", "transformer")}
    ext.select_pipes(enable=[name for name in ext.pipe_names if name in keep])
    return ext


@Language.factory("extract_external_ner", default_config={"model": ""})
def make_external_ner(nlp: Language, name: str, model: str) -> "ExternalNER":
    return ExternalNER(load_external(model))


class ExternalNER:
    """Runs another spaCy pipeline on the doc text and keeps its entities (mapped onto our tokens)."""

    def __init__(self, ext: Language):
        self.ext = ext

    def __call__(self, doc: Doc) -> Doc:
        return doc if len(doc) > max_ner_tokens() else self._keep(doc, self.ext(doc.text))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    @staticmethod
    def _keep(doc: Doc, ext_doc: Doc) -> Doc:
        spans = []
        for ent in ext_doc.ents:
            span = doc.char_span(ent.start_char, ent.end_char, alignment_mode="expand")
            if span is not None and len(span):
                spans.append((span.start, span.end, ent.label_))
        add_ner_spans(doc, spans)
        return doc
