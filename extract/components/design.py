"""Study design: labels from the schema's vocabulary, trial phase and registry numbers, with evidence.

Cues, context words and tables are data in `rules/design.yml` and `rules/design_patterns.jsonl`; this module
only applies them. A cue counts only where it is about *this* study (see the comments in design.yml): not
in background sentences, not in clauses about earlier or future studies, not under negation, and not
when its phrase names other studies ("randomized controlled trials"). Publication types from the source
header add labels (and a phase) without evidence spans.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass, field
from itertools import accumulate

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import rules
from ..schema import Design, DesignLabel, Phase
from .extensions import doc_lowers, doc_text, doc_texts, evidence
from .required_literals import RequiredLiterals
from .token_matcher import GatedMatcher
from .tokens import sentence_chars, sentences

LABELS: tuple[str, ...] = typing.get_args(DesignLabel)
PHASES: tuple[str, ...] = typing.get_args(Phase)
_LABEL_ORDER = {label: i for i, label in enumerate(LABELS)}
_PUNCT_FILLERS = frozenset({",", "-", "–", "‐", "—", "/", "&"})
# Words that may stand between a negator and the cue it negates ("not a randomized", "not be blinded").
_NEGATION_GAP = frozenset({"a", "an", "the", "be", "been", "being", "was", "were", "is", "are", "fully",
                           "truly", "formally", "properly", "adequately", "-"})
# Clause openers that may start a this-study clause within a sentence ("Unlike X, WE ...").
_CLAUSE_SPLITTERS = frozenset({",", ";", ":", "but", "whereas", "while", "although", "however", "and"})


@Language.factory("extract_design", default_config={"rules": "design.yml"})
def make_design(nlp: Language, name: str, rules: str) -> "DesignExtractor":
    return DesignExtractor(nlp, rules)


@dataclass
class _Found:
    """Where the text supports one label: strong and weak cue spans (character offsets)."""

    strong: list[tuple[int, int]] = field(default_factory=list)
    weak: list[tuple[int, int]] = field(default_factory=list)


class DesignExtractor:
    """Sets `doc._.design` from rule cues in the text and the document's publication types."""

    def __init__(self, nlp: Language, rules_file: str = "design.yml"):
        cfg = rules.load(rules_file)
        self.cues: list[dict] = rules.load(cfg["patterns"])
        for cue in self.cues:
            if cue["label"] not in LABELS:
                raise ValueError(f"{cfg['patterns']}: unknown design label {cue['label']!r}")
        # One matcher for the cues ("cue:<index>") and the context patterns ("context:<kind>"): one pass
        # over the document's words finds the tokens that open a gate of either.
        patterns = {f"cue:{i}": [cue["pattern"]] for i, cue in enumerate(self.cues)}
        patterns.update((f"context:{kind}", alternatives) for kind, alternatives in cfg["context"].items())
        self.matcher = GatedMatcher(nlp.vocab, patterns)

        def words(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in cfg[key])

        self.heads = words("heads")
        self.plural_heads = words("plural_heads")
        self.fillers = words("fillers")
        self.np_modifiers = words("np_modifiers")
        self.negators = words("negators")
        self.max_head_distance = int(cfg["max_head_distance"])
        self.negation_window = int(cfg["negation_window"])
        self.negated_labels = dict(cfg.get("negated_labels") or {})
        self.header_re = regex.compile(cfg["sections"]["header_regex"])
        self.background_headers = tuple(h.upper() for h in cfg["sections"]["background"])
        self.positional_max = float(cfg["positional_background_max"])
        self.phase_re = regex.compile(cfg["phase"]["regex"])
        self.numerals = {str(k).lower(): str(v) for k, v in cfg["phase"]["numerals"].items()}
        # (each run only on a text holding a literal it needs: most abstracts name no registry)
        self.registrations = [(regex.compile(r["regex"]), r["format"], RequiredLiterals(r["regex"], ignore_case=False))
                              for r in cfg["registrations"]]
        self.publication_types = {k.lower(): (v or {}) for k, v in cfg["publication_types"].items()}
        self.implies = {k: list(v) for k, v in (cfg.get("implies") or {}).items()}
        self.overrides = {k: list(v) for k, v in (cfg.get("overrides") or {}).items()}
        self.weak_dropped_by = list(cfg.get("weak_dropped_by") or [])
        self.review_labels = set(cfg.get("review_labels") or [])
        self.review_keeps = set(cfg.get("review_keeps") or [])
        for name, entry in self.publication_types.items():
            bad = [x for x in entry.get("labels") or [] if x not in LABELS]
            if bad or (entry.get("phase") is not None and str(entry["phase"]) not in PHASES):
                raise ValueError(f"{rules_file}: publication type {name!r}: unknown labels {bad} or phase")
        for table in (self.implies, self.overrides):
            for key, values in table.items():
                bad = [x for x in (key, *values) if x not in LABELS]
                if bad:
                    raise ValueError(f"{rules_file}: unknown design labels {bad}")

    # ------------------------------------------------------------------ the component
    def __call__(self, doc: Doc) -> Doc:
        doc._.design = self.extract(doc)
        return doc

    def extract(self, doc: Doc) -> Design:
        header_labels, header_phase, header_review = self._header(doc._.publication_types)
        text_labels: dict[str, tuple[int, int]] = {}
        phase, spans = None, []
        registrations: list[str] = []
        if len(doc):
            ctx = _Context(self, doc)
            found = self._cues(ctx)
            review = header_review or ctx.review or any(label in found for label in self.review_labels)
            text_labels = self._text_labels(found, review)
            phase, phase_span = self._phase(ctx)
            registrations, spans = self._registrations(doc_text(doc))
            if phase_span is not None:
                spans.append(phase_span)
        labels = self._combine(text_labels, header_labels)
        spans.extend(span for span in labels.values() if span is not None)
        return Design(
            labels=sorted(labels, key=_LABEL_ORDER.__getitem__),
            phase=phase or header_phase,
            registrations=registrations,
            evidence=[evidence(doc, s, e) for s, e in sorted(set(spans))],
        )

    def _cues(self, ctx: "_Context") -> dict[str, _Found]:
        """Label -> where cues about this study support it."""
        found: dict[str, _Found] = {}
        doc = ctx.doc
        for index, start, end in ctx.cue_matches:
            cue = self.cues[index]
            label = self._check(ctx, start, end, cue)
            if label is not None:
                spans = found.setdefault(label, _Found())
                (spans.weak if cue.get("weak") else spans.strong).append(
                    (doc[start].idx, doc[end - 1].idx + len(ctx.texts[end - 1])))
        return found

    # ------------------------------------------------------------------ cues in context
    def _check(self, ctx: "_Context", start: int, end: int, cue: dict) -> str | None:
        """The label a cue match gives in its context, or None when it is not about this study."""
        label = cue["label"]
        if ctx.blocked(start, end):
            return None
        head = self._head(ctx, end)
        if cue.get("head") == "required" and head is None:
            return None
        if not self._about_this_study(ctx, start, end, head):
            return None
        if cue.get("context") == "allocation" and not ctx.sentence_has(start, "allocation"):
            return None
        if self._negated(ctx.lowers, start, ctx.sent_start(start)):
            if ctx.counted_before(start):
                return None   # "Sixty-nine patients were not randomised": people left out, not a design
            return self.negated_labels.get(label)
        return label

    def _about_this_study(self, ctx: "_Context", start: int, end: int, head: int | None) -> bool:
        lowers = ctx.lowers
        if head is not None and lowers[head] in self.plural_heads:
            return False          # "randomized controlled trials": other studies
        if lowers[end - 1] in self.plural_heads:
            return False
        if self._modified(ctx, start):
            return False          # "previous randomized trial", "larger double-blind studies"
        return ctx.this_study(start)

    def _head(self, ctx: "_Context", end: int) -> int | None:
        """The design noun closing the phrase that starts before `end`, skipping other design words."""
        doc, lowers, texts, limit = ctx.doc, ctx.lowers, ctx.texts, ctx.sent_end(end - 1)
        j = end
        while j < limit and j - end < self.max_head_distance:
            low = lowers[j]
            if low in self.heads:
                return j
            if (low in self.fillers or texts[j] in _PUNCT_FILLERS or j in ctx.cue_tokens or doc[j].is_space
                    or (doc[j].is_upper and len(texts[j]) > 1)):   # a trial name: "Phase III PSO-FAST study"
                j += 1
                continue
            return None
        return None

    def _modified(self, ctx: "_Context", start: int) -> bool:
        lowers, texts, floor = ctx.lowers, ctx.texts, ctx.sent_start(start)
        j = start - 1
        while j >= floor and start - j <= self.max_head_distance:
            low = lowers[j]
            if low in self.np_modifiers:
                return True
            if low in self.fillers or texts[j] in _PUNCT_FILLERS or j in ctx.cue_tokens:
                j -= 1
                continue
            return False
        return False

    def _negated(self, lowers: list[str], start: int, floor: int) -> bool:
        j = start - 1
        while j >= floor and start - j <= self.negation_window:
            low = lowers[j]
            if low in self.negators:
                return True
            if low not in _NEGATION_GAP:
                return False
            j -= 1
        return False

    # ------------------------------------------------------------------ phase and registrations
    def _phase(self, ctx: "_Context") -> tuple[str | None, tuple[int, int] | None]:
        doc = ctx.doc
        for m in self.phase_re.finditer(doc_text(doc)):
            value = self._phase_value(m.group("a"), m.group("b"))
            if value is None:
                continue
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is None or not len(span):
                continue
            start, end = span.start, span.end
            if ctx.blocked(start, end):
                continue
            head = self._head(ctx, end)
            if head is None or not self._about_this_study(ctx, start, end, head):
                continue
            if self._negated(ctx.lowers, start, ctx.sent_start(start)):
                continue
            return value, (m.start(), m.end())
        return None, None

    def _phase_value(self, a: str, b: str | None) -> str | None:
        first = self.numerals.get(a.lower())
        if first is None:
            return None
        if b is None:
            value = first
        else:
            second = self.numerals.get(b.lower())
            value = first if second in (None, first) else f"{first}/{second}"
        return value if value in PHASES else None

    def _registrations(self, text: str) -> tuple[list[str], list[tuple[int, int]]]:
        hits: list[tuple[int, int, str]] = []
        for pattern, fmt, gate in self.registrations:
            for m in pattern.finditer(text) if gate.may_match(text) else ():
                hits.append((m.start(), m.end(), fmt.format(**m.groupdict())))
        hits.sort()
        ids: list[str] = []
        spans: list[tuple[int, int]] = []
        for start, end, reg in hits:
            if reg not in ids:
                ids.append(reg)
                spans.append((start, end))
        return ids, spans

    # ------------------------------------------------------------------ labels
    def _text_labels(self, found: dict[str, _Found], review: bool) -> dict[str, tuple[int, int]]:
        """Label -> first evidence span, after weak cues and reviews."""
        drop_weak = any(found.get(x) and found[x].strong for x in self.weak_dropped_by)
        labels: dict[str, tuple[int, int]] = {}
        for label, spans in found.items():
            candidates = spans.strong + ([] if drop_weak else spans.weak)
            if candidates:
                labels[label] = min(candidates, key=lambda se: (se[0], -se[1]))
        if review:   # the trial labels of a review describe the reviewed studies
            labels = {k: v for k, v in labels.items() if k in self.review_keeps}
        return labels

    def _header(self, publication_types) -> tuple[set[str], str | None, bool]:
        """Labels, phase and review flag from the publication types of the source header."""
        labels: set[str] = set()
        phase, review = None, False
        for pub_type in publication_types or []:
            entry = self.publication_types.get(str(pub_type).strip().lower())
            if entry:
                labels.update(entry.get("labels") or [])
                phase = phase or (str(entry["phase"]) if entry.get("phase") is not None else None)
                review = review or bool(entry.get("review"))
        return labels, phase, review

    def _combine(self, text_labels: dict, header_labels: set[str]) -> dict[str, tuple[int, int] | None]:
        """Text and header labels with implications (sharing their source's evidence) and overrides."""
        labels: dict[str, tuple[int, int] | None] = dict(text_labels)
        for label in header_labels:
            labels.setdefault(label, None)
        changed = True
        while changed:
            changed = False
            for source, targets in self.implies.items():
                for target in targets if source in labels else ():
                    if target not in labels:
                        labels[target] = labels[source]
                        changed = True
        for winner, losers in self.overrides.items():
            if winner in labels:
                for loser in losers:
                    labels.pop(loser, None)
        return labels


