"""Statistical NER results as character spans: `doc._.entities` = [(start, end, LABEL), …].

Several NER components can run in one pipeline (chemicals/diseases, PICO spans), and their spans
overlap, while `doc.ents` holds one non-overlapping layer and a spaCy NER does not overwrite entities
that are already set. So each NER is followed by `extract_keep_entities`, which adds its `doc.ents` to
`ner_spans(doc)` (token ranges with a label, kept in `doc.user_data`) and clears them for the next NER;
a token tagger used as NER (the PICO tagger) is followed by `extract_tag_spans`, which adds its runs
of tags. `extract_entities` then turns all of them into character spans, cut back to the name where
our tokenizer kept a hyphenated or slashed word whole, and labels the other mentions of a found
chemical or disease name the same way (rules/entities.yml). Plain tuples, not spaCy `Span` objects:
making a `Span` for each of some forty spans a document, and reading it back, cost more than the rest
of this work. Without any NER in the pipeline, `doc._.entities` is an empty list.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import Iterable, Mapping, Sequence

import numpy
import regex
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from .extensions import abbreviation_chars, doc_text
from .tokens import char_edges

_NER_SPANS = "extract.ner"
_ENT_ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]  # an unset entity layer: all 0
Entity = tuple  # (start, end, label): plain tuples, so docs pickle and serialize


def ner_spans(doc: Doc) -> list[tuple[int, int, str]]:
    """The spans the NER steps found so far, as token ranges with a label `(start, end, LABEL)`."""
    return doc.user_data.get(_NER_SPANS) or []


def add_ner_spans(doc: Doc, spans: Iterable[tuple[int, int, str]]) -> None:
    """Add token ranges `(start, end, LABEL)` to `ner_spans(doc)`."""
    doc.user_data[_NER_SPANS] = ner_spans(doc) + list(spans)


def label_runs(keys: Sequence, labels: Mapping) -> list[tuple[int, int, str]]:
    """Runs of tokens whose keys (tags, or their hashes) map to one label in `labels` (other keys are
    outside), as `(start, end, LABEL)`: keys ["O", "I-A", "I-A", "I-B"] → [(1, 3, "A"), (3, 4, "B")]."""
    keys = numpy.asarray(keys)
    if not len(keys):
        return []
    starts = [0, *(numpy.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist()]  # where the key changes
    out: list = []
    for start, end, key in zip(starts, starts[1:] + [len(keys)], keys[starts].tolist()):
        label = labels.get(key)
        if label is None:
            continue
        if out and out[-1][1] == start and out[-1][2] == label:  # two keys of one label: one run
            out[-1] = (out[-1][0], end, label)
        else:
            out.append((start, end, label))
    return out


def entity_layer(doc: Doc) -> list[tuple[int, int, str]]:
    """`doc.ents` as token ranges with a label."""
    return [(ent.start, ent.end, ent.label_) for ent in doc.ents]


@Language.factory("extract_keep_entities")
def make_keep_entities(nlp: Language, name: str) -> "KeepEntities":
    return KeepEntities()


class KeepEntities:
    """Adds `doc.ents` to `ner_spans(doc)` and leaves the entity layer unset for the next NER."""

    def __call__(self, doc: Doc) -> Doc:
        found = entity_layer(doc)
        if found:
            add_ner_spans(doc, found)
        if len(doc):  # what doc.set_ents([], default="missing") does, ten times faster
            doc.from_array(_ENT_ATTRS, numpy.zeros((len(doc), len(_ENT_ATTRS)), dtype="uint64"))
        return doc


@Language.factory("extract_tag_spans", default_config={"labels": {}})
def make_tag_spans(nlp: Language, name: str, labels: dict) -> "TagSpans":
    return TagSpans(labels)


class TagSpans:
    """For a token tagger used as NER (the PICO tagger): runs of one label become `ner_spans(doc)`
    (`labels` maps tag → label; other tags, such as "O", are outside)."""

    def __init__(self, labels: dict):
        self.labels = dict(labels)
        self._by_hash: tuple = (None, {})  # the string store, and tag hash -> label in it

    def __call__(self, doc: Doc) -> Doc:
        if self._by_hash[0] is not doc.vocab.strings:
            strings = doc.vocab.strings
            self._by_hash = (strings, {strings.add(tag): label for tag, label in self.labels.items()})
        if len(doc):
            found = label_runs(doc.to_array("TAG"), self._by_hash[1])
            if found:
                add_ner_spans(doc, found)
        return doc


@Language.factory("extract_entities", default_config={"rules": "entities.yml"})
def make_entities(nlp: Language, name: str, rules: str) -> "EntitySpans":
    return EntitySpans(rules)


class EntitySpans:
    def __init__(self, rules_file: str = "entities.yml"):
        data = rules.load(rules_file)
        self.trim = regex.compile(data["trim_suffix"])
        self.trim_labels = frozenset(data["trim_labels"])
        self.split_labels = frozenset(data["split_labels"])
        self.split_min = int(data["split_min_letters"])
        self.split_not = frozenset(w.lower() for w in data["split_not"])
        self.propagate_labels = frozenset(data["propagate_labels"])
        self.propagate_min = int(data["propagate_min_chars"])

    def __call__(self, doc: Doc) -> Doc:
        out, text = set(), doc_text(doc)  # (doc.text is rebuilt from every token on each access)
        starts, ends = char_edges(doc)
        for start, end, label in ner_spans(doc) + entity_layer(doc):
            out.update(self.cut(text, starts[start], ends[end - 1], label))
        if out:
            out.update(self.other_mentions(doc, text, out))
        doc._.entities = sorted(out)
        return doc

    def other_mentions(self, doc: Doc, text: str, found: set) -> list[Entity]:
        """The other occurrences of each found name with a label in `propagate_labels`, and of the
        abbreviation of a found long form, labelled as its mentions mostly are (ties: the first label in
        sorted order), longest names first; never overlapping a span of those labels or one another."""
        labels: dict[str, Counter] = {}
        taken = bytearray(len(text))
        for start, end, label in found:
            if label in self.propagate_labels:
                taken[start:end] = b"\x01" * (end - start)
                if end - start >= self.propagate_min:
                    labels.setdefault(text[start:end], Counter())[label] += 1
        if not labels:
            return []
        by_span = {(start, end): label for start, end, label in found if label in self.propagate_labels}
        for short_start, short_end, long_start, long_end in abbreviation_chars(doc):
            label = by_span.get((long_start, long_end))  # "heparin-induced thrombocytopenia (HIT)": HIT as well
            if label is not None and short_end - short_start >= self.propagate_min:
                labels.setdefault(text[short_start:short_end], Counter())[label] += 1
        starts, ends = char_edges(doc)
        out = []
        for name in sorted(labels, key=lambda n: (-len(n), n)):  # longest first: no overlaps
            label = min(labels[name].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            at = text.find(name)
            while at >= 0:
                end = at + len(name)
                if taken.find(1, at, end) < 0:
                    if _holds(starts, at) and (_holds(ends, end) or text.startswith("-", end)):
                        out.append((at, end, label))
                        taken[at:end] = b"\x01" * (end - at)
                at = text.find(name, at + 1)
        return out

    def cut(self, text: str, start: int, end: int, label: str) -> list[Entity]:
        """A span cut back to the name(s) inside it."""
        if label in self.trim_labels:
            m = self.trim.search(text, start, end)
            if m and m.start() > start:
                end = m.start()
        piece = text[start:end]
        if label in self.split_labels and "/" in piece and " " not in piece:
            parts = piece.split("/")
            if all(sum(c.isalpha() for c in p) >= self.split_min and p.lower() not in self.split_not
                   for p in parts):
                out, at = [], start
                for p in parts:
                    out.append((at, at + len(p), label))
                    at += len(p) + 1
                return out
        return [(start, end, label)] if end > start else []


class Cover:
    """The characters that entity spans cover, one mask per label: overlap tests without a loop
    over every span."""

    def __init__(self, spans: Iterable[Entity], length: int):
        self.masks: dict[str, bytearray] = {}
        for start, end, label in spans:
            mask = self.masks.get(label)
            if mask is None:
                mask = self.masks[label] = bytearray(length)
            mask[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int, but: str = "") -> bool:
        """Whether a span of any label (other than `but`) shares a character with [start, end)."""
        return any(mask.find(1, start, end) >= 0 for label, mask in self.masks.items() if label != but)


def entities(doc: Doc, labels: Iterable[str]) -> list[Entity]:
    """The doc's entity spans with one of `labels` (empty when no NER ran)."""
    wanted = frozenset(labels)
    return [e for e in (getattr(doc._, "entities", None) or []) if e[2] in wanted]


def _holds(increasing: list[int], value: int) -> bool:
    """Whether `value` is in the increasing list (a token edge: no set of them built per document)."""
    i = bisect_left(increasing, value)
    return i < len(increasing) and increasing[i] == value


def token_edges(doc: Doc) -> tuple[set, set]:
    """The character offsets where the doc's tokens start, and where they end, as sets."""
    starts, ends = char_edges(doc)
    return set(starts), set(ends)
