"""Endpoints: outcome phrases found after role cues ("The primary endpoints were …"), after change
and analysis cues, and before assessment verbs ("… levels were evaluated"); one entry per endpoint."""
from __future__ import annotations

import regex
from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import rules
from ..schema import Endpoint
from .extensions import evidence
from .phrases import PhraseReader, split_list, token_at

ROLE_RANK = {"primary": 0, "secondary": 1, "other": 2}


@Language.factory("extract_endpoints", default_config={"rules": "endpoints.yml"})
def make_endpoints(nlp: Language, name: str, rules: str) -> "EndpointFinder":
    return EndpointFinder(rules)


class EndpointFinder:
    """Sets `doc._.endpoints` to a list of `Endpoint`, first mention first."""

    def __init__(self, rules_file: str = "endpoints.yml"):
        data = rules.load(rules_file)
        flags = regex.IGNORECASE
        self.role_cues = [(role, regex.compile(p, flags)) for role, p in data["role_cues"].items()]
        self.object_cue = regex.compile(data["object_cues"], flags)
        self.subject_cue = regex.compile(data["subject_cues"], flags)
        self.intro = regex.compile(data["intro"], flags)
        self.unsplit = frozenset(p.lower() for p in data["unsplit"])
        self.excluded = frozenset(p.lower() for p in data["not_endpoints"])
        self.max_tokens = data["max_tokens"]
        self.reader = PhraseReader(data["boundary_words"], data["leading_drop"], max_tokens=self.max_tokens,
                                   allow_brackets=True, keep=data["keep_words"])

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[Span, str]] = []
        for sent in doc.sents:
            found += self._sentence(doc, sent)
        doc._.endpoints = self._merge(doc, found)
        return doc

    def _sentence(self, doc: Doc, sent: Span) -> list[tuple[Span, str]]:
        out = []
        for role, cue in self.role_cues:
            for m in cue.finditer(sent.text):
                out += [(p, role) for p in self._list_after(doc, sent, sent.start_char + m.end())]
        for m in self.object_cue.finditer(sent.text):
            token = token_at(doc, sent.start_char + m.end())
            phrase = token is not None and self.reader.forward(doc, token.i, sent.end)
            if phrase:
                out.append((phrase, "other"))
        for m in self.subject_cue.finditer(sent.text):
            verb = sent.start_char + m.start() + len(m.group()) - len(m.group().lstrip())
            out += [(p, "other") for p in self._list_before(doc, sent, verb)]
        return out

    def _list_after(self, doc: Doc, sent: Span, char: int) -> list[Span]:
        """The endpoint list after a role cue: phrases joined by commas and "and", up to a clause end."""
        token = token_at(doc, char)
        phrases, i = [], token.i if token is not None else sent.end
        while i < sent.end:
            phrase = self._phrase(doc, i, sent.end)
            if phrase is None:
                break
            phrases += self._split(phrase)
            j = phrase.end
            if j < sent.end and doc[j].lower_ in {"and", "or", ","}:
                j += 1 + (j + 1 < sent.end and doc[j].text == "," and doc[j + 1].lower_ in {"and", "or"})
                i = j
                if i < sent.end and regex.match(r"the (?:secondary|primary)|secondary|primary", doc[i:i + 2].text, regex.I):
                    break
                continue
            break
        return phrases

    def _phrase(self, doc: Doc, i: int, end: int) -> Span | None:
        for protected in self.unsplit:
            n = len(protected.split())
            if doc[i:i + n].text.lower() == protected:
                return doc[i:i + n]
        return self.reader.forward(doc, i, end)

    def _list_before(self, doc: Doc, sent: Span, char: int) -> list[Span]:
        """The subject list before an assessment verb, from the clause start."""
        end_token = token_at(doc, char)
        if end_token is None:
            return []
        start = sent.start
        for k in range(end_token.i - 1, sent.start - 1, -1):
            if doc[k].text in {";", ":"}:
                start = k + 1
                break
        clause = doc[start:end_token.i]
        intro = self.intro.match(clause.text)
        if intro:
            first = token_at(doc, clause.start_char + intro.end())
            clause = doc[first.i:clause.end] if first is not None and first.i < clause.end else clause
        if len(clause) == 0 or len(clause) > 3 * self.max_tokens:
            return []
        return [p for part in self._split(clause) if (p := self.reader.forward(doc, part.start, part.end))]

    def _split(self, phrase: Span) -> list[Span]:
        if phrase.text.lower() in self.unsplit:
            return [phrase]
        return split_list(phrase)

    def _merge(self, doc: Doc, found: list[tuple[Span, str]]) -> list[Endpoint]:
        kept: list[list] = []  # [key tokens, span, role]
        for span, role in sorted(found, key=lambda f: f[0].start_char):
            name = span.text.strip()
            if name.lower() in self.excluded or not any(c.isalpha() for c in name):
                continue
            key = _tokens(name)
            same = next((k for k in kept if _same(k[0], key)), None)
            if same is None:
                kept.append([key, span, role])
            elif ROLE_RANK[role] < ROLE_RANK[same[2]]:
                same[1], same[2] = span, role
        kept.sort(key=lambda k: k[1].start_char)
        return [Endpoint(name=span.text, role=role, span=evidence(doc, span.start_char, span.end_char))
                for _, span, role in kept]


def _tokens(name: str) -> frozenset:
    return frozenset(regex.sub(r"[^\w]+", " ", name.lower()).split())


def _same(a: frozenset, b: frozenset) -> bool:
    small, big = sorted((a, b), key=len)
    return a == b or (len(small) >= 2 and small <= big)
