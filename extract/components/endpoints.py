"""Endpoints: outcome phrases found after role cues ("The primary endpoints were …"), after change
and analysis cues, and before assessment verbs ("… levels were evaluated"); one entry per endpoint."""
from __future__ import annotations

from typing import NamedTuple

import regex
from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import rules
from ..schema import Endpoint
from .entities import entities
from .extensions import doc_text, evidence, occurs_twice, span_text
from .phrases import PhraseReader, split_list, token_at
from .required_literals import RequiredLiterals

ROLE_RANK = {"primary": 0, "secondary": 1, "other": 2}
_TRAILING_ABBREVIATION = regex.compile(r"\s*\([^()]{1,12}\)$")
_LETTER_RUNS = regex.compile(r"[^\W\d_]+")
_ROLE_WORD = regex.compile(r"the (?:secondary|primary)|secondary|primary", regex.I)
_NON_WORD = regex.compile(r"[^\w]+")


class Phrase(NamedTuple):
    """An endpoint name and the span it stands on (the span may hold only part of a shared-head name)."""

    name: str
    span: Span


class _SentenceCues:
    """What an NER outcome span needs from its sentence: where the role cues start (absolute
    character offsets), and whether the sentence has an outcome/result/p-value cue."""

    def __init__(self, roles: list[tuple[int, str]], ner_cued: bool):
        self.roles, self.ner_cued = roles, ner_cued

    def role_before(self, start_char: int) -> str:
        """The highest-ranked role whose cue starts before `start_char`; "other" without one."""
        best = "other"
        for at, role in self.roles:
            if at < start_char and ROLE_RANK[role] < ROLE_RANK[best]:
                best = role
        return best


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
        # The literals each cue needs: cues that cannot match a document or sentence are not run on it.
        self.literals = {cue: RequiredLiterals(cue.pattern)
                         for cue in [c for _, c in self.role_cues] + [self.object_cue, self.subject_cue]}
        self._doc_cues: frozenset = frozenset()  # per document: the cues its text may hold
        self.unsplit = frozenset(p.lower() for p in data["unsplit"])
        self.excluded = frozenset(p.lower() for p in data["not_endpoints"])
        self.max_tokens = data["max_tokens"]
        self.arm_words = frozenset(data["arm_words"])
        self.keep_words = frozenset(data["keep_words"])
        self.reader = PhraseReader(data["boundary_words"], data["leading_drop"], max_tokens=self.max_tokens,
                                   allow_brackets=True, keep=data["keep_words"])
        ner = data.get("ner") or {}
        self.ner_labels = tuple(ner.get("labels", ()))
        self.ner_overlap = ner.get("on_overlap", "rules")
        self.ner_max_tokens = int(ner.get("max_tokens", self.max_tokens))
        self.ner_skip_title = bool(ner.get("skip_title", True))
        self.ner_conflicts = tuple(ner.get("conflicting_labels", ()))
        self.ner_min_letters = int(ner.get("min_letters", 3))
        self.ner_accept = tuple(ner.get("accept_when", ("repeated",)))
        self.ner_sentence_cue = regex.compile(ner["sentence_cue"], flags) if ner.get("sentence_cue") else None
        self.ner_not_single = frozenset(w.lower() for w in ner.get("not_single_words", ()))
        lead = "|".join(map(regex.escape, ner.get("strip_leading", ())))
        self.ner_lead = regex.compile(rf"^(?:[^\w(]+|(?:{lead})\s+)+" if lead else r"^[^\w(]+", regex.I)

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[Phrase, str]] = []
        folded = doc_text(doc).casefold()
        self._doc_cues = frozenset(cue for cue, literals in self.literals.items() if literals.may_match(folded))
        for sent in doc.sents:
            found += self._sentence(doc, sent)
        if self.ner_labels:
            found = self._with_ner(doc, found)
        doc._.endpoints = self._merge(doc, found)
        return doc

    def _with_ner(self, doc: Doc, found: list[tuple[Phrase, str]]) -> list[tuple[Phrase, str]]:
        """Add the statistical NER's OUTCOME spans (split into list members, trimmed like cue phrases,
        a trailing "(ABBR)" left out of the name), with the role of a primary/secondary cue earlier in
        their sentence, else "other". Where an NER phrase and a rule phrase overlap, `ner.on_overlap`
        says which one stays."""
        text = doc_text(doc)
        title_end = max(text.find("\n\n"), 0) if self.ner_skip_title else 0
        ner: list[tuple[Phrase, str]] = []
        others = entities(doc, self.ner_conflicts)
        sentences: dict[int, _SentenceCues] = {}  # by first token: the cues of each sentence, read once
        for start, end, _ in entities(doc, self.ner_labels):
            if start < title_end:
                continue
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or len(span) == 0 or len(span) > 3 * self.ner_max_tokens:
                continue
            sent = span.sent
            cues = sentences.get(sent.start)
            if cues is None:
                cues = sentences[sent.start] = self._sentence_cues(sent)
            role = cues.role_before(span.start_char)
            for part in self._split(span):
                phrase = self._read(doc, part.span.start, part.span.end)
                if phrase is None or len(phrase) > self.ner_max_tokens:
                    continue
                part = part if phrase == part.span else Phrase(phrase.text, phrase)
                if any(s <= part.span.start_char and part.span.end_char <= e for s, e, _ in others):
                    continue  # all inside what another model calls an intervention or a chemical
                name = self.ner_lead.sub("", _TRAILING_ABBREVIATION.sub("", part.name))
                if self._ner_keeps(text, name, cues.ner_cued):
                    ner.append((Phrase(name, part.span), role))
        if not ner:
            return found
        first, second = (found, ner) if self.ner_overlap == "rules" else (ner, found)
        taken = [(p.span.start_char, p.span.end_char) for p, _ in first]
        kept = [(p, r) for p, r in second
                if not any(s < p.span.end_char and p.span.start_char < e for s, e in taken)]
        return _without_fragments(first + kept, {id(p) for p, _ in ner})

    def _ner_keeps(self, text: str, name: str, cued: bool) -> bool:
        words = _LETTER_RUNS.findall(name)
        if sum(len(w) for w in words) < self.ner_min_letters:
            return False
        if len(name.split()) == 1 and (name.lower() in self.ner_not_single or not name.islower()):
            return False  # one word: only a plain lower-case noun ("mortality"), not "Clinical", "HR"
        repeated = occurs_twice(text, name)
        return any(all({"repeated": repeated, "cued": cued}[t] for t in alt.split("+")) for alt in self.ner_accept)

    def _sentence_cues(self, sent: Span) -> "_SentenceCues":
        text = span_text(sent)
        roles = [(sent.start_char + m.start(), role) for role, cue in self.role_cues if role != "other"
                 for m in cue.finditer(text)]
        cued = bool(self.ner_sentence_cue.search(text)) if self.ner_sentence_cue else False
        return _SentenceCues(roles, cued)

    def _sentence(self, doc: Doc, sent: Span) -> list[tuple[Phrase, str]]:
        out = []
        text = span_text(sent)
        folded = text.casefold() if self._doc_cues else ""
        cues = {cue for cue in self._doc_cues if self.literals[cue].may_match(folded)}
        for role, cue in self.role_cues:
            for m in cue.finditer(text) if cue in cues else ():
                out += [(p, role) for p in self._list_after(doc, sent, sent.start_char + m.end())]
        for m in self.object_cue.finditer(text) if self.object_cue in cues else ():
            token = token_at(doc, sent.start_char + m.end())
            phrase = token is not None and self._read(doc, token.i, sent.end)
            if phrase:
                out.append((Phrase(phrase.text, phrase), "other"))
        for m in self.subject_cue.finditer(text) if self.subject_cue in cues else ():
            verb = sent.start_char + m.start() + len(m.group()) - len(m.group().lstrip())
            out += [(p, "other") for p in self._list_before(doc, sent, verb)]
        return out

    def _list_after(self, doc: Doc, sent: Span, char: int) -> list[Phrase]:
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
                if i < sent.end and _ROLE_WORD.match(doc[i:i + 2].text):
                    break
                continue
            break
        return phrases

    def _phrase(self, doc: Doc, i: int, end: int) -> Span | None:
        for protected in self.unsplit:
            n = len(protected.split())
            if doc[i:i + n].text.lower() == protected:
                return doc[i:i + n]
        return self._read(doc, i, end)

    def _read(self, doc: Doc, i: int, end: int) -> Span | None:
        """A phrase, less a trailing "in the … group" that names a study arm."""
        phrase = self.reader.forward(doc, i, end)
        if phrase is not None and phrase.end < end and doc[phrase.end].lower_ in self.arm_words:
            cut = next((k for k in range(phrase.end - 1, phrase.start, -1) if doc[k].lower_ in {"in", "of"}), None)
            phrase = doc[phrase.start:cut] if cut is not None else None
        return phrase

    def _list_before(self, doc: Doc, sent: Span, char: int) -> list[Phrase]:
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
        out = []
        for part in self._split(clause):
            phrase = self._read(doc, part.span.start, part.span.end)
            if phrase is not None:
                out.append(part if phrase == part.span else Phrase(phrase.text, phrase))
        return out

    def _split(self, phrase: Span) -> list[Phrase]:
        """Members of a list; a lone modifier shares the next member's head ("systolic and diastolic
        blood pressure" → "systolic blood pressure", "diastolic blood pressure")."""
        if phrase.text.lower() in self.unsplit:
            return [Phrase(phrase.text, phrase)]
        parts = split_list(phrase)
        out = []
        for k, part in enumerate(parts):
            nxt = parts[k + 1] if k + 1 < len(parts) else None
            if len(part) == 1 and nxt is not None and len(nxt) >= 2 and part[0].is_lower and part[0].is_alpha:
                out.append(Phrase(f"{part.text} {nxt[1:].text}", part))
            else:
                out.append(Phrase(part.text, part))
        return out

    def _merge(self, doc: Doc, found: list[tuple[Phrase, str]]) -> list[Endpoint]:
        kept: list[list] = []  # [key tokens, phrase, role]
        for phrase, role in sorted(found, key=lambda f: f[0].span.start_char):
            name = phrase.name.strip()
            if name.lower() in self.excluded or not any(c.isalpha() for c in name):
                continue
            key = _tokens(name)
            same = next((k for k in kept if _same(k[0], key)), None)
            if same is None:
                kept.append([key, phrase, role])
            elif ROLE_RANK[role] < ROLE_RANK[same[2]]:
                same[1], same[2] = phrase, role
        kept.sort(key=lambda k: k[1].span.start_char)
        return [Endpoint(name=p.name, role=role, span=evidence(doc, p.span.start_char, p.span.end_char))
                for _, p, role in kept]


def _without_fragments(found: list[tuple[Phrase, str]], from_ner: set) -> list[tuple[Phrase, str]]:
    """Drop a one-word NER name that is a word of a longer name found in the same document: the tagger
    breaks phrases ("serum" of "serum IL-6", "intake" of "food intake"); the longer name stands for it."""
    longer = [_tokens(p.name) for p, _ in found if len(_tokens(p.name)) >= 2]
    return [(p, r) for p, r in found
            if id(p) not in from_ner or len(key := _tokens(p.name)) != 1 or not any(key < m for m in longer)]


def _tokens(name: str) -> frozenset:
    return frozenset(_NON_WORD.sub(" ", name.lower()).split())


def _same(a: frozenset, b: frozenset) -> bool:
    small, big = sorted((a, b), key=len)
    return a == b or (len(small) >= 2 and small <= big)
