"""Interventions and comparators: lexicon terms, drug-name stems, administration cues and code names,
merged into one entry per intervention (abbreviations and appositions joined), with kind and role."""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import rules
from ..schema import Intervention
from .entities import Cover, entities
from .extensions import abbreviations, doc_lowers, doc_text, evidence, occurs_twice, span_text
from .phrases import PhraseReader, token_at
from .required_literals import RequiredLiterals

_WORDS = regex.compile(r"\w+")
_ABBREVIATION = regex.compile(r"[A-Z][A-Z0-9-]{1,5}")
_CAPITALS = regex.compile(r"[A-Z]+")
_NON_WORD = regex.compile(r"[^\w]+")
_DOSE_START = regex.compile(r"\s\d")


@dataclass
class Mention:
    start: int          # character offsets into doc.text
    end: int
    name: str
    kind: Optional[str]
    role: str = "experimental"
    code: bool = False  # an investigational product code ("CL2020")
    label: Optional[str] = None  # the NER label, when a statistical model found it


@Language.factory("extract_interventions", default_config={"rules": "interventions.yml"})
def make_interventions(nlp: Language, name: str, rules: str) -> "InterventionFinder":
    return InterventionFinder(rules)


class InterventionFinder:
    """Sets `doc._.interventions` to a list of `Intervention`, first mention first."""

    def __init__(self, rules_file: str = "interventions.yml"):
        data = rules.load(rules_file)
        flags = regex.IGNORECASE
        stems = "|".join(sorted(map(regex.escape, data["drug_stems"]), key=len, reverse=True))
        self.stem = regex.compile(rf"(?<![\w-])(?:[a-zβα0-9][\w-]*)?(?:{stems})", flags)
        # A cheap suffix test first: the stem regex backtracks over every stem at every position.
        self.stem_endings = tuple(sorted({s.lower() for s in data["drug_stems"]}))
        self.not_drugs = frozenset(w.lower() for w in data["not_drugs"])
        self.terms = []  # (pattern, kind, role, needs a trial sentence, literals it needs)
        for t in data["terms"]:
            pattern = rf"(?<![\w-])(?:{t['pattern']})(?![\w-])"
            self.terms.append((regex.compile(pattern, flags), t["kind"], t["role"], bool(t.get("context")),
                               RequiredLiterals(pattern)))
        fallback = rf"(?<![\w-])(?:{data['control_fallback']})(?![\w-])"
        self.fallback = regex.compile(fallback, flags)
        self.terms.append((self.fallback, "other", "control", False, RequiredLiterals(fallback)))
        self._drug_words: dict[str, bool] = {}  # lower-case word -> _is_drug_word, across documents
        self.lead = regex.compile(rf"\b(?:{'|'.join(data['lead_cues'])})\s+", flags)
        self.comparator = regex.compile(rf"\b(?:{'|'.join(data['comparator_cues'])})\s+", flags)
        # The literals the cue patterns need: a sentence without them is not searched.
        self.lead_literals = RequiredLiterals(self.lead.pattern)
        self.comparator_literals = RequiredLiterals(self.comparator.pattern)
        self.code = regex.compile(data["code_name"])
        self.code_not = frozenset(data["code_name_not"])
        self.kind_cues = [(c["kind"], regex.compile(c["pattern"], flags)) for c in data["kind_cues"]]
        self.continuations = frozenset(data["name_continuations"])
        self.trial_cue = regex.compile(data["trial_cues"], flags)
        self.other_study = regex.compile(data["other_study_cues"], flags)
        self.excluded = frozenset(n.lower() for n in data["not_interventions"])
        self.reader = PhraseReader(data["boundary_words"], data["leading_drop"], max_tokens=5)
        ner = data.get("ner") or {}
        self.ner_labels = tuple(ner.get("labels", ()))
        self.ner_in_trial_only = frozenset(ner.get("in_trial_sentences_only", ()))
        self.ner_kinds = dict(ner.get("default_kinds", {}))
        self.ner_excluded = frozenset(n.lower() for n in ner.get("not_interventions", ()))
        self.ner_conflicts = tuple(ner.get("conflicting_labels", ()))
        self._conflict = Cover((), 0)  # per document: the NER spans of conflicting labels
        self._ner_spans: list = []  # per document: the NER spans of `ner_labels`
        self._ner_cover = Cover((), 0)  # per document: the same, as character masks
        self._kinds: dict[str, Optional[str]] = {}  # name -> _kind, across documents
        self._drug_tokens: list[int] = []  # per document: see _drug_token_indices
        self._doc_terms: list = []  # per document: the terms its text may hold
        self.ner_accept = {label: tuple(alts) for label, alts in (ner.get("accept_when") or {}).items()}
        drop = "|".join(map(regex.escape, data["leading_drop"]))
        self.ner_after_cue = regex.compile(
            rf"\b(?:{'|'.join(data['lead_cues'] + data['comparator_cues'])})\s+(?:(?:{drop})\s+)*$", flags)

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = []
        self._ner_spans = entities(doc, self.ner_labels) if self.ner_labels else []
        length = len(doc_text(doc))
        self._ner_cover = Cover(self._ner_spans, length)
        self._conflict = Cover(entities(doc, self.ner_conflicts) if self.ner_labels else (), length)
        self._drug_tokens = self._drug_token_indices(doc)
        folded = doc_text(doc).casefold()  # the terms that can match somewhere in the document
        self._doc_terms = [term for term in self.terms if term[4].may_match(folded)]
        for sent in doc.sents:
            mentions += self._sentence(doc, sent)
        doc._.interventions = self._merge(doc, mentions)
        return doc

    # -- finding mentions -------------------------------------------------------------------------
    def _sentence(self, doc: Doc, sent: Span) -> list[Mention]:
        text, base = span_text(sent), sent.start_char
        in_trial = bool(self.trial_cue.search(text)) and not self.other_study.search(text)
        found = []
        folded = text.casefold()
        for pattern, kind, role, needs_context, literals in self._doc_terms:
            if (needs_context and not in_trial) or not literals.may_match(folded):
                continue
            for m in pattern.finditer(text):
                found.append(self._mention(doc, base + m.start(), base + m.end(), kind, role))
        drugs = self._drug_tokens
        for i in drugs[bisect.bisect_left(drugs, sent.start):bisect.bisect_left(drugs, sent.end)]:
            end = i + 1
            while end < sent.end and doc[end].text in self.continuations:
                end += 1
            found.append(self._mention(doc, doc[i].idx, doc[end - 1].idx + len(doc[end - 1]), None, "experimental"))
        if in_trial:
            found += self._codes(doc, sent)
            if self.lead_literals.may_match(folded):
                covered = [(m.start, m.end) for m in found if m is not None]
                found += [m for m in self._after_cues(doc, sent)
                          if m and not any(s < m.end and m.start < e for s, e in covered)]
        if self.ner_labels:
            found += self._ner_mentions(doc, sent, in_trial, found)
        if self.comparator_literals.may_match(folded):
            self._mark_comparators(doc, sent, found)
        return [m for m in found if m is not None and m.name.lower() not in self.excluded]

    def _ner_mentions(self, doc: Doc, sent: Span, in_trial: bool, found: list) -> list[Mention]:
        """Spans of the statistical NER (CHEMICAL, INTERVENTION) in this sentence, cleaned like cue
        phrases (dose, route and leading words dropped) and kept when something confirms them
        (`ner.accept_when` in the rule file); empty when no NER ran."""
        out = []
        text = doc_text(doc)
        spans = self._ner_spans
        title_end = max(text.find("\n\n"), 0)
        first, last = sent.start_char, sent.end_char
        for start, end, label in spans:
            if start < first or end > last:
                continue
            if label in self.ner_in_trial_only and not in_trial:
                continue
            if text[start:end].lower() in self.ner_excluded:
                continue
            dose = _DOSE_START.search(text, start, end)  # "memantine 5–20": the name ends before a dose
            end = dose.start() if dose else end
            if doc.char_span(start, end) is not None:
                mention = self._mention(doc, start, end, None, "experimental")
            else:  # cut inside a token ("heparin" of "heparin-induced"): keep the characters
                mention = Mention(start, end, text[start:end], None)
            if mention is None or mention.name.lower() in self.ner_excluded:
                continue
            if self._ner_confirmed(text, mention, label, title_end):
                mention.label = label
                out.append(mention)
        return out

    def _ner_confirmed(self, text: str, m: Mention, label: str, title_end: int) -> bool:
        words = [w for w in _WORDS.findall(m.name) if len(w) >= 2]
        if not words or (len(words) == 1 and label != "CHEMICAL"
                         and not self._is_drug_word(m.name) and not self._kind(m.name)):
            return False  # a lone word from the PICO tagger ("cycle", "Combined")
        if self._conflict.overlaps(m.start, m.end):
            return False  # another model calls it a disease or an outcome
        if label != "CHEMICAL" and _ABBREVIATION.fullmatch(m.name):
            return False  # a bare abbreviation from the PICO tagger: only its long form counts
        tests = {
            "both_models": lambda: self._ner_cover.overlaps(m.start, m.end, but=label),
            "title": lambda: m.end <= title_end,
            "after_cue": lambda: bool(self.ner_after_cue.search(text[max(0, m.start - 60):m.start])),
            "named": lambda: bool(self._kind(m.name) or any(self._is_drug_word(w) for w in m.name.split())),
            "repeated": lambda: occurs_twice(text, m.name),
        }
        return any(all(tests[t]() for t in alternative.split("+"))
                   for alternative in self.ner_accept.get(label, ()))

    def _drug_token_indices(self, doc: Doc) -> list[int]:
        """The tokens that are drug words (`_is_drug_word`), in order."""
        cache = self._drug_words
        if len(cache) >= 200_000:
            cache.clear()
        lowers = doc_lowers(doc)
        drugs = set()
        for lower in set(lowers):
            is_drug = cache.get(lower)
            if is_drug is None:
                is_drug = cache[lower] = self._is_drug_word(lower)
            if is_drug:
                drugs.add(lower)
        return [i for i, lower in enumerate(lowers) if lower in drugs] if drugs else []

    def _is_drug_word(self, word: str) -> bool:
        lower = word.lower()
        return (len(lower) >= 6 and lower.endswith(self.stem_endings) and lower not in self.not_drugs
                and bool(self.stem.fullmatch(lower)))

    def _codes(self, doc: Doc, sent: Span) -> list[Mention]:
        out = []
        for m in self.code.finditer(span_text(sent)):
            prefix = _CAPITALS.match(m.group()).group()
            if prefix not in self.code_not:
                start = sent.start_char + m.start()
                out.append(Mention(start, start + len(m.group()), m.group(), None, code=True))
        return out

    def _after_cues(self, doc: Doc, sent: Span) -> list[Mention]:
        out = []
        for m in self.lead.finditer(span_text(sent)):
            token = token_at(doc, sent.start_char + m.end())
            phrase = token is not None and self.reader.forward(doc, token.i, sent.end)
            if phrase and self._plausible(phrase):
                out.append(self._mention(doc, phrase.start_char, phrase.end_char, None, "experimental"))
        return out

    def _plausible(self, phrase: Span) -> bool:
        """A cue phrase is kept when it names something: a known kind, a drug word or a proper name."""
        if self._kind(phrase.text) or any(self._is_drug_word(t.text) for t in phrase):
            return True
        return len(phrase) <= 2 and any(t.text[:1].isupper() or any(c.isdigit() for c in t.text) for t in phrase)

    def _mark_comparators(self, doc: Doc, sent: Span, found: list[Optional[Mention]]) -> None:
        starts = set()
        for m in self.comparator.finditer(span_text(sent)):
            token = token_at(doc, sent.start_char + m.end())
            while token is not None and token.lower_ in self.reader.leading_drop and token.i + 1 < sent.end:
                token = doc[token.i + 1]
            if token is not None:
                starts.add(token.idx)
        for mention in found:
            if mention is not None and mention.start in starts:
                mention.role = "control"

    def _mention(self, doc: Doc, start: int, end: int, kind: Optional[str], role: str) -> Optional[Mention]:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return None
        phrase = self.reader.forward(doc, span.start, span.end) if kind is None else span
        words = list(phrase) if phrase is not None else []
        if kind is not None:  # a lexicon hit's leading words stop at the last boundary word
            cut = max((k + 1 for k, w in enumerate(words[:-1]) if w.lower_ in self.reader.boundary or w.lower_ == "of"), default=0)
            words = words[cut:]
        while words and words[0].lower_ in self.reader.leading_drop:
            words.pop(0)
        if not words:
            return None
        s, e = words[0].idx, words[-1].idx + len(words[-1])
        return Mention(s, e, doc_text(doc)[s:e], kind, role)

    # -- merging ----------------------------------------------------------------------------------
    def _merge(self, doc: Doc, mentions: list[Mention]) -> list[Intervention]:
        mentions = _drop_overlaps(sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))))
        aliases = self._aliases(doc, mentions)
        groups: dict[str, list[Mention]] = {}
        for mention in mentions:
            key = aliases.get(_key(mention.name), _key(mention.name))
            key = next((k for k in groups if _same(k, key)), key)
            if mention.label is not None and key not in groups:  # an NER span naming part of another,
                key = next((k for k in groups if set(key.split()) <= set(k.split())  # or it with modifiers
                            or k.rstrip("s") == key.rstrip("s") or _modified(key, k)), key)
            groups.setdefault(key, []).append(mention)
        for key in [k for k, group in groups.items() if all(m.label is not None for m in group)]:
            other = next((k for k in groups if k != key and (set(key.split()) < set(k.split())
                                                              or _modified(key, k))), None)
            if other is not None:  # an NER-only name inside a later, longer name, or one with modifiers
                groups[other] += groups.pop(key)
        out = []
        long_forms = {s.text: s._.long_form for s in abbreviations(doc)}
        for group in groups.values():
            named = next((m for m in group if m.code), None) or min(group, key=_ranked)
            if not named.code and named.name in long_forms:  # only "NIV" found: named "noninvasive ventilation"
                form = long_forms[named.name]
                if form.text.lower() in self.reader.leading_drop:
                    continue  # "intravaginal (IVAG)": the abbreviation of a route, not a treatment
                named = Mention(form.start_char, form.end_char, form.text, named.kind)
            kind = next((m.kind for m in group if m.kind), None) or self._kind(" ".join(m.name for m in group))
            role = "control" if any(m.role == "control" for m in group) or kind == "placebo" else "experimental"
            kind = kind or next((self.ner_kinds[m.label] for m in group if m.label in self.ner_kinds), None)
            out.append(Intervention(name=named.name, kind=kind or self._default_kind(named.name), role=role,
                                    span=evidence(doc, named.start, named.end)))
        if any(i.role == "control" and not self.fallback.fullmatch(i.name) for i in out):
            out = [i for i in out if not self.fallback.fullmatch(i.name)]  # the control arm has a name
        return out

    def _aliases(self, doc: Doc, mentions: list[Mention]) -> dict[str, str]:
        """Map a name key to the key of the mention it stands for: abbreviations and appositions."""
        links: dict[str, str] = {}
        by_start = {m.start: m for m in mentions}
        for short in abbreviations(doc):
            long_form = short._.long_form
            target = next((m for m in mentions if m.start <= long_form.start_char < m.end
                           or long_form.start_char <= m.start < long_form.end_char), None)
            if target is not None:
                links[_key(short.text)] = _key(target.name)
        for m in mentions:  # "a Muse cell-based product, CL2020," → one intervention
            gap = doc_text(doc)[m.end:m.end + 2]
            nxt = by_start.get(m.end + 2)
            if gap == ", " and nxt is not None and nxt.code and not m.code:
                links[_key(nxt.name)] = _key(m.name)
                nxt.kind = nxt.kind or m.kind
        for key, target in list(links.items()):
            while target in links and links[target] != target:
                target = links[target]
            links[key] = target
        return links

    def _kind(self, name: str) -> Optional[str]:
        """The kind the first matching `kind_cues` pattern gives `name` (cached: names recur)."""
        if name in self._kinds:
            return self._kinds[name]
        if len(self._kinds) >= 100_000:
            self._kinds.clear()
        kind = self._kinds[name] = next((k for k, pattern in self.kind_cues if pattern.search(name)), None)
        return kind

    def _default_kind(self, name: str) -> str:
        return "drug" if any(self._is_drug_word(w) for w in name.split()) else "other"


