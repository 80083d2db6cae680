"""Interventions and comparators: lexicon terms, drug-name stems, administration cues and code names,
merged into one entry per intervention (abbreviations and appositions joined), with kind and role."""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from typing import Iterable, Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from ..schema import Intervention
from .entities import Cover, entities
from .extensions import abbreviation_chars, doc_text, evidence, occurs_twice
from .phrases import PhraseReader
from .prefilter import prefix_tree
from .required_literals import RequiredLiterals, SentenceGates
from .tokens import Tokens, sentence_chars

_WORDS = regex.compile(r"\w+")
_ABBREVIATION = regex.compile(r"[A-Z][A-Z0-9-]{1,5}")
_CAPITALS = regex.compile(r"[A-Z]+")
_NON_WORD = regex.compile(r"[^\w]+")
_DOSE_START = regex.compile(r"\s\d")


@dataclass(slots=True)
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
        # The stems by their last three letters (each has three or more), for `str.endswith`.
        self.stem_endings: dict[str, tuple] = {}
        for stem in sorted({s.lower() for s in data["drug_stems"]}):
            self.stem_endings[stem[-3:]] = self.stem_endings.get(stem[-3:], ()) + (stem,)
        self.not_drugs = frozenset(w.lower() for w in data["not_drugs"])
        self.terms = []  # (pattern, kind, role, needs a trial sentence, literals it needs)
        for t in data["terms"]:
            pattern = rf"(?<![\w-])(?:{t['pattern']})(?![\w-])"
            self.terms.append((regex.compile(pattern, flags), t["kind"], t["role"], bool(t.get("context")),
                               RequiredLiterals(pattern)))
        fallback = rf"(?<![\w-])(?:{data['control_fallback']})(?![\w-])"
        self.fallback = regex.compile(fallback, flags)
        self.terms.append((self.fallback, "other", "control", False, RequiredLiterals(fallback)))
        self._drug_words: set[str] = set()  # the words found to be drug words (_is_drug_word), across documents
        self._other_words: set[str] = set()  # and those found not to be
        self._ner_names: dict[tuple, bool] = {}  # (name, label) -> _ner_name, across documents
        self._repeated: dict[str, bool] = {}  # per document: name -> occurs_twice
        self._abbreviations: list = []  # per document: (short form text, (long form start, end))
        self.lead = regex.compile(rf"\b(?:{'|'.join(data['lead_cues'])})\s+", flags)
        self.comparator = regex.compile(rf"\b(?:{'|'.join(data['comparator_cues'])})\s+", flags)
        # The literals the cue patterns need: a sentence without them is not searched.
        self.lead_literals = RequiredLiterals(self.lead.pattern)
        self.comparator_literals = RequiredLiterals(self.comparator.pattern)
        self.code = regex.compile(data["code_name"])
        self.code_not = frozenset(data["code_name_not"])
        # (kind, pattern, the literals it needs): a name without them is not searched
        self.kind_cues = [(c["kind"], regex.compile(c["pattern"], flags), RequiredLiterals(c["pattern"]))
                          for c in data["kind_cues"]]
        self.continuations = frozenset(data["name_continuations"])
        self.trial_cue = regex.compile(_any_word(data["trial_cues"]), flags)
        self.other_study = regex.compile(data["other_study_cues"], flags)
        # The gates of the terms (numbered as the terms), of the lead and comparator cues and of the
        # other-study cues: per document, the ones each sentence may match.
        self._gates = SentenceGates([t[4] for t in self.terms] + [
            self.lead_literals, self.comparator_literals, RequiredLiterals(self.other_study.pattern)])
        self._lead, self._comparator, self._other_study = range(len(self.terms), len(self.terms) + 3)
        self._open: list = []
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
        # per label, the alternatives of `accept_when`, each a tuple of tests that must all hold
        self.ner_accept = {label: tuple(tuple(alt.split("+")) for alt in alts)
                           for label, alts in (ner.get("accept_when") or {}).items()}
        # the labels whose every alternative needs both models: a span no other model's span overlaps is
        # dropped before its name is read (the name lies inside the span)
        self.ner_both_models = frozenset(label for label, alts in self.ner_accept.items()
                                         if alts and all("both_models" in alt for alt in alts))
        self._title_end = 0  # per document: where the title ends (0 without one)
        drop = "|".join(map(regex.escape, data["leading_drop"]))
        self.ner_after_cue = regex.compile(
            rf"\b(?:{'|'.join(data['lead_cues'] + data['comparator_cues'])})\s+(?:(?:{drop})\s+)*$", flags)

    def __call__(self, doc: Doc) -> Doc:
        toks = Tokens(doc)
        length = len(toks.text)
        self._repeated = {}
        self._abbreviations = [(toks.text[a:b], (c, d)) for a, b, c, d in abbreviation_chars(doc)]  # short, long form
        for cache in (self._drug_words, self._other_words, self._ner_names, self._kinds):
            if len(cache) >= 200_000:
                cache.clear()
        self._ner_spans = entities(doc, self.ner_labels) if self.ner_labels else []
        self._ner_cover = Cover(self._ner_spans, length)
        self._conflict = Cover(entities(doc, self.ner_conflicts) if self.ner_labels else (), length)
        self._drug_tokens = self._drug_token_indices(toks)
        bounds = sentence_chars(toks.doc)
        self._open = self._gates.sentences(toks.text, bounds)
        self._title_end = max(toks.text.find("\n\n"), 0)
        ner_spans = _by_sentence(bounds, self._ner_spans)
        mentions: list[Mention] = []
        for k, (start, end) in enumerate(toks.sentences):
            mentions += self._sentence(toks, k, start, end, ner_spans.get(k, ()))
        doc._.interventions = self._merge(doc, mentions)
        return doc

    # -- finding mentions -------------------------------------------------------------------------
    def _sentence(self, toks: Tokens, k: int, start: int, end: int, ner_spans) -> list[Mention]:
        """The mentions in sentence `k`, tokens start:end (`ner_spans`: the NER spans inside it).
        A pattern runs only where the sentence holds a literal it needs (`self._open`, `*_literals`),
        and whether it is a trial sentence is worked out only when something found depends on that."""
        base = toks.starts[start]
        text = toks.text[base:toks.ends[end - 1]]
        open_ = self._open[k]
        in_trial: Optional[bool] = None
        found = []
        for i in sorted(open_) if open_ else ():  # the terms the sentence may match, in order
            if i >= len(self.terms):
                break
            pattern, kind, role, needs_context, _ = self.terms[i]
            if needs_context:
                if in_trial is None:
                    in_trial = self._in_trial(text, open_)
                if not in_trial:
                    continue
            for m in pattern.finditer(text):
                found.append(self._mention(toks, base + m.start(), base + m.end(), kind, role))
        drugs, texts = self._drug_tokens, toks.texts
        for i in drugs[bisect.bisect_left(drugs, start):bisect.bisect_left(drugs, end)]:
            j = i + 1
            while j < end and texts[j] in self.continuations:
                j += 1
            found.append(self._tokens_mention(toks, i, j, None, "experimental"))
        if in_trial is None and any(label in self.ner_in_trial_only for _, _, label in ner_spans):
            in_trial = self._in_trial(text, open_)
        if in_trial is not False:  # code names and cue phrases count in a trial sentence
            codes = self._codes(text, base)
            cues = list(self.lead.finditer(text)) if self._lead in open_ else ()
            if (codes or cues) and in_trial is None:
                in_trial = self._in_trial(text, open_)
            if in_trial:
                found += codes
                if cues:
                    covered = [(m.start, m.end) for m in found if m is not None]
                    found += [m for m in self._after_cues(toks, cues, base, end)
                              if m and not any(s < m.end and m.start < e for s, e in covered)]
        if ner_spans:
            found += self._ner_mentions(toks, ner_spans, bool(in_trial))
        if self._comparator in open_:
            self._mark_comparators(toks, text, base, end, found)
        return [m for m in found if m is not None and m.name.lower() not in self.excluded]

    def _in_trial(self, text: str, open_: frozenset) -> bool:
        """Whether a sentence is about this study's treatments: a trial cue, no cue of another study
        (`open_`: the gates the sentence may match)."""
        return bool(self.trial_cue.search(text)) and not (
            self._other_study in open_ and self.other_study.search(text))

    def _ner_mentions(self, toks: Tokens, spans, in_trial: bool) -> list[Mention]:
        """Spans of the statistical NER (CHEMICAL, INTERVENTION) in a sentence, cleaned like cue
        phrases (dose, route and leading words dropped) and kept when something confirms them
        (`ner.accept_when` in the rule file)."""
        out = []
        text = toks.text
        for start, end, label in spans:
            if label in self.ner_in_trial_only and not in_trial:
                continue
            if label in self.ner_both_models and not self._ner_cover.overlaps(start, end, but=label):
                continue
            if text[start:end].lower() in self.ner_excluded:
                continue
            dose = _DOSE_START.search(text, start, end)  # "memantine 5–20": the name ends before a dose
            end = dose.start() if dose else end
            if toks.aligned(start, end):
                mention = self._mention(toks, start, end, None, "experimental")
            else:  # cut inside a token ("heparin" of "heparin-induced"): keep the characters
                mention = Mention(start, end, text[start:end], None)
            if mention is None or mention.name.lower() in self.ner_excluded:
                continue
            if self._ner_confirmed(text, mention, label):
                mention.label = label
                out.append(mention)
        return out

    def _ner_confirmed(self, text: str, m: Mention, label: str) -> bool:
        if not self._ner_name(m.name, label):
            return False
        for alternative in self.ner_accept.get(label, ()):
            for test in alternative:
                if not self._ner_test(test, text, m, label):
                    break
            else:  # every test of the alternative holds
                return not self._conflict.overlaps(m.start, m.end)  # (another model: a disease, an outcome)
        return False

    def _ner_name(self, name: str, label: str) -> bool:
        """Whether an NER mention's name may stand for an intervention (cached: names recur)."""
        found = self._ner_names.get((name, label))
        if found is None:
            words = [w for w in _WORDS.findall(name) if len(w) >= 2]
            found = not (not words or (len(words) == 1 and label != "CHEMICAL"  # a lone word from the PICO
                                       and not self._is_drug_word(name) and not self._kind(name))  # tagger
                         # a bare abbreviation from the PICO tagger: only its long form counts
                         or (label != "CHEMICAL" and _ABBREVIATION.fullmatch(name)))
            self._ner_names[name, label] = found
        return found

    def _ner_test(self, test: str, text: str, m: Mention, label: str) -> bool:
        """One test of `ner.accept_when` (see the rule file)."""
        if test == "repeated":
            found = self._repeated.get(m.name)
            if found is None:
                found = self._repeated[m.name] = occurs_twice(text, m.name)
            return found
        if test == "both_models":
            return self._ner_cover.overlaps(m.start, m.end, but=label)
        if test == "title":
            return m.end <= self._title_end
        if test == "after_cue":
            return bool(self.ner_after_cue.search(text[max(0, m.start - 60):m.start]))
        if test == "named":
            return bool(self._kind(m.name) or any(self._is_drug_word(w) for w in m.name.split()))
        raise KeyError(test)

    def _drug_token_indices(self, toks: Tokens) -> list[int]:
        """The tokens that are drug words (`_is_drug_word`), in order."""
        lowers = toks.lowers
        words = set(lowers)
        new = words - self._drug_words - self._other_words
        found = {word for word in new if self._drug_stem(word)}
        self._drug_words |= found
        self._other_words |= new - found
        drugs = words & self._drug_words
        return [i for i, lower in enumerate(lowers) if lower in drugs] if drugs else []

    def _is_drug_word(self, word: str) -> bool:
        """A drug-stem word (cached: words recur)."""
        if word in self._drug_words:
            return True
        if word in self._other_words:
            return False
        found = self._drug_stem(word)
        (self._drug_words if found else self._other_words).add(word)
        return found

    def _drug_stem(self, word: str) -> bool:
        """Whether a word ends in a drug stem (six letters or more, not in `not_drugs`)."""
        lower = word.lower()
        return (len(lower) >= 6 and lower.endswith(self.stem_endings.get(lower[-3:], ()))
                and lower not in self.not_drugs and bool(self.stem.fullmatch(lower)))

    def _codes(self, text: str, base: int) -> list[Mention]:
        """Code names in a sentence `text` that starts at character `base`."""
        out = []
        for m in self.code.finditer(text):
            prefix = _CAPITALS.match(m.group()).group()
            if prefix not in self.code_not:
                start = base + m.start()
                out.append(Mention(start, start + len(m.group()), m.group(), None, code=True))
        return out

    def _after_cues(self, toks: Tokens, cues, base: int, end: int) -> list[Mention]:
        """The phrases after the lead cues `cues` (matches in a sentence whose characters start at `base`
        and whose tokens end at `end`)."""
        out = []
        for m in cues:
            token = toks.token_at(base + m.end())
            phrase = token is not None and self.reader.read(toks, token, end)
            if phrase and self._plausible(toks, *phrase):
                out.append(self._tokens_mention(toks, *phrase, None, "experimental"))
        return out

    def _plausible(self, toks: Tokens, start: int, end: int) -> bool:
        """A cue phrase is kept when it names something: a known kind, a drug word or a proper name."""
        words = toks.texts[start:end]
        if self._kind(toks.span_text(start, end)) or any(self._is_drug_word(w) for w in words):
            return True
        return len(words) <= 2 and any(w[:1].isupper() or any(c.isdigit() for c in w) for w in words)

    def _mark_comparators(self, toks: Tokens, text: str, base: int, end: int,
                          found: list[Optional[Mention]]) -> None:
        starts = set()
        lowers, drop = toks.lowers, self.reader.leading_drop
        for m in self.comparator.finditer(text):
            token = toks.token_at(base + m.end())
            while token is not None and lowers[token] in drop and token + 1 < end:
                token += 1
            if token is not None:
                starts.add(toks.starts[token])
        for mention in found:
            if mention is not None and mention.start in starts:
                mention.role = "control"

    def _mention(self, toks: Tokens, start: int, end: int, kind: Optional[str], role: str) -> Optional[Mention]:
        """The mention the characters start:end name (a lexicon hit's `kind`, or a phrase read from them)."""
        found = toks.char_span(start, end)
        return None if found is None else self._tokens_mention(toks, *found, kind, role)

    def _tokens_mention(self, toks: Tokens, first: int, last: int, kind: Optional[str],
                        role: str) -> Optional[Mention]:
        """The mention tokens first:last name (see `_mention`)."""
        lowers = toks.lowers
        if kind is None:
            found = self.reader.read(toks, first, last)
            if found is None:
                return None
            first, last = found
        else:  # a lexicon hit's leading words stop at the last boundary word
            boundary = self.reader.boundary
            first = max((k + 1 for k in range(first, last - 1) if lowers[k] in boundary or lowers[k] == "of"),
                        default=first)
        while first < last and lowers[first] in self.reader.leading_drop:
            first += 1
        if first >= last:
            return None
        s, e = toks.starts[first], toks.ends[last - 1]
        return Mention(s, e, toks.text[s:e], kind, role)

    # -- merging ----------------------------------------------------------------------------------
    def _merge(self, doc: Doc, mentions: list[Mention]) -> list[Intervention]:
        mentions = _drop_overlaps(sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))))
        aliases = self._aliases(doc, mentions)
        groups: dict[str, list[Mention]] = {}
        words: dict[str, set] = {}  # a key -> its words
        for mention in mentions:
            key = _key(mention.name)
            key = aliases.get(key, key)
            mine = words.get(key) or words.setdefault(key, set(key.split()))
            for k in groups:
                if _same_words(words[k], mine):
                    key = k
                    break
            if mention.label is not None and key not in groups:  # an NER span naming part of another,
                key = next((k for k in groups if mine <= words[k]  # or it with modifiers
                            or k.rstrip("s") == key.rstrip("s") or _modified(key, k)), key)
            groups.setdefault(key, []).append(mention)
        for key in [k for k, group in groups.items() if all(m.label is not None for m in group)]:
            other = next((k for k in groups if k != key and (words[key] < words[k] or _modified(key, k))), None)
            if other is not None:  # an NER-only name inside a later, longer name, or one with modifiers
                groups[other] += groups.pop(key)
        out = []
        long_forms = dict(self._abbreviations)
        for group in groups.values():
            named = next((m for m in group if m.code), None) or min(group, key=_ranked)
            if not named.code and named.name in long_forms:  # only "NIV" found: named "noninvasive ventilation"
                start, end = long_forms[named.name]
                form_text = doc_text(doc)[start:end]
                if form_text.lower() in self.reader.leading_drop:
                    continue  # "intravaginal (IVAG)": the abbreviation of a route, not a treatment
                named = Mention(start, end, form_text, named.kind)
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
        for short, (start, end) in self._abbreviations:
            target = next((m for m in mentions if m.start <= start < m.end or start <= m.start < end), None)
            if target is not None:
                links[_key(short)] = _key(target.name)
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
        folded = name.casefold()
        kind = self._kinds[name] = next((k for k, pattern, literals in self.kind_cues
                                         if literals.may_match(folded) and pattern.search(name)), None)
        return kind

    def _default_kind(self, name: str) -> str:
        return "drug" if any(self._is_drug_word(w) for w in name.split()) else "other"


