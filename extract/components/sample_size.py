"""Sample size: how many participants (or animals) the study has, and how many were enrolled,
randomized, analyzed and completed.

Character-level: count mentions ("Thirty-one participants", "(n = 24)", "41 were randomized",
"18 out of 31 patients", "3 groups of 35 each") are found with the patterns of
`rules/sample_size.yml`, each gets cue classes from the words around it within its sentence
(doc.sents), sentences combine arm sizes into totals, and `n` is chosen by the cue priority the
rules file documents. Evidence spans are the mentions used.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterable, Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import numbers, rules
from ..schema import MAX_SAMPLE_SIZE, SampleSize
from .extensions import doc_text, evidence
from .prefilter import (FoldedScout, LeadPositions, LedPattern, TextGated, any_tail, lead_prefix, lead_tail,
                        prefix_tree, uncaptured, uncased)
from .required_literals import GateSet, RequiredLiterals
from .tokens import sentence_bounds

FIELDS = ("enrolled", "randomized", "analyzed", "completed")
MAX_COUNTS_PER_SENTENCE = 40  # more is a table or a list: no totals or sums are built from it
_FLAGS = regex.IGNORECASE
_BLANKS = regex.compile(r"\s+")
_NON_WORDS = regex.compile(r"\W+")
_JOINERS = regex.compile(r"\b(?:and|or|plus|as\s+well\s+as)\b|[\s,;]", _FLAGS)
_NOT_COORDINATED = regex.compile(r"\b(?:of|among|whom|including|than|which|who|were|was|had)\b", _FLAGS)
# Patterns run over the whole text (or a sentence) that a literal gate per text pays for: texts
# without "groups", "arms" or "cohorts" (four in ten), without "/" (half), ...
_TEXT_GATED = ("groups_of", "group_count", "subject_verb", "slash_fraction")
_AND = regex.compile(r"\band\b|\bor\b|\bplus\b|\bas\s+well\s+as\b", _FLAGS)


@Language.factory("extract_sample_size", default_config={"rules": "sample_size.yml"})
def make_sample_size(nlp: Language, name: str, rules: str) -> "SampleSizeExtractor":
    return SampleSizeExtractor(rules)


@dataclass
class Mention:
    """A count in the text. `parts` are the evidence spans (character offsets)."""

    value: int
    start: int
    end: int
    kind: str
    sent: int
    noun: Optional[str] = None
    mods: str = ""
    secondary: bool = False
    arm: bool = False
    subgroup: bool = False
    base: bool = False
    negative: bool = False
    per_group: bool = False
    arm_to: bool = False
    owner_count: bool = False  # "(n = X)" after a count in its owner: a subgroup, or a part of it
    cues: set = field(default_factory=set)
    parts: list = field(default_factory=list)

    def spans(self) -> list[tuple[int, int]]:
        return self.parts or [(self.start, self.end)]


_BLANK = r"\s{1,3}"  # a blank inside a phrase


def _words(items: Iterable[str], tree: bool = True, tested: bool = False) -> str:
    """An alternation of literal words/phrases, longest first, blanks matching 1-3 spaces; written
    as a prefix tree (`pat(?:ients?|...)` for `patients|patient|...`) unless `tree` is False (the
    plain list, whose words `RequiredLiterals` reads) or the words are not all lower-case ASCII
    (unless `tested`: the alternation only sits in a lookaround, where the order does not matter).

    The regex engine tries an alternation's branches one by one, so a flat one costs a test per word
    at every position it is tried; the tree tests each first character once. It matches the same
    strings (each path of the tree spells a word) in the same order: the words that match at a
    position are then prefixes of one another (a phrase's blank matches the whole run of blanks, or
    fails), the flat list tries the longest first, and so does the tree (a node's longer words
    before the word that ends there)."""
    items = sorted(set(items), key=len, reverse=True)
    words = []
    for w in items:
        tokens: list[str] = []
        for part in w.split():
            tokens += ([_BLANK] if tokens else []) + [regex.escape(c) for c in part]
        words.append(tokens)
    if not tree or not (tested or all(w.isascii() and w == w.lower() for w in items)):
        return "|".join("".join(tokens) for tokens in words)
    return prefix_tree(words)


def _integer() -> str:
    """`numbers.INTEGER` (digits or number words) with the number words tried only where no digit
    stands: the same matches (number words do not start with a digit), but a failing match at a
    number in digits no longer backtracks through every number word (a pattern led by {INT} costs
    about half as much there)."""
    if numbers.INTEGER != f"(?:{numbers.DIGITS}|{numbers.WORD_NUMBER})":  # (not the shape expected)
        return numbers.INTEGER
    return rf"(?:{numbers.DIGITS}|(?!\d){numbers.WORD_NUMBER})"


def _number_scouts(before: str) -> list:
    """Scouts one of which matches wherever {INT} (`before`, then `numbers.INTEGER`) can start:
    `numbers.INTEGER_START` split in two, a digit after `before` (compiled with {INT}'s flags) and
    the number words as a prefix tree, run over the text's case folding (see `FoldedScout`). Two
    simple scans are about twice as fast as the alternation, and far fewer digits (none inside a
    number or a word) are left to try {INT} at."""
    head, tail = "\\d|(?i:\\b(?:", "))"
    start = numbers.INTEGER_START
    words = start[len(head):-len(tail)].split("|") if start.startswith(head) and start.endswith(tail) else []
    if not words or not all(w.isascii() and w.isalpha() and w == w.lower() for w in words):  # (not expected)
        return [regex.compile(start)]
    tree = _words(words)
    return [regex.compile(uncased(before) + "\\d", _FLAGS),
            FoldedScout(regex.compile(rf"\b(?:{tree})"), regex.compile(rf"(?i:\b(?:{tree}))"))]


def _noun_key(noun: Optional[str]) -> Optional[str]:
    if noun is None:
        return None
    n = _BLANKS.sub(" ", noun.lower())
    return n[:-1] if n.endswith("s") else n


class SampleSizeExtractor:
    """Sets `doc._.sample_size` to a `SampleSize`."""

    def __init__(self, rules_file: str = "sample_size.yml"):
        data = rules.load(rules_file)
        self.priority: list[list[str]] = [list(level) for level in data["priority"]]
        self.nouns = [n.lower() for n in data["participant_nouns"]]
        self.secondary_nouns = [n.lower() for n in data["secondary_nouns"]]
        before = data["number_before"]
        fill = {
            "{INT}": f"(?:{before}{_integer()})",
            "{DIGITS}": numbers.DIGITS,
            "{WORDNUM}": numbers.WORD_NUMBER,
            "{WORDNUM_START}": rf"(?i:\b(?:{_words(numbers.NUMBER_WORDS)})\b)",  # numbers.WORD_NUMBER_START
            "{NOUN}": _words(self.nouns),
            "{SECONDARY}": _words(self.secondary_nouns),
            "{STOP}": _words(data["stop_words"], tested=True),
            "{NUMBER_AFTER}": data["number_after"],
        }

        flat = dict(fill, **{key: _words(words, tree=False) for key, words in (
            ("{NOUN}", self.nouns), ("{SECONDARY}", self.secondary_nouns))})

        def source(pattern: str, fill: dict = fill) -> str:
            for key, value in fill.items():
                pattern = pattern.replace(key, value)
            return pattern

        def compile_(pattern: str) -> regex.Pattern:
            return regex.compile(uncased(source(pattern)), _FLAGS)

        self.re = {
            name: compile_(data[name])
            for name in (
                "noun", "secondary", "shared_noun", "n_equals", "n_range_after", "verb",
                "subject_verb", "per_group", "arm_to", "fraction", "slash_fraction",
                "fraction_follow", "groups_of", "group_count", "alternative", "per_group_after",
                "arm_after", "arm_before", "owner_stop", "owner_arm", "owner_subgroup",
                "subgroup_percent", "label_before", "label_before_small", "range_before", "year_before", "year_after",
                "modifier_negative", "modifier_subgroup", "case_count_before", "case_count_after",
                "background_sentence", "verb_other_unit", "implicit_sentence_start",
                "eligible_then_enrolled",
            )
        }
        # The patterns that start with a number are tried only where a number starts (same matches),
        # those that start with a count (a number with {NUMBER_AFTER}) only where one of them can
        # match, found with one probe per number (see `any_tail`).
        numbers_at = LeadPositions(compile_("{INT}"), scout=_number_scouts(before))
        count_led = {name: tail for name in self.re
                     if (tail := lead_tail(data[name], "{INT}", then="{NUMBER_AFTER}")) is not None}
        probe = any_tail("(?:{INT}){NUMBER_AFTER}", list(count_led.values()))
        counts_at = LeadPositions(compile_(probe or "(?:{INT}){NUMBER_AFTER}"), scout=numbers_at)
        for name, pattern in self.re.items():
            if name in count_led:
                self.re[name] = LedPattern(pattern, counts_at)
            elif lead_prefix(data[name], "{INT}"):
                self.re[name] = LedPattern(pattern, numbers_at)
        # Some patterns run over the whole text are not run in a text without any literal they
        # require (read from their plain word lists: a prefix tree's literals are word endings).
        def text_gated(pattern, raw: str):
            gate = RequiredLiterals(uncaptured(source(raw, flat)))
            return pattern if gate.literals is None else TextGated(pattern, gate)

        for name in _TEXT_GATED:
            self.re[name] = text_gated(self.re[name], data[name])
        self.noun_re = compile_(r"\b(?:{NOUN})\b")
        self.owner_noun_words = int(data["owner_noun_words"])
        self.modifier_cues = {name: compile_(p) for name, p in data["modifier_cues"].items()}
        self.case_report = [text_gated(compile_(p), p) for p in data["case_report"]]

        gates: list[RequiredLiterals] = []

        def gated(pattern: regex.Pattern) -> tuple[regex.Pattern, int]:
            gates.append(RequiredLiterals(pattern.pattern))
            return pattern, len(gates) - 1

        # Each cue pattern, and the background one, with the number of its gate in `self.gates` (the
        # literals it needs: a cheap test before the search).
        self.cues = {
            name: {side: [gated(compile_(p)) for p in spec.get(side, [])] for side in ("after", "before")}
            for name, spec in data["cues"].items()
        }
        self.background = gated(self.re["background_sentence"])
        self.gates = GateSet(gates)

    # -- component -------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        doc._.sample_size = self.extract(doc_text(doc), sentence_bounds(doc), doc)
        return doc

    def extract(self, text: str, sentences: Optional[list[tuple[int, int]]] = None,
                doc: Optional[Doc] = None) -> SampleSize:
        """The SampleSize of `text`; `sentences` are (start, end) character bounds (default: one
        sentence); evidence spans index `doc` when given, else `text`."""
        bounds = self.split_sentences(text, sentences or [(0, len(text))])
        mentions = self.mentions(text, bounds)
        result = self.choose(text, bounds, mentions)
        spans = sorted({s for s in result.pop("_spans")})
        ev = [evidence(doc, s, e) if doc is not None else _span(text, s, e) for s, e in spans]
        return SampleSize(**result, evidence=ev)

    def split_sentences(self, text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The sentences, each split again where a sentence starts without a full stop before it
        (`implicit_sentence_start`): text without full stops would be one long sentence."""
        out: list[tuple[int, int]] = []
        for start, end in bounds:
            cut = start
            for m in self.re["implicit_sentence_start"].finditer(text, start, end):
                if m.start() > cut:
                    out.append((cut, m.start()))
                    cut = m.start()
            out.append((cut, end))
        return out

    # -- mentions --------------------------------------------------------------------------------
    def mentions(self, text: str, bounds: list[tuple[int, int]]) -> list[Mention]:
        """Every count mention in `text`, in order, with its cue classes and flags."""
        starts = [s for s, _ in bounds]

        def sent_of(pos: int) -> int:
            return max(bisect.bisect_right(starts, pos) - 1, 0)

        found: list[Mention] = []
        claimed: dict[int, Mention] = {}  # number start -> mention
        taken = _Spans()  # the number spans claimed so far

        def add(m: Mention, num_start: int, num_end: int) -> Optional[Mention]:
            if not taken.add(num_start, num_end):
                return None
            claimed[num_start] = m
            found.append(m)
            return m

        for name, secondary in (("noun", False), ("secondary", True)):
            for m in self.re[name].finditer(text, overlapped=True):
                value = self._count(text, m, "num")
                if value is not None and sent_of(m.start("noun")) == sent_of(m.start()):
                    add(Mention(value, m.start(), m.end(), "noun", sent_of(m.start()),
                                noun=m.group("noun"), mods=m.group("mods"), secondary=secondary),
                        m.start("num"), m.end("num"))
        for m in self.re["shared_noun"].finditer(text, overlapped=True):
            value = self._count(text, m, "num")
            if value is not None:
                add(Mention(value, m.start(), m.end("mods"), "noun", sent_of(m.start()),
                            mods=m.group("mods")), m.start("num"), m.end("num"))
        for m in self.re["n_equals"].finditer(text):
            value = numbers.parse_int(m.group("num"))
            if value is None or value > MAX_SAMPLE_SIZE:
                continue
            mention = add(Mention(value, m.start(), m.end(), "n_equals", sent_of(m.start()),
                                  per_group=bool(m.group("per"))), m.start("num"), m.end("num"))
            if mention is not None:
                self._owner(text, bounds[mention.sent][0], mention, taken)
                if self.re["n_range_after"].match(text, m.end("num")):
                    mention.negative = True
        for m in self.re["verb"].finditer(text, overlapped=True):
            value = self._count(text, m, "num")
            if value is not None:
                add(Mention(value, m.start("num"), m.end("num"), "verb", sent_of(m.start()),
                            mods=m.group("mods")), m.start("num"), m.end("num"))
        for m in self.re["per_group"].finditer(text, overlapped=True):
            value = self._count(text, m, "num")
            if value is not None:
                add(Mention(value, m.start("num"), m.end(), "verb", sent_of(m.start()),
                            per_group=True), m.start("num"), m.end("num"))
        for m in self.re["subject_verb"].finditer(text, overlapped=True):
            value = self._count(text, m, "num")
            if value is not None:
                add(Mention(value, m.start("num"), m.end("num"), "verb", sent_of(m.start()),
                            cues={"total"}), m.start("num"), m.end("num"))
        for m in self.re["arm_to"].finditer(text, overlapped=True):
            value = self._count(text, m, "num")
            if value is not None:
                if m.start("num") in claimed:
                    claimed[m.start("num")].arm_to = True
                else:
                    add(Mention(value, m.start("num"), m.end("num"), "arm_to",
                                sent_of(m.start()), arm_to=True), m.start("num"), m.end("num"))
        self._fractions(text, found, claimed, sent_of)
        self._groups_of(text, found, claimed, sent_of)
        found.sort(key=lambda x: (x.start, x.end))
        self._context(text, bounds, found)
        return found

    def _count(self, text: str, m, group: str) -> Optional[int]:
        """The count of a matched number, or None for years and impossible values."""
        raw = m.group(group)
        value = numbers.parse_int(raw)
        if value is None or value > MAX_SAMPLE_SIZE:
            return None
        before = text[max(0, m.start(group) - 25):m.start(group)]
        # a capitalized number word opens a sentence: "... controlled study Forty subjects"
        if raw[:1].isupper() and raw[:1].isalpha():
            if self.re["range_before"].search(before):
                return None
        elif self.re["label_before"].search(before) or self.re["range_before"].search(before):
            return None
        elif value < 10 and self.re["label_before_small"].search(before):
            return None
        if len(raw) == 4 and raw.isdigit() and 1900 <= value <= 2099:
            before = text[max(0, m.start(group) - 20):m.start(group)]
            after = text[m.end(group):m.end(group) + 12]
            if self.re["year_before"].search(before) or self.re["year_after"].match(after):
                return None
        return value

    def _owner(self, text: str, sent_start: int, mention: Mention, taken: "_Spans") -> None:
        """Classify "(n = X)" by the phrase before it."""
        start = mention.start
        i = start  # "( n = 24 )" in tokenized text: the bracket may stand apart
        while i > 0 and text[i - 1] in " \t":
            i -= 1
        if i > 0 and text[i - 1] in "([":
            start = i - 1
        lo = max(sent_start, start - 80)
        owner = text[lo:start]
        stops = list(self.re["owner_stop"].finditer(owner))
        if stops:
            owner = owner[stops[-1].end():]
        owner_start = start - len(owner)
        if self.re["owner_arm"].search(owner):
            mention.arm = True
        elif self.re["owner_subgroup"].search(owner):
            mention.subgroup = True
        elif taken.any_within(owner_start, start):
            mention.subgroup = mention.owner_count = True
        else:
            last_words = " ".join(owner.split()[-self.owner_noun_words:])
            nouns = list(self.noun_re.finditer(last_words))
            if nouns:
                mention.noun = nouns[-1].group()

    def _fractions(self, text: str, found: list, claimed: dict, sent_of) -> None:
        for name in ("fraction", "slash_fraction"):
            for m in self.re[name].finditer(text):
                x, y = numbers.parse_int(m.group("x")), numbers.parse_int(m.group("y"))
                if x is None or y is None or x > y or y < 2:
                    continue
                tail = m.groupdict().get("tail")
                if not tail and not self.re["fraction_follow"].match(text[m.end():m.end() + 40]):
                    continue
                base = claimed.get(m.start("y"))
                if base is not None:
                    base.base = True
                if m.start("x") in claimed:
                    claimed[m.start("x")].subgroup = True
                    continue
                claimed[m.start("x")] = mention = Mention(
                    x, m.start(), m.end(), "fraction", sent_of(m.start()), subgroup=True)
                found.append(mention)

    def _groups_of(self, text: str, found: list, claimed: dict, sent_of) -> None:
        for m in self.re["groups_of"].finditer(text):
            g, each = numbers.parse_int(m.group("g")), numbers.parse_int(m.group("m"))
            if not g or not each or g > 20:
                continue
            inner = claimed.get(m.start("m"))
            if inner is not None:
                inner.arm = True
            found.append(Mention(g * each, m.start(), m.end(), "product", sent_of(m.start()),
                                 parts=[(m.start(), m.end())]))

    def _context(self, text: str, bounds: list, found: list[Mention]) -> None:
        """Cue classes and flags from the words around each mention."""
        tops = _top_level(found)
        top_starts = [t[0] for t in tops]
        top_ends = [t[1] for t in tops]  # increasing too: top-level spans do not overlap
        background: dict[int, bool] = {}  # sentence index -> is about earlier work
        sentence_cues: dict[int, set] = {}
        in_sentence: dict[int, Optional[frozenset]] = {}  # sentence index -> its gate literals
        for m in found:
            s_start, s_end = bounds[m.sent]
            if m.sent not in in_sentence:
                in_sentence[m.sent] = self.gates.present(text[s_start:s_end].casefold())
            sent_literals = in_sentence[m.sent]

            def literals(lo: int, hi: int) -> Optional[frozenset]:
                """The gate literals of text[lo:hi] (looked for among the sentence's when inside it)."""
                among = sent_literals if s_start <= lo and hi <= s_end else None
                return self.gates.present(text[lo:hi].casefold(), among)

            # a parenthesis right after the mention ("56 patients (49 boys, 7 girls) enrolled")
            # is skipped: the words after it still belong to the mention
            a_start = _skip_parenthesis(text, m.end, s_end)
            i = bisect.bisect_left(top_starts, a_start)
            j = bisect.bisect_right(top_ends, m.start)
            a_end = min([s_end, a_start + 250] + top_starts[i:i + 1])
            b_start = max([s_start, m.start - 150] + top_ends[max(j - 1, 0):j])
            after, before = text[a_start:max(a_end, a_start)], text[b_start:m.start]
            near = text[m.end:max(a_end, m.end)]
            if m.kind == "product":
                if m.sent not in sentence_cues:
                    sentence_cues[m.sent] = self._sentence_cues(text[s_start:s_end], sent_literals)
                m.cues = set(sentence_cues[m.sent])
                continue
            open_after = self.gates.open(literals(a_start, max(a_end, a_start)))
            open_before = self.gates.open(literals(b_start, m.start))
            for name, sides in self.cues.items():
                if any(i in open_after and p.search(after) for p, i in sides["after"]) or any(
                        i in open_before and p.search(before) for p, i in sides["before"]):
                    m.cues.add(name)
            if "negative" in m.cues and self.re["eligible_then_enrolled"].match(after):
                m.cues.discard("negative")
            for name, pattern in self.modifier_cues.items():
                if m.mods and pattern.search(m.mods):
                    m.cues.add(name)
            if m.sent not in background:
                pattern, i = self.background
                background[m.sent] = (i in self.gates.open(sent_literals)
                                      and pattern.search(text, s_start, s_end) is not None)
            if background[m.sent]:
                m.negative = True
            if "negative" in m.cues:
                m.negative = True
            if (m.mods and self.re["modifier_negative"].search(m.mods)
                    and not m.cues & {"randomized", "enrolled", "included"}):
                m.negative = True
            if m.mods and self.re["modifier_subgroup"].search(m.mods):
                m.subgroup = True
            if self.re["subgroup_percent"].match(near):
                m.subgroup = True
            if m.kind in ("verb", "arm_to") and self.re["verb_other_unit"].search(before):
                m.negative = True
            if m.kind == "noun":
                if self.re["per_group_after"].match(near):
                    m.per_group = True
                if self.re["arm_after"].match(near) or self.re["arm_before"].search(before):
                    m.arm = True
                if m.secondary and _noun_key(m.noun) == "case":
                    if (self.re["case_count_before"].search(before)
                            or self.re["case_count_after"].match(after)):
                        m.secondary = False
                    elif not m.cues & {"randomized", "enrolled"}:
                        # "3 cases of eclampsia" are events; "300 cases of VVC were recruited",
                        # "406 cases enrolled" are the study's cases (a secondary unit)
                        m.cues.add("event")
            if m.base:
                m.cues = {c for c in m.cues if c == "negative"}

    def _sentence_cues(self, sentence: str, literals: Optional[frozenset] = None) -> set:
        """The cue classes a whole sentence states (for sums and products built from it); `literals`
        are its gate literals (`self.gates.present`), when known."""
        opened = self.gates.open(self.gates.present(sentence.casefold()) if literals is None else literals)
        return {name for name, sides in self.cues.items()
                if name not in ("negative", "completed", "analyzed")
                and any(i in opened and p.search(sentence) for p, i in sides["after"])}

    # -- combining and choosing ------------------------------------------------------------------
    def _combine(self, text: str, bounds: list, found: list[Mention]) -> list[Mention]:
        """Totals, sums and products each sentence's counts make (new mentions); flags arm sizes."""
        extra: list[Mention] = []
        doc_groups: list = []  # the text-wide group count, looked up once
        by_sent: dict[int, list[Mention]] = {}
        for m in found:
            by_sent.setdefault(m.sent, []).append(m)
        for i, ms in by_sent.items():
            sentence = text[bounds[i][0]:bounds[i][1]]
            # "24 to A and 24 to B": arm sizes only when there are two or more
            arm_tos = [m for m in ms if m.arm_to]
            for m in arm_tos:
                if len(arm_tos) >= 2:
                    m.arm = True
                elif m.kind == "arm_to":
                    m.negative = True
            # owner-less "(n = X)": arm sizes when there are two or more arm or owner-less ones
            bare = [m for m in ms if m.kind == "n_equals" and m.noun is None
                    and not (m.arm or m.subgroup or m.per_group or m.negative)]
            n_arms = [m for m in ms if m.kind == "n_equals" and m.arm and not m.negative]
            if len(bare) + len(n_arms) >= 2:
                for m in bare:
                    m.arm = True
            countable = [m for m in ms if m.kind in ("noun", "n_equals", "verb", "arm_to")
                         and not (m.negative or m.subgroup or m.base or m.per_group)
                         and not m.cues & {"completed", "analyzed"}]
            if len(countable) > MAX_COUNTS_PER_SENTENCE:  # a table or list, not a sentence
                continue
            persons = [m for m in countable if not m.secondary]
            owned: set[int] = set()  # the parts of a total stated in the sentence
            # a count equal to the sum of two or more later counts is their total
            for m in persons:
                if m.arm:
                    continue
                # "Nineteen patients with melanoma (n = 16) or sarcoma (n = 3)": a "(n = X)" after
                # a count in its owner may be one of that count's parts
                later = sorted([o for o in persons if o.start > m.start]
                               + [o for o in ms if o.owner_count and o.start > m.start
                                  and not o.negative], key=lambda o: o.start)
                # the next two or more counts add up to it: "82 were randomised, 40 to A and 42 to B"
                parts = next((later[:k] for k in range(2, len(later) + 1)
                              if sum(o.value for o in later[:k]) == m.value), None)
                if parts:
                    for o in parts:
                        o.arm, o.subgroup = True, False
                        owned.add(id(o))
                    # the parts' cues ("65 randomized to A, 61 to B") describe the whole
                    m.cues |= _union(parts) - {"negative", "completed", "analyzed"}
            # arm sizes another count already totals are not summed again with the rest
            arms = [m for m in persons if m.arm and id(m) not in owned]
            totals = [m for m in persons if not m.arm]
            if len(arms) >= 2 and not any(t.value >= sum(a.value for a in arms) for t in totals):
                extra.append(self._sum(arms, self._sentence_cues(sentence) | _union(arms)))
            # per-group sizes times the number of groups
            per_group = [m for m in ms if m.per_group and not m.negative]
            groups = self._group_count(text, bounds, i, doc_groups) if per_group else None
            if groups:
                n, span = groups
                cues = self._sentence_cues(sentence)
                for m in per_group[:MAX_COUNTS_PER_SENTENCE]:
                    extra.append(Mention(m.value * n, m.start, m.end, "product", i, cues=set(cues),
                                         parts=[(m.start, m.end)] + ([span] if span else [])))
            # counts of different nouns joined by "and": "135 cases and 467 controls"
            has_controls = any(_noun_key(m.noun) == "control" for m in countable)
            chainable = [m for m in countable if not m.arm
                         and (not m.secondary or (has_controls and _noun_key(m.noun) == "case"))]
            chain: list[Mention] = []
            last_link = None
            for m in chainable + [None]:
                link = self._coordinated(text, chain[-1], m) if chain and m is not None else None
                if link and self._different_people(text, chain, m):
                    chain.append(m)
                    last_link = link
                    continue
                if len(chain) >= 2 and last_link == "and":
                    extra.append(self._sum(chain, _union(chain)))
                chain, last_link = ([m] if m is not None else []), None
        return extra

    @staticmethod
    def _different_people(text: str, chain: list[Mention], m: Mention) -> bool:
        """Can m join a chain of coordinated counts? Its noun is new ("135 cases and 467
        controls"), or the same noun is qualified differently: "Fifteen white-coat hypertensive
        out-patients and 23 essential hypertensive out-patients", "12 patients with eosinophilic
        asthma, 11 patients with non-eosinophilic asthma" (not a bare "40 patients and 40 patients")."""
        key = _noun_key(m.noun)
        if key not in {_noun_key(c.noun) for c in chain} - {None}:
            return True
        last = chain[-1]
        mods = {_NON_WORDS.sub(" ", c.mods).strip().lower() for c in chain if _noun_key(c.noun) == key}
        if m.mods.strip() and _NON_WORDS.sub(" ", m.mods).strip().lower() not in mods:
            return True
        between = _JOINERS.sub("", text[last.end:m.start])
        return len(between) > 0

    @staticmethod
    def _sum(parts: list[Mention], cues: set) -> Mention:
        spans = [s for p in parts for s in p.spans()]
        return Mention(sum(p.value for p in parts), parts[0].start, parts[-1].end, "sum",
                       parts[0].sent, cues=set(cues) - {"negative"}, parts=spans)

    @staticmethod
    def _coordinated(text: str, a: Mention, b: Mention) -> Optional[str]:
        """How counts a and b are joined: "and" (and, or, plus, as well as), "comma", or None."""
        between = text[a.end:b.start]
        if len(between) > 100 or ";" in between or _NOT_COORDINATED.search(between):
            return None
        if _AND.search(between):
            return "and"
        return "comma" if "," in between else None

    def _group_count(self, text: str, bounds: list, i: int,
                     doc_groups: list) -> Optional[tuple[int, Optional[tuple]]]:
        """The number of groups for a per-group size in sentence i and the span that says so: a
        "three groups" phrase in the sentence, else in the text, else the alternatives joined by
        or/versus in the sentence plus one (no span)."""
        s_start, s_end = bounds[i]
        m = self.re["group_count"].search(text, s_start, s_end)
        if m is None:
            if not doc_groups:
                doc_groups.append(self.re["group_count"].search(text))
            m = doc_groups[0]
        if m is not None:
            g = numbers.parse_int(m.group("g"))
            if g and 2 <= g <= 20:
                return g, (m.start(), m.end())
        alternatives = len(self.re["alternative"].findall(text[s_start:s_end]))
        return (alternatives + 1, None) if alternatives else None

    def choose(self, text: str, bounds: list, found: list[Mention]) -> dict:
        """The SampleSize fields (and "_spans", the evidence) from the mentions found."""
        found = found + self._combine(text, bounds, found)
        result: dict = {k: None for k in ("n", *FIELDS)}
        chosen: list[Mention] = []
        totals = [m for m in found if not (m.negative or m.subgroup or m.arm or m.per_group)
                  and "event" not in m.cues]
        for name in ("randomized", "enrolled"):
            ms = [m for m in totals if name in m.cues and not m.base and not m.secondary]
            if ms:
                best = max(ms, key=lambda m: m.value)
                result[name] = best.value
                chosen.append(best)
        for name in ("analyzed", "completed"):
            ms = [m for m in found if name in m.cues and not m.negative and not m.base
                  and not m.arm]
            if ms:
                best = max(ms, key=lambda m: m.value)
                result[name] = best.value
                chosen.append(best)

        def level(m: Mention) -> str:
            if m.secondary:
                return "secondary"
            for names in self.priority:
                for name in names:
                    if name in m.cues:
                        return name
            if m.cues & {"completed", "analyzed"}:
                return "completed"
            return "plain"

        n_mention: Optional[Mention] = None
        for names in self.priority:
            if "secondary" in names and n_mention is None:
                case = self._case_report(text)
                if case is not None:
                    result["n"] = 1
                    chosen.append(Mention(1, case[0], case[1], "case", 0))
                    break
            ms = [m for m in totals if level(m) in names]
            if ms:
                n_mention = max(ms, key=lambda m: (m.value, -m.start))
                break
        if n_mention is not None:
            result["n"] = n_mention.value
            chosen.append(n_mention)
        result["_spans"] = [s for m in chosen for s in m.spans()]
        return result

    def _case_report(self, text: str) -> Optional[tuple[int, int]]:
        for p in self.case_report:
            m = p.search(text)
            if m:
                return m.start(), m.end()
        return None


def _union(ms: Iterable[Mention]) -> set:
    out: set = set()
    for m in ms:
        out |= m.cues
    return out


class _Spans:
    """Non-overlapping character spans, kept sorted."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Add start:end unless it overlaps a span already there; True when added."""
        i = bisect.bisect_left(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return False
        if i < len(self.starts) and self.starts[i] < end:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True

    def any_within(self, lo: int, hi: int) -> bool:
        """Is there a span starting in lo:hi?"""
        i = bisect.bisect_left(self.starts, lo)
        return i < len(self.starts) and self.starts[i] < hi


def _skip_parenthesis(text: str, pos: int, end: int, limit: int = 200) -> int:
    """The position after a bracketed aside starting at `pos` (after blanks), else `pos`."""
    i = pos
    while i < end and text[i] in " \t":
        i += 1
    if i >= end or text[i] not in "([":
        return pos
    depth = 0
    for j in range(i, min(end, i + limit)):
        if text[j] in "([":
            depth += 1
        elif text[j] in ")]":
            depth -= 1
            if depth == 0:
                return j + 1
    return pos


def _top_level(found: list[Mention]) -> list[tuple[int, int]]:
    """The mention spans not inside another mention, in order."""
    spans = sorted({(m.start, m.end) for m in found}, key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int]] = []
    for s in spans:
        if out and s[0] < out[-1][1]:
            if s[1] > out[-1][1]:
                out[-1] = (out[-1][0], s[1])
            continue
        out.append(s)
    return out


def _span(text: str, start: int, end: int):
    from ..schema import Span

    return Span(start=start, end=end, text=text[start:end])
