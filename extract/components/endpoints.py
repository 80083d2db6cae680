"""Endpoints: outcome phrases found after role cues ("The primary endpoints were …"), after change
and analysis cues, and before assessment verbs ("… levels were evaluated"); one entry per endpoint."""
from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import NamedTuple, Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from ..schema import Endpoint
from .entities import entities
from .extensions import evidence, occurs_twice
from .phrases import PhraseReader, Range, split_range
from .required_literals import RequiredLiterals, SentenceGates
from .tokens import LOWER_ALPHA, Tokens, sentence_chars

ROLE_RANK = {"primary": 0, "secondary": 1, "other": 2}
_TRAILING_ABBREVIATION = regex.compile(r"\s*\([^()]{1,12}\)$")
_LETTER_RUNS = regex.compile(r"[^\W\d_]+")
_ROLE_WORD = regex.compile(r"the (?:secondary|primary)|secondary|primary", regex.I)
_NON_WORD = regex.compile(r"[^\w]+")
_LIST_WORDS = frozenset({"and", "or", ","})


class Phrase(NamedTuple):
    """An endpoint name and the tokens start:end it stands on, at characters start_char:end_char
    (the tokens may hold only part of a shared-head name)."""

    name: str
    start: int
    end: int
    start_char: int
    end_char: int


def _phrase(toks: Tokens, start: int, end: int, name: Optional[str] = None) -> Phrase:
    """The phrase on tokens start:end (a non-empty range), named by their text unless `name` is given."""
    first, last = toks.starts[start], toks.ends[end - 1]
    return Phrase(toks.text[first:last] if name is None else name, start, end, first, last)


