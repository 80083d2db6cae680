"""A fast entity recognizer: a softmax token tagger over BILUO tags, decoded into valid entity spans.

spaCy's transition-based `ner` decodes a document one action at a time; here every token gets its
tag from one matrix product on the shared encoder's output, and a Viterbi pass (only over the
stretches where the best tags do not already form valid B-I-L / U sequences, one token wider on
each side) keeps the spans well formed. It trains like spaCy's `tagger` (same model architecture,
same loss) with the gold entity layer as its targets: documents without an entity annotation add
no loss, so it can share a tok2vec with a PICO tagger trained on other documents. It writes
`doc.ents` and scores like spaCy's `ner`.
"""
from itertools import islice
from typing import Callable, Iterable, Optional, Sequence

import numpy
from spacy.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from spacy.language import Language
from spacy.pipeline.tagger import DEFAULT_TAGGER_MODEL, Tagger
from spacy.scorer import get_ner_prf
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import SequenceCategoricalCrossentropy

OUT = "O"
PREFIXES = "BILU"
_IOB = {"B": 3, "I": 1, "L": 1, "U": 3, OUT: 2}  # spaCy's codes: 3 begins an entity, 1 inside, 2 outside
_ENT_ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]


@Language.factory(
    "extract_biluo_ner",
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_config={"model": DEFAULT_TAGGER_MODEL, "scorer": {"@scorers": "spacy.ner_scorer.v1"}},
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_biluo_ner(nlp: Language, name: str, model, scorer: Optional[Callable] = get_ner_prf) -> "BiluoNER":
    return BiluoNER(nlp.vocab, model, name, scorer=scorer)


def biluo_tags(entity_labels: Iterable[str]) -> list[str]:
    """"O" first, then B-, I-, L-, U- of each entity label."""
    return [OUT] + [f"{prefix}-{label}" for label in entity_labels for prefix in PREFIXES]


class BiluoNER(Tagger):
    """spaCy's Tagger, trained on and writing the entity layer (see the module docstring)."""

    def __init__(self, vocab, model, name: str = "biluo_ner", *, scorer: Optional[Callable] = get_ner_prf):
        super().__init__(vocab, model, name, overwrite=True, scorer=scorer, neg_prefix="!", label_smoothing=0.0)
        self._decoder: Optional[BiluoDecoder] = None

    @property
    def entity_labels(self) -> tuple[str, ...]:
        return tuple(tag[2:] for tag in self.labels if tag.startswith("U-"))

    @property
    def decoder(self) -> "BiluoDecoder":
        if self._decoder is None or self._decoder.tags != self.labels:
            self._decoder = BiluoDecoder(self.labels)
        return self._decoder

    def initialize(self, get_examples, *, nlp=None, labels=None):  # untyped: spaCy validates it
        """`labels`: entity labels (CHEMICAL, ...); by default those of the gold entities."""
        if labels is None:
            labels = sorted({ent.label_ for eg in get_examples() for ent in eg.reference.ents})
        for tag in biluo_tags(labels):
            self.add_label(tag)
        self._require_labels()
        docs, truths = [], []
        for eg in islice(get_examples(), 10):
            docs.append(eg.predicted)
            truths.append(self.model.ops.asarray(
                [[float(tag == gold) for tag in self.labels] for gold in self._gold(eg)], dtype="float32"))
        self.model.initialize(X=docs, Y=truths)

    def get_loss(self, examples: Iterable[Example], scores):
        """The tagger's cross-entropy against the gold BILUO tags; missing entity annotation (a
        document or token without one) adds nothing."""
        truths = [self._gold(eg) for eg in examples]
        loss_func = SequenceCategoricalCrossentropy(names=self.labels, normalize=False)
        d_scores, loss = loss_func(scores, truths)
        if self.model.ops.xp.isnan(loss):
            raise ValueError(f"NaN loss in {self.name}")
        return float(loss), d_scores

    @staticmethod
    def _gold(example: Example) -> list[Optional[str]]:
        return [tag if tag not in ("", "-") else None for tag in example.get_aligned_ner()]

    def predict(self, docs: Sequence[Doc]) -> list[numpy.ndarray]:
        if not any(len(doc) for doc in docs):
            return [numpy.zeros((0,), dtype="int32") for _ in docs]
        logits = not self.model.get_ref("softmax").attrs["softmax_normalize"]  # Tagger.v2, normalize=false
        return [self.decoder(self.model.ops.to_numpy(scores), logits) for scores in self.model.predict(docs)]

    def set_annotations(self, docs: Iterable[Doc], batch_tag_ids) -> None:
        for doc, tag_ids in zip(docs, batch_tag_ids):
            self.decoder.set_ents(doc, tag_ids)


class BiluoDecoder:
    """Best tag ids for one document's tag scores (probabilities, or logits: `logits=True`),
    constrained to valid BILUO sequences."""

    def __init__(self, tags: Sequence[str]):
        self.tags = tuple(tags)
        n = len(self.tags)
        prefix = [tag[0] if tag != OUT else OUT for tag in self.tags]
        label = [tag[2:] for tag in self.tags]
        opens = [p in "BI" for p in prefix]  # an entity is still open after this tag
        # allowed[a, b]: tag b may follow tag a
        self.allowed = numpy.array([[(prefix[b] in "IL" and label[a] == label[b]) if opens[a]
                                     else prefix[b] in (OUT, "B", "U") for b in range(n)]
                                    for a in range(n)])
        self.can_start = numpy.array([p in (OUT, "B", "U") for p in prefix])
        self.can_end = ~numpy.array(opens)
        self.out = self.tags.index(OUT)
        self.prefix, self.label = prefix, label
        self._penalty = numpy.where(self.allowed, 0.0, -numpy.inf)
        self._codes = None  # (per tag: spaCy's IOB code and label hash, the StringStore they are of)

    def __call__(self, scores: numpy.ndarray, logits: bool = False) -> numpy.ndarray:
        best = scores.argmax(axis=1)
        if not len(best):
            return best
        if self.can_start[best[0]] and self.can_end[best[-1]] and self.allowed[best[:-1], best[1:]].all():
            return best
        for start, end in self._stretches(best):
            part = scores[start:end].astype("float64")
            if logits:
                part = part - part.max(axis=1, keepdims=True)
                part = part - numpy.log(numpy.exp(part).sum(axis=1, keepdims=True))
            else:
                part = numpy.log(part + 1e-12)
            best[start:end] = self._viterbi(part)
        return best

    def _stretches(self, best: numpy.ndarray) -> Iterable[tuple[int, int]]:
        """The maximal runs of tokens not tagged O whose tags are not a valid sequence, each with
        one token more on either side (an entity may end one token later or start one earlier
        than its best tags say), overlapping windows merged."""
        inside = numpy.concatenate(([False], best != self.out, [False]))
        edges = numpy.flatnonzero(inside[1:] != inside[:-1])
        window = None
        for start, end in zip(edges[::2].tolist(), edges[1::2].tolist()):
            run = best[start:end]
            if self.can_start[run[0]] and self.can_end[run[-1]] and self.allowed[run[:-1], run[1:]].all():
                continue
            start, end = max(start - 1, 0), min(end + 1, len(best))
            if window and start <= window[1]:
                window = (window[0], end)
                continue
            if window:
                yield window
            window = (start, end)
        if window:
            yield window

    def _viterbi(self, logp: numpy.ndarray) -> numpy.ndarray:
        n = len(logp)
        score = numpy.where(self.can_start, logp[0], -numpy.inf)
        back = numpy.zeros((n, len(self.tags)), dtype="int64")
        for i in range(1, n):
            total = score[:, None] + self._penalty
            back[i] = total.argmax(axis=0)
            score = total.max(axis=0) + logp[i]
        score = numpy.where(self.can_end, score, -numpy.inf)
        path = numpy.empty(n, dtype="int64")
        path[-1] = score.argmax()
        for i in range(n - 1, 0, -1):
            path[i - 1] = back[i, path[i]]
        return path

    def set_ents(self, doc: Doc, tag_ids: numpy.ndarray) -> None:
        """Write a valid tag sequence as the doc's entity layer (every token inside or outside an
        entity: what `doc.set_ents(spans, default="outside")` does, in one `from_array` call)."""
        if not len(doc):
            return
        if self._codes is None or self._codes[1] is not doc.vocab.strings:
            types = [doc.vocab.strings.add(label) if prefix != OUT else 0
                     for prefix, label in zip(self.prefix, self.label)]
            iob = [_IOB[prefix] for prefix in self.prefix]
            self._codes = (numpy.array([iob, types], dtype="uint64").T, doc.vocab.strings)
        values = numpy.zeros((len(doc), len(_ENT_ATTRS)), dtype="uint64")
        values[:, :2] = self._codes[0][numpy.asarray(tag_ids)]
        doc.from_array(_ENT_ATTRS, values)