def _key(name: str) -> str:
    return " ".join(_NON_WORD.sub(" ", name.lower()).split())


def _same(a: str, b: str) -> bool:
    """Two name keys for one intervention: equal, or one holds the other's two or more words."""
    x, y = set(a.split()), set(b.split())
    small, big = sorted((x, y), key=len)
    return x == y or (len(small) >= 2 and small <= big)


def _modified(longer: str, key: str) -> bool:
    """`longer` is `key` with words in front: "preemptive clonidine", "tricyclic antidepressant desipramine"."""
    words, head = longer.split(), key.split()
    return len(words) > len(head) and words[-len(head):] == head


def _ranked(m: Mention) -> tuple:
    """Which mention of a group names it: running text before Title Case, a rule's name before the NER's."""
    return _title_cased(m), m.label is not None


def _title_cased(m: Mention) -> bool:
    """Prefer a mention written in running text over a Title Cased one (titles, headings)."""
    words = [w for w in m.name.split() if w[:1].isalpha()]
    return len(words) > 0 and all(w[:1].isupper() for w in words) and not m.name.isupper()


def _drop_overlaps(mentions: Iterable[Mention]) -> list[Mention]:
    """Keep the first (longest) of overlapping mentions; a typed lexicon hit wins over an untyped one."""
    kept: list[Mention] = []
    for m in mentions:
        if kept and m.start < kept[-1].end:
            if kept[-1].kind is None and m.kind is not None and m.end >= kept[-1].end:
                kept[-1] = m
            continue
        kept.append(m)
    return kept
