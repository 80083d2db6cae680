"""Conditions: the diseases a study is about, from the statistical NER (DISEASE spans, and the
condition phrase inside PARTICIPANTS spans: "patients with {type 2 diabetes}"), one entry per name.
With no NER in the pipeline `doc._.conditions` is an empty list."""
from __future__ import annotations

import functools

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from ..schema import Condition
from .entities import entities
from .extensions import abbreviation_chars, doc_text, evidence
from .phrases import PhraseReader
from .tokens import PUNCT, SPACE, Tokens

_WORD_OR_PUNCT = regex.compile(r"[^\W\d_]+|[.,;:()]")
_NON_WORD = regex.compile(r"[^\w]+")


@Language.factory("extract_conditions", default_config={"rules": "conditions.yml"})
def make_conditions(nlp: Language, name: str, rules: str) -> "ConditionFinder":
    return ConditionFinder(rules)


class ConditionFinder:
    """Sets `doc._.conditions` to a list of `Condition`, first mention first."""

    def __init__(self, rules_file: str = "conditions.yml"):
        data = rules.load(rules_file)
        self.labels = tuple(data["labels"])
        self.participant_labels = tuple(data["participant_labels"])
        self.cue = regex.compile(data["participant_cues"], regex.IGNORECASE)
        self.reader = PhraseReader(data["boundary_words"], data["leading_drop"], max_tokens=data["max_tokens"])
        self.excluded = frozenset(w.lower() for w in data["not_conditions"])
        self.not_before = frozenset(w.lower() for w in data.get("not_before", ()))

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found, toks = [], None
        for s, e, label in entities(doc, self.labels + self.participant_labels):
            if label in self.labels and not self._names_molecule(text, e):
                found.append((s, e))
            if label in self.participant_labels:
                toks = toks or Tokens(doc)
                found += self._in_participants(toks, s, e)
        out, seen = [], []  # the conditions, and the word sets of their keys
        short_forms = _short_forms(doc)
        for s, e in _drop_overlaps(found):
            name = text[s:e].strip()
            short = short_forms.get(name)  # "ALS" is the "amyotrophic lateral sclerosis" named before
            key = _key(name) if short is None else _key(text[short[0]:short[1]])
            if not key or key in self.excluded or name.lower() in self.excluded or not any(c.isalpha() for c in name):
                continue
            words = set(key.split())
            if any(words <= k or k <= words for k in seen):
                continue  # the same condition, named more or less fully ("diabetes", "type 2 diabetes")
            seen.append(words)
            out.append(Condition(name=name, span=evidence(doc, s, e)))
        doc._.conditions = out
        return doc

    def _names_molecule(self, text: str, end: int) -> bool:
        """The span is followed, within two words, by a molecule word ("tumor necrosis factor-α")."""
        following = _WORD_OR_PUNCT.findall(text[end:end + 40])[:2]
        return any(w.lower() in self.not_before for w in following if w.isalpha())

    def _in_participants(self, toks: Tokens, start: int, end: int) -> list[tuple[int, int]]:
        """The condition phrases after a cue inside the participants span start:end (characters)."""
        out = []
        for m in self.cue.finditer(toks.text, start, end):
            token = toks.token_at(m.end())
            if token is None or toks.starts[token] >= end:
                continue
            last = toks.char_span(start, end)
            phrase = self._phrase(toks, token, last[1] if last is not None else toks.n)
            if phrase is not None and toks.ends[phrase[1] - 1] <= end:
                out.append((toks.starts[phrase[0]], toks.ends[phrase[1] - 1]))
        return out

    def _phrase(self, toks: Tokens, i: int, end: int):
        """Words from token i up to a boundary word or punctuation; numbers stay ("type 2 diabetes"):
        a token range, or None."""
        lowers = toks.lowers
        while i < end and lowers[i] in self.reader.leading_drop:
            i += 1
        j = i
        while j < end and j - i < self.reader.max_tokens:
            if lowers[j] in self.reader.boundary or toks.flags(j) & (SPACE | PUNCT):
                break
            j += 1
        return (i, j) if j > i else None

def _short_forms(doc: Doc) -> dict[str, tuple[int, int]]:
    """Short form text → the characters of its long form (the last short form of that text), from
    the abbreviation detector."""
    text = doc_text(doc)
    return {text[a:b]: (c, d) for a, b, c, d in abbreviation_chars(doc)}


@functools.lru_cache(maxsize=65536)
def _key(name: str) -> str:
    words = _NON_WORD.sub(" ", name.lower()).split()
    return " ".join(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _drop_overlaps(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans: the first, longest one stays."""
    kept: list[tuple[int, int]] = []
    for s, e in sorted(set(spans), key=lambda x: (x[0], -(x[1] - x[0]))):
        if kept and s < kept[-1][1]:
            continue
        kept.append((s, e))
    return kept
