"""Conditions: the diseases a study is about, from the statistical NER (DISEASE spans, and the
condition phrase inside PARTICIPANTS spans: "patients with {type 2 diabetes}"), one entry per name.
With no NER in the pipeline `doc._.conditions` is an empty list."""
from __future__ import annotations

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from ..schema import Condition
from .entities import entities
from .extensions import abbreviations, doc_text, evidence
from .phrases import PhraseReader
from .tokens import Tokens

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
        found = [(s, e) for s, e, _ in entities(doc, self.labels) if not self._names_molecule(text, e)]
        for s, e, _ in entities(doc, self.participant_labels):
            found += self._in_participants(doc, text, s, e)
        out, seen = [], set()
        short_forms = self._short_forms(doc)
        for s, e in _drop_overlaps(found):
            name = text[s:e].strip()
            key = _key(name)
            key = short_forms.get(name, key)  # "ALS" is the "amyotrophic lateral sclerosis" named before
            if not key or key in self.excluded or name.lower() in self.excluded or not any(c.isalpha() for c in name):
                continue
            words = set(key.split())
            if any(words <= set(k.split()) or set(k.split()) <= words for k in seen):
                continue  # the same condition, named more or less fully ("diabetes", "type 2 diabetes")
            seen.add(key)
            out.append(Condition(name=name, span=evidence(doc, s, e)))
        doc._.conditions = out
        return doc

    def _names_molecule(self, text: str, end: int) -> bool:
        """The span is followed, within two words, by a molecule word ("tumor necrosis factor-α")."""
        following = _WORD_OR_PUNCT.findall(text[end:end + 40])[:2]
        return any(w.lower() in self.not_before for w in following if w.isalpha())

    @staticmethod
    def _short_forms(doc: Doc) -> dict:
        """Short form → key of its long form, from scispaCy's AbbreviationDetector."""
        out = {}
        for short in abbreviations(doc):
            out[short.text] = _key(short._.long_form.text)
        return out

    def _in_participants(self, doc: Doc, text: str, start: int, end: int) -> list[tuple[int, int]]:
        out = []
        toks = None
        for m in self.cue.finditer(text, start, end):
            toks = toks or Tokens(doc)
            token = toks.token_at(m.end())
            if token is None or toks.starts[token] >= end:
                continue
            last = doc.char_span(start, end, alignment_mode="expand")
            phrase = self._phrase(doc, token, last.end if last is not None else len(doc))
            if phrase is not None and phrase.end_char <= end:
                out.append((phrase.start_char, phrase.end_char))
        return out

    def _phrase(self, doc: Doc, i: int, end: int):
        """Words from token i up to a boundary word or punctuation; numbers stay ("type 2 diabetes")."""
        while i < end and doc[i].lower_ in self.reader.leading_drop:
            i += 1
        j = i
        while j < end and j - i < self.reader.max_tokens:
            token = doc[j]
            if token.is_space or (token.is_punct and token.text not in "-/'") or token.lower_ in self.reader.boundary:
                break
            j += 1
        return doc[i:j] if j > i else None


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