def _by_sentence(bounds: list[tuple[int, int]], spans: list) -> dict[int, list]:
    """The entity spans that lie inside a sentence's characters, by sentence number, in their order.
    (A span lies inside the last sentence starting at or before it, or in none; an empty span at the
    edge of two sentences lies in both.)"""
    out: dict[int, list] = {}
    if not spans:
        return out
    firsts = [first for first, _ in bounds]
    lasts = [last for _, last in bounds]
    for span in spans:
        k = bisect.bisect_right(firsts, span[0]) - 1
        while k >= 0 and span[1] <= lasts[k]:
            out.setdefault(k, []).append(span)
            k -= 1
    return out


def _any_word(words: Iterable[str]) -> str:
    """A pattern finding whether one of `words` (whole words or phrases; a trailing * stands for any
    word characters) occurs, written as a prefix tree (`prefilter.prefix_tree`): it tests each first
    character once where the flat alternation tests every word (a fifth fewer instructions for the
    trial cues). Only for testing whether one occurs: which one is found may differ from the list's."""
    tokens = [[regex.escape(c) for c in word.removesuffix("*")] + ([r"\w*"] if word.endswith("*") else [])
              for word in words]
    return rf"\b(?:{prefix_tree(tokens)})\b"


@functools.lru_cache(maxsize=65536)
def _key(name: str) -> str:
    return " ".join(_NON_WORD.sub(" ", name.lower()).split())


def _same_words(x: set, y: set) -> bool:
    """Two name keys (as their sets of words) for one intervention: equal, or one holds the other's
    two or more words."""
    small, big = (x, y) if len(x) <= len(y) else (y, x)
    return x == y or (len(small) >= 2 and small <= big)


def _modified(longer: str, key: str) -> bool:
    """`longer` is `key` with words in front: "preemptive clonidine", "tricyclic antidepressant desipramine"."""
    words, head = longer.split(), key.split()
    return len(words) > len(head) and words[-len(head):] == head


def _ranked(m: Mention) -> tuple:
    """Which mention of a group names it: running text before Title Case (titles, headings), a rule's
    name before the NER's."""
    return _title_case_name(m.name), m.label is not None


@functools.lru_cache(maxsize=65536)
def _title_case_name(name: str) -> bool:
    words = [w for w in name.split() if w[:1].isalpha()]
    return len(words) > 0 and all(w[:1].isupper() for w in words) and not name.isupper()


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