class _Intervals:
    """Character intervals, sorted by start with the running maximum of their ends: whether one of
    them contains or overlaps a span, without a loop over all of them."""

    def __init__(self, intervals):
        pairs = sorted((s, e) for s, e, *_ in intervals)
        self.starts = [s for s, _ in pairs]
        self.reach = list(accumulate((e for _, e in pairs), max))

    def contain(self, start: int, end: int) -> bool:
        """Whether an interval holds [start, end): `any(s <= start and end <= e ...)`."""
        k = bisect_right(self.starts, start)
        return k > 0 and self.reach[k - 1] >= end

    def overlap(self, start: int, end: int) -> bool:
        """Whether an interval shares a character with [start, end): `any(s < end and start < e ...)`."""
        k = bisect_left(self.starts, end)
        return k > 0 and self.reach[k - 1] > start


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
        ner = data.get("ner") or {}
        cue = ner.get("sentence_cue") or []
        # alternatives: a sentence is cued when one of them matches it
        self.ner_sentence_cues = [regex.compile(p, flags) for p in ([cue] if isinstance(cue, str) else cue)]
        # The literals each cue needs: cues that cannot match a document or sentence are not run on it.
        rule_cues = [c for _, c in self.role_cues] + [self.object_cue, self.subject_cue]
        self.literals = {cue: RequiredLiterals(cue.pattern) for cue in rule_cues + self.ner_sentence_cues}
        self._cues = list(self.literals)  # numbered as their gates
        self._cue_numbers = {cue: i for i, cue in enumerate(self._cues)}
        self._rule_numbers = frozenset(self._cue_numbers[cue] for cue in rule_cues)
        self._gates = SentenceGates(self.literals.values())
        self._open: list = []  # per document: the gates (cues) each sentence may match
        self._repeated: dict[str, bool] = {}  # per document: name -> occurs_twice
        self._ner_names: dict[str, bool] = {}  # name -> _ner_name, across documents
        self.unsplit = frozenset(p.lower() for p in data["unsplit"])
        self._unsplit_words = [(p, len(p.split())) for p in self.unsplit]  # (in the set's order)
        self.excluded = frozenset(p.lower() for p in data["not_endpoints"])
        self.max_tokens = data["max_tokens"]
        self.arm_words = frozenset(data["arm_words"])
        self.keep_words = frozenset(data["keep_words"])
        self.reader = PhraseReader(data["boundary_words"], data["leading_drop"], max_tokens=self.max_tokens,
                                   allow_brackets=True, keep=data["keep_words"])
        self.ner_labels = tuple(ner.get("labels", ()))
        self.ner_overlap = ner.get("on_overlap", "rules")
        self.ner_max_tokens = int(ner.get("max_tokens", self.max_tokens))
        self.ner_skip_title = bool(ner.get("skip_title", True))
        self.ner_conflicts = tuple(ner.get("conflicting_labels", ()))
        self.ner_min_letters = int(ner.get("min_letters", 3))
        self.ner_accept = tuple(ner.get("accept_when", ("repeated",)))
        # the alternatives as tuples of tests, those that need no name count (only "cued") first
        self._accept = tuple(sorted((tuple(alt.split("+")) for alt in self.ner_accept),
                                    key=lambda tests: "repeated" in tests))
        unknown = {t for tests in self._accept for t in tests} - {"repeated", "cued"}
        if unknown:
            raise ValueError(f"endpoints ner.accept_when: unknown tests {sorted(unknown)}")
        self.ner_not_single = frozenset(w.lower() for w in ner.get("not_single_words", ()))
        lead = "|".join(map(regex.escape, ner.get("strip_leading", ())))
        self.ner_lead = regex.compile(rf"^(?:[^\w(]+|(?:{lead})\s+)+" if lead else r"^[^\w(]+", regex.I)

    def __call__(self, doc: Doc) -> Doc:
        toks = Tokens(doc)
        self._repeated = {}
        found: list[tuple[Phrase, str]] = []
        self._open = self._gates.sentences(toks.text, sentence_chars(toks.doc))
        for k, (start, end) in enumerate(toks.sentences):
            found += self._sentence(toks, k, start, end)
        if self.ner_labels:
            found = self._with_ner(doc, toks, found)
        doc._.endpoints = self._merge(doc, found)
        return doc

    def _with_ner(self, doc: Doc, toks: Tokens, found: list[tuple[Phrase, str]]) -> list[tuple[Phrase, str]]:
        """Add the statistical NER's OUTCOME spans (split into list members, trimmed like cue phrases,
        a trailing "(ABBR)" left out of the name), with the role of a primary/secondary cue earlier in
        their sentence, else "other". Where an NER phrase and a rule phrase overlap, `ner.on_overlap`
        says which one stays."""
        text = toks.text
        title_end = max(text.find("\n\n"), 0) if self.ner_skip_title else 0
        ner: list[tuple[Phrase, str]] = []
        outcomes = entities(doc, self.ner_labels)
        if not outcomes:
            return found
        others: Optional[_Intervals] = None  # (built when first needed)
        hooked = "sent" in doc.user_span_hooks or "sents" in doc.user_hooks
        longest = 3 * self.ner_max_tokens
        sentences: dict[int, _SentenceCues] = {}  # by first token: the cues of each sentence, read once
        for start, end, _ in outcomes:
            if start < title_end:
                continue
            span = toks.char_span(start, end)
            if span is None or not 0 < span[1] - span[0] <= longest:
                continue
            if hooked:  # (the sentence of `doc[start:end].sent`, that of its first token)
                k, sent = None, self._hooked_sent(doc, *span)
            else:
                k = toks.sentence(span[0])
                sent = toks.sentences[k]
            cues = sentences.get(sent[0])
            if cues is None:
                cues = sentences[sent[0]] = self._sentence_cues(toks, k, *sent)
            role = cues.role_before(toks.starts[span[0]])
            for part in self._split(toks, *span):
                phrase = self._read(toks, part.start, part.end)
                if phrase is None or phrase[1] - phrase[0] > self.ner_max_tokens:
                    continue
                part = part if phrase == (part.start, part.end) else _phrase(toks, *phrase)
                if others is None:
                    others = _Intervals(entities(doc, self.ner_conflicts))
                if others.contain(part.start_char, part.end_char):
                    continue  # all inside what another model calls an intervention or a chemical
                name = part.name
                if ")" in name:  # (the pattern needs one)
                    name = _TRAILING_ABBREVIATION.sub("", name)
                name = self.ner_lead.sub("", name)
                if self._ner_keeps(text, name, cues.ner_cued):
                    ner.append((part if name == part.name else Phrase(name, *part[1:]), role))
        if not ner:
            return found
        first, second = (found, ner) if self.ner_overlap == "rules" else (ner, found)
        taken = _Intervals((p.start_char, p.end_char) for p, _ in first)
        kept = [(p, r) for p, r in second if not taken.overlap(p.start_char, p.end_char)]
        return _without_fragments(first + kept, {id(p) for p, _ in ner})

    @staticmethod
    def _hooked_sent(doc: Doc, start: int, end: int) -> Range:
        sent = doc[start:end].sent
        return sent.start, sent.end

    def _ner_keeps(self, text: str, name: str, cued: bool) -> bool:
        if not self._ner_name(name):
            return False
        for tests in self._accept:  # (the order of the alternatives and tests does not change the answer)
            if not cued and "cued" in tests:
                continue
            if "repeated" not in tests or self._repeated_name(text, name):
                return True
        return False

    def _ner_name(self, name: str) -> bool:
        """Whether an NER name may name an endpoint on its own (cached: names recur)."""
        found = self._ner_names.get(name)
        if found is None:
            if len(self._ner_names) >= 100_000:
                self._ner_names.clear()
            # one word: only a plain lower-case noun ("mortality"), not "Clinical", "HR"
            found = (not (len(name.split()) == 1 and (name.lower() in self.ner_not_single or not name.islower()))
                     and sum(map(len, _LETTER_RUNS.findall(name))) >= self.ner_min_letters)
            self._ner_names[name] = found
        return found

    def _repeated_name(self, text: str, name: str) -> bool:
        """`occurs_twice(text, name)`, once per document and name."""
        repeated = self._repeated.get(name)
        if repeated is None:
            repeated = self._repeated[name] = occurs_twice(text, name)
        return repeated

    def _sentence_cues(self, toks: Tokens, k: Optional[int], start: int, end: int) -> "_SentenceCues":
        """The cues of sentence `k`, tokens start:end (k None: no gates)."""
        base = toks.starts[start]
        text = toks.text[base:toks.ends[end - 1]]
        roles = [(base + m.start(), role) for role, cue in self.role_cues if role != "other"
                 and (k is None or self._cue_numbers[cue] in self._open[k]) for m in cue.finditer(text)]
        cued = any(cue.search(text) for cue in self.ner_sentence_cues
                   if k is None or self._cue_numbers[cue] in self._open[k])
        return _SentenceCues(roles, cued)

    def _sentence(self, toks: Tokens, k: int, start: int, end: int) -> list[tuple[Phrase, str]]:
        """The cued phrases of sentence `k`, tokens start:end (a cue runs only where the sentence holds
        a literal it needs)."""
        out = []
        opened = self._open[k]
        if opened.isdisjoint(self._rule_numbers):
            return out
        cues = {self._cues[i] for i in opened}
        base = toks.starts[start]
        text = toks.text[base:toks.ends[end - 1]]
        for role, cue in self.role_cues:
            for m in cue.finditer(text) if cue in cues else ():
                out += [(p, role) for p in self._list_after(toks, start, end, base + m.end())]
        for m in self.object_cue.finditer(text) if self.object_cue in cues else ():
            token = toks.token_at(base + m.end())
            phrase = token is not None and self._read(toks, token, end)
            if phrase:
                out.append((_phrase(toks, *phrase), "other"))
        for m in self.subject_cue.finditer(text) if self.subject_cue in cues else ():
            verb = base + m.start() + len(m.group()) - len(m.group().lstrip())
            out += [(p, "other") for p in self._list_before(toks, start, end, verb)]
        return out

    def _list_after(self, toks: Tokens, start: int, end: int, char: int) -> list[Phrase]:
        """The endpoint list after a role cue: phrases joined by commas and "and", up to a clause end
        (the sentence is tokens start:end)."""
        token = toks.token_at(char)
        lowers, texts = toks.lowers, toks.texts
        phrases, i = [], token if token is not None else end
        while i < end:
            phrase = self._phrase(toks, i, end)
            if phrase is None:
                break
            phrases += self._split(toks, *phrase)
            j = phrase[1]
            if j < end and lowers[j] in _LIST_WORDS:
                j += 1 + (j + 1 < end and texts[j] == "," and lowers[j + 1] in {"and", "or"})
                i = j
                if i < end and _ROLE_WORD.match(toks.span_text(i, i + 2)):
                    break
                continue
            break
        return phrases

    def _phrase(self, toks: Tokens, i: int, end: int) -> Optional[Range]:
        for protected, n in self._unsplit_words:
            if toks.span_text(i, i + n).lower() == protected:
                return i, min(i + n, toks.n)
        return self._read(toks, i, end)

    def _read(self, toks: Tokens, i: int, end: int) -> Optional[Range]:
        """A phrase, less a trailing "in the … group" that names a study arm."""
        phrase = self.reader.read(toks, i, end)
        lowers = toks.lowers
        if phrase is not None and phrase[1] < end and lowers[phrase[1]] in self.arm_words:
            cut = next((k for k in range(phrase[1] - 1, phrase[0], -1) if lowers[k] in {"in", "of"}), None)
            phrase = (phrase[0], cut) if cut is not None else None
        return phrase

    def _list_before(self, toks: Tokens, start: int, end: int, char: int) -> list[Phrase]:
        """The subject list before an assessment verb at character `char`, from the clause start."""
        end_token = toks.token_at(char)
        if end_token is None:
            return []
        first = start
        for k in range(end_token - 1, start - 1, -1):
            if toks.texts[k] in {";", ":"}:
                first = k + 1
                break
        intro = self.intro.match(toks.span_text(first, end_token))
        if intro:
            token = toks.token_at(toks.starts[first] + intro.end())
            first = token if token is not None and token < end_token else first
        if end_token - first <= 0 or end_token - first > 3 * self.max_tokens:
            return []
        out = []
        for part in self._split(toks, first, end_token):
            phrase = self._read(toks, part.start, part.end)
            if phrase is not None:
                out.append(part if phrase == (part.start, part.end) else _phrase(toks, *phrase))
        return out

    def _split(self, toks: Tokens, start: int, end: int) -> list[Phrase]:
        """Members of the list on tokens start:end; a lone modifier shares the next member's head
        ("systolic and diastolic blood pressure" → "systolic blood pressure", "diastolic blood pressure")."""
        if toks.span_text(start, end).lower() in self.unsplit:
            return [_phrase(toks, start, end)]
        parts = split_range(toks, start, end)
        out = []
        for k, (s, e) in enumerate(parts):
            nxt = parts[k + 1] if k + 1 < len(parts) else None
            if e - s == 1 and nxt is not None and nxt[1] - nxt[0] >= 2 and toks.flags(s) & LOWER_ALPHA:
                out.append(_phrase(toks, s, e, f"{toks.texts[s]} {toks.span_text(nxt[0] + 1, nxt[1])}"))
            else:
                out.append(_phrase(toks, s, e))
        return out

    def _merge(self, doc: Doc, found: list[tuple[Phrase, str]]) -> list[Endpoint]:
        kept: list[list] = []  # [key tokens, phrase, role]
        for phrase, role in sorted(found, key=lambda f: f[0].start_char):
            name = phrase.name.strip()
            if name.lower() in self.excluded or not _has_letter(name):
                continue
            key = _tokens(name)
            same = next((k for k in kept if _same(k[0], key)), None)
            if same is None:
                kept.append([key, phrase, role])
            elif ROLE_RANK[role] < ROLE_RANK[same[2]]:
                same[1], same[2] = phrase, role
        kept.sort(key=lambda k: k[1].start_char)
        return [Endpoint(name=p.name, role=role, span=evidence(doc, p.start_char, p.end_char))
                for _, p, role in kept]


def _without_fragments(found: list[tuple[Phrase, str]], from_ner: set) -> list[tuple[Phrase, str]]:
    """Drop a one-word NER name that is a word of a longer name found in the same document: the tagger
    breaks phrases ("serum" of "serum IL-6", "intake" of "food intake"); the longer name stands for it."""
    longer = [_tokens(p.name) for p, _ in found if len(_tokens(p.name)) >= 2]
    return [(p, r) for p, r in found
            if id(p) not in from_ner or len(key := _tokens(p.name)) != 1 or not any(key < m for m in longer)]


@functools.lru_cache(maxsize=65536)
def _tokens(name: str) -> frozenset:
    """The words of a name, lower-cased (cached: names recur)."""
    return frozenset(_NON_WORD.sub(" ", name.lower()).split())


def _has_letter(name: str) -> bool:
    """`any(c.isalpha() for c in name)` (an ASCII letter is a character whose case changes)."""
    return name.upper() != name.lower() if name.isascii() else any(c.isalpha() for c in name)


def _same(a: frozenset, b: frozenset) -> bool:
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return a == b or (len(small) >= 2 and small <= big)