def _positions(items: list, value) -> list[int]:
    """The indices where `value` stands in `items` (found by `list.count` and `list.index`, in C)."""
    found, i = [], -1
    for _ in range(items.count(value)):
        i = items.index(value, i + 1)
        found.append(i)
    return found


class _Context:
    """Per-document facts the checks share: sentences, sections, clauses and context matches."""

    def __init__(self, ex: DesignExtractor, doc: Doc):
        self.doc = doc
        self.lowers, self.texts = doc_lowers(doc), doc_texts(doc)
        sents = sentences(doc)
        self.sent_starts, self.sent_ends = [start for start, _ in sents], [end for _, end in sents]
        self.sent_chars = sentence_chars(doc)
        self.sent_index = [0] * len(doc)
        for i, (start, end) in enumerate(zip(self.sent_starts, self.sent_ends)):
            self.sent_index[start:end] = [i] * (end - start)
        self.cue_matches: list[tuple[int, int, int]] = []   # (cue index, start, end)
        self.kinds: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in ex.matcher(doc):
            group, _, name = key.partition(":")
            if group == "cue":
                self.cue_matches.append((int(name), start, end))
            else:
                self.kinds.setdefault(name, []).append((start, end))
        self.cue_tokens = {t for _, s, e in self.cue_matches for t in range(s, e)}
        self.blockers = self.kinds.get("blocker", [])
        self.this_tokens = {t for s, e in self.kinds.get("this_study", []) for t in range(s, e)}
        self.this_starts = {s for s, _ in self.kinds.get("this_study", [])}
        self._sections(ex)
        self._clauses()
        self.review = any(not self.background[self.sent_index[s]] for s, _ in self.kinds.get("review", []))

    # sentences
    def sent_start(self, token: int) -> int:
        return self.sent_starts[self.sent_index[token]]

    def sent_end(self, token: int) -> int:
        return self.sent_ends[self.sent_index[token]]

    def sentence_has(self, token: int, kind: str) -> bool:
        i = self.sent_index[token]
        return any(self.sent_index[s] == i for s, _ in self.kinds.get(kind, []))

    def counted_before(self, token: int) -> bool:
        """Whether a number stands earlier in the token's clause ("69 patients were not ...")."""
        doc, clause = self.doc, self.clause[token]
        j = token - 1
        while j >= 0 and self.clause[j] == clause:
            tok = doc[j]
            if tok.like_num or ("-" in tok.text and all(doc.vocab[p].like_num for p in tok.lower_.split("-"))):
                return True   # "60", "sixty", "Sixty-nine"
            j -= 1
        return False

    def blocked(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.blockers)

    def this_study(self, token: int) -> bool:
        """False when the token's sentence is background or its clause is about another study."""
        if self.background[self.sent_index[token]]:
            return False
        clause = self.clause[token]
        return not self.clause_other[clause] or self.clause_this[clause]

    def _sections(self, ex: DesignExtractor) -> None:
        """Marks background sentences: a background section, or (no headers) before the first anchor."""
        doc, text, n = self.doc, doc_text(self.doc), len(self.sent_chars)
        title_end = text.find("\n\n")
        in_title = [0 <= start_char < title_end for start_char, _ in self.sent_chars]
        has_this = [False] * n
        for t in self.this_tokens:
            has_this[self.sent_index[t]] = True
        anchor = list(has_this)
        for s, _ in self.kinds.get("anchor", []):
            anchor[self.sent_index[s]] = True
        headers: list[str | None] = []
        header_len: list[int] = []
        for start_char, end_char in self.sent_chars:
            m = ex.header_re.match(text[start_char:end_char])
            headers.append((m.group("h") or m.group("w")).strip().upper() if m else None)
            header_len.append(m.end() if m else 0)
        for s, _ in self.kinds.get("objective", []):
            i = self.sent_index[s]
            if doc[s].idx - self.sent_chars[i][0] <= header_len[i] + 1:
                anchor[i] = True
        self.background = [False] * n
        abstract = [i for i in range(n) if not in_title[i]]
        if not abstract:
            return
        # Structured abstract: BACKGROUND/INTRODUCTION sections, less their this-study sentences.
        section_bg = False
        for i in abstract:
            if headers[i] is not None:
                section_bg = headers[i].startswith(ex.background_headers)
            self.background[i] = section_bg and not has_this[i]
        if headers[abstract[0]] is not None:
            return
        # Unstructured start: the sentences before the first anchor, if it comes early enough.
        first = next((k for k, i in enumerate(abstract) if anchor[i]), None)
        if first is not None and first <= max(1.0, ex.positional_max * len(abstract)):
            for i in abstract[:first]:
                self.background[i] = True

    def _clauses(self) -> None:
        """Splits sentences into clauses at ';' and where a this-study clause begins after a comma or
        conjunction; marks clauses with other/future-study and this-study matches."""
        lowers, starts, ends, index = self.lowers, self.sent_starts, self.sent_ends, self.sent_index
        opens = [0] * len(lowers)   # 1 where a clause begins
        for start in starts:
            opens[start] = 1
        # A splitter t (not the first token of its sentence) opens a clause when it is ";" or when its next
        # token in the sentence, past commas and colons, starts a this-study match: those splitters are
        # the ones found from each such start back across commas and colons.
        for t in _positions(lowers, ";"):
            if t != starts[index[t]]:
                opens[t] = 1
        for s in self.this_starts:
            t = s - 1
            while t >= 0:
                i = index[t]
                if (lowers[t] in _CLAUSE_SPLITTERS and t != starts[i] and s <= ends[i]
                        and (s == ends[i] or lowers[s] not in (",", ":"))):
                    opens[t] = 1
                if lowers[t] not in (",", ":"):
                    break
                t -= 1
        self.clause = list(accumulate(opens))
        total = self.clause[-1] + 1
        self.clause_other = [False] * total
        self.clause_this = [False] * total
        for kind in ("other_study", "future_study"):
            for s, e in self.kinds.get(kind, []):
                for t in range(s, e):
                    self.clause_other[self.clause[t]] = True
        for t in self.this_tokens:
            self.clause_this[self.clause[t]] = True
