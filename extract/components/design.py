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

import regex

try:  # the regex parser behind `re`, used to enumerate small finite patterns
    import re._constants as _sre_constants
    import re._parser as _sre_parse
except ImportError:  # Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from .. import rules
from ..schema import Design, DesignLabel, Phase
from .extensions import doc_lowers, doc_text, evidence, span_text

LABELS: tuple[str, ...] = typing.get_args(DesignLabel)
PHASES: tuple[str, ...] = typing.get_args(Phase)
_LABEL_ORDER = {label: i for i, label in enumerate(LABELS)}
_PUNCT_FILLERS = frozenset({",", "-", "–", "‐", "—", "/", "&"})
# Words that may stand between a negator and the cue it negates ("not a randomized", "not be blinded").
_NEGATION_GAP = frozenset({"a", "an", "the", "be", "been", "being", "was", "were", "is", "are", "fully",
                           "truly", "formally", "properly", "adequately", "-"})
# Clause openers that may start a this-study clause within a sentence ("Unlike X, WE ...").
_CLAUSE_SPLITTERS = frozenset({",", ";", ":", "but", "whereas", "while", "although", "however", "and"})


def _finite_language(pattern: str, limit: int = 256) -> list[str] | None:
    """All strings a fully anchored regex ("^...$") matches, if they are few; else None."""
    if not (pattern.startswith("^") and pattern.endswith("$")):
        return None
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - not a pattern we can enumerate
        return None
    c = _sre_constants

    def expand(items) -> list[str] | None:
        out = [""]
        for op, arg in items:
            if op is c.AT:
                continue
            if op is c.LITERAL:
                options = [chr(arg)]
            elif op is c.IN:
                options = []
                for kind, value in arg:
                    if kind is c.LITERAL:
                        options.append(chr(value))
                    elif kind is c.RANGE and value[1] - value[0] < 16:
                        options.extend(chr(x) for x in range(value[0], value[1] + 1))
                    else:
                        return None
            elif op is c.SUBPATTERN:
                options = expand(arg[-1])
            elif op is c.BRANCH:
                options = []
                for branch in arg[1]:
                    sub = expand(branch)
                    if sub is None:
                        return None
                    options.extend(sub)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[1] <= 2:
                sub = expand(arg[2])
                if sub is None:
                    return None
                options = []
                for n in range(arg[0], arg[1] + 1):
                    reps = [""]
                    for _ in range(n):
                        reps = [r + x for r in reps for x in sub]
                    options.extend(reps)
            else:
                return None
            if options is None:
                return None
            out = [a + b for a in out for b in options]
            if len(out) > limit:
                return None
        return out

    words = expand(parsed)
    return sorted(set(words)) if words is not None else None


_MAX_EXPANSION = 8  # more alternatives cost more than one Python predicate call


def _expand_first_token(pattern: list[dict]) -> list[list[dict]]:
    """The pattern as alternatives whose first token is an exact LOWER value where its IN list or finite
    regex allows: spaCy's Matcher tests exact values in C but calls Python for IN/REGEX on every token."""
    first = pattern[0]
    value = first.get("LOWER") if set(first) == {"LOWER"} else None
    words = None
    if isinstance(value, dict) and set(value) == {"IN"}:
        words = [str(w) for w in value["IN"]]
    elif isinstance(value, dict) and set(value) == {"REGEX"}:
        words = _finite_language(value["REGEX"])
    if not words or len(words) > _MAX_EXPANSION:
        return [pattern]
    return [[{"LOWER": w}, *pattern[1:]] for w in words]


# Frequent words: a pattern is gated on one of its other tokens when it can (see _GatedMatcher).
_FREQUENT = frozenset("""a an the in of to and or was were is are be been not no with for on at from by as
this that these we our one has have had it its than into after before during between all each""".split())
_UNBOUNDED = 10_000


def _max_width(token: dict) -> int:
    """How many document tokens one pattern token can cover."""
    op = token.get("OP")
    if op in (None, "!", "?", "1"):
        return 1
    m = regex.fullmatch(r"\{(\d*),?(\d*)\}", op)
    if m and (m.group(2) or ("," not in op and m.group(1))):
        return int(m.group(2) or m.group(1))
    return _UNBOUNDED


def _token_words(token: dict) -> tuple[frozenset[str] | None, "regex.Pattern | None"]:
    """The lower-case words a required pattern token accepts (a set, or a regex when not finite)."""
    if token.get("OP") not in (None, "1") or set(token) != {"LOWER"}:
        return None, None
    value = token["LOWER"]
    if isinstance(value, str):
        return frozenset([value]), None
    if isinstance(value, dict) and set(value) == {"IN"}:
        return frozenset(str(w) for w in value["IN"]), None
    if isinstance(value, dict) and set(value) == {"REGEX"}:
        words = _finite_language(value["REGEX"])
        return (frozenset(words), None) if words else (None, regex.compile(value["REGEX"]))
    return None, None


class _GatedMatcher:
    """A spaCy Matcher run only over the stretches of a document where some pattern can match.

    Each pattern is gated on one required token (preferably not a frequent word): the matcher runs on
    the window around every document token that token accepts, as far as the pattern can reach. The
    matches are the Matcher's own, found in far fewer tokens than the whole document.
    """

    def __init__(self, vocab, patterns: dict[str, list[list[dict]]]):
        self.matcher = Matcher(vocab, validate=True)
        self.gate_words: dict[str, tuple[int, int]] = {}
        self.gate_regexes: list[tuple["regex.Pattern", int, int]] = []
        self.always = False
        self._reach_cache: dict[str, tuple] = {}
        for key, alternatives in patterns.items():
            expanded = [alt for p in alternatives for alt in _expand_first_token(p)]
            self.matcher.add(key, expanded)
            for pattern in alternatives:
                self._gate(pattern)

    def _gate(self, pattern: list[dict]) -> None:
        widths = [_max_width(t) for t in pattern]
        options = []
        for k, token in enumerate(pattern):
            words, rx = _token_words(token)
            if words is None and rx is None:
                continue
            frequent = len(words & _FREQUENT) if words is not None else 0
            options.append((frequent, rx is not None, k, words, rx))
        if not options:
            self.always = True
            return
        _, _, k, words, rx = min(options, key=lambda o: o[:3])
        before, after = sum(widths[:k]), sum(widths[k + 1:])
        if max(before, after) >= _UNBOUNDED:
            self.always = True
        elif rx is not None:
            self.gate_regexes.append((rx, before, after))
        else:
            for w in words:
                b, a = self.gate_words.get(w, (0, 0))
                self.gate_words[w] = (max(b, before), max(a, after))

    def _reaches(self, low: str, cache: dict) -> tuple:
        """(before, after) reaches of the gates a (lower-case) token opens; cached per word."""
        found = [] if (reach := self.gate_words.get(low)) is None else [reach]
        found += [(before, after) for rx, before, after in self.gate_regexes if rx.search(low)]
        if len(cache) >= 100_000:
            cache.clear()
        cache[low] = found = tuple(found)
        return found

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if self.always:
            return self.matcher(doc)
        n = len(doc)
        windows: list[tuple[int, int]] = []
        reaches, cache = self._reaches, self._reach_cache
        for i, low in enumerate(doc_lowers(doc)):
            found = cache.get(low)
            if found is None:
                found = reaches(low, cache)
            for before, after in found:
                windows.append((max(0, i - before), min(n, i + after + 1)))
        windows.sort()
        matches: list[tuple[int, int, int]] = []
        start = end = -1
        for s, e in windows + [(n + 1, n + 1)]:
            if s > end:
                if end > start >= 0:
                    matches.extend((m, start + a, start + b) for m, a, b in self.matcher(doc[start:end]))
                start, end = s, e
            else:
                end = max(end, e)
        return matches


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
        self.cue_matcher = _GatedMatcher(
            nlp.vocab, {f"cue{i}": [cue["pattern"]] for i, cue in enumerate(self.cues)})
        self.context_matcher = _GatedMatcher(nlp.vocab, dict(cfg["context"]))

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
        self.registrations = [(regex.compile(r["regex"]), r["format"]) for r in cfg["registrations"]]
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
        for match_id, start, end in ctx.cue_matches:
            cue = self.cues[int(doc.vocab.strings[match_id][3:])]
            label = self._check(ctx, start, end, cue)
            if label is not None:
                spans = found.setdefault(label, _Found())
                (spans.weak if cue.get("weak") else spans.strong).append(
                    (doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)))
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
        if self._negated(ctx.doc, start, ctx.sent_start(start)):
            if ctx.counted_before(start):
                return None   # "Sixty-nine patients were not randomised": people left out, not a design
            return self.negated_labels.get(label)
        return label

    def _about_this_study(self, ctx: "_Context", start: int, end: int, head: int | None) -> bool:
        doc = ctx.doc
        if head is not None and doc[head].lower_ in self.plural_heads:
            return False          # "randomized controlled trials": other studies
        if doc[end - 1].lower_ in self.plural_heads:
            return False
        if self._modified(ctx, start):
            return False          # "previous randomized trial", "larger double-blind studies"
        return ctx.this_study(start)

    def _head(self, ctx: "_Context", end: int) -> int | None:
        """The design noun closing the phrase that starts before `end`, skipping other design words."""
        doc, limit = ctx.doc, ctx.sent_end(end - 1)
        j = end
        while j < limit and j - end < self.max_head_distance:
            tok = doc[j]
            low = tok.lower_
            if low in self.heads:
                return j
            if (low in self.fillers or tok.text in _PUNCT_FILLERS or j in ctx.cue_tokens or tok.is_space
                    or (tok.is_upper and len(tok.text) > 1)):   # a trial name: "Phase III PSO-FAST study"
                j += 1
                continue
            return None
        return None

    def _modified(self, ctx: "_Context", start: int) -> bool:
        doc, floor = ctx.doc, ctx.sent_start(start)
        j = start - 1
        while j >= floor and start - j <= self.max_head_distance:
            tok = doc[j]
            low = tok.lower_
            if low in self.np_modifiers:
                return True
            if low in self.fillers or tok.text in _PUNCT_FILLERS or j in ctx.cue_tokens:
                j -= 1
                continue
            return False
        return False

    def _negated(self, doc: Doc, start: int, floor: int) -> bool:
        j = start - 1
        while j >= floor and start - j <= self.negation_window:
            low = doc[j].lower_
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
            if self._negated(doc, start, ctx.sent_start(start)):
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
        for pattern, fmt in self.registrations:
            for m in pattern.finditer(text):
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


class _Context:
    """Per-document facts the checks share: sentences, sections, clauses and context matches."""

    def __init__(self, ex: DesignExtractor, doc: Doc):
        self.doc = doc
        self.sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.sent_index = [0] * len(doc)
        for i, sent in enumerate(self.sents):
            for t in range(sent.start, sent.end):
                self.sent_index[t] = i
        self.cue_matches = ex.cue_matcher(doc)
        self.cue_tokens = {t for _, s, e in self.cue_matches for t in range(s, e)}
        self.kinds: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in ex.context_matcher(doc):
            self.kinds.setdefault(doc.vocab.strings[match_id], []).append((start, end))
        self.blockers = self.kinds.get("blocker", [])
        self.this_tokens = {t for s, e in self.kinds.get("this_study", []) for t in range(s, e)}
        self.this_starts = {s for s, _ in self.kinds.get("this_study", [])}
        self._sections(ex)
        self._clauses()
        self.review = any(not self.background[self.sent_index[s]] for s, _ in self.kinds.get("review", []))

    # sentences
    def sent_start(self, token: int) -> int:
        return self.sents[self.sent_index[token]].start

    def sent_end(self, token: int) -> int:
        return self.sents[self.sent_index[token]].end

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
        doc, n = self.doc, len(self.sents)
        title_end = doc_text(doc).find("\n\n")
        in_title = [0 <= s.start_char < title_end for s in self.sents]
        has_this = [False] * n
        for t in self.this_tokens:
            has_this[self.sent_index[t]] = True
        anchor = list(has_this)
        for s, _ in self.kinds.get("anchor", []):
            anchor[self.sent_index[s]] = True
        headers: list[str | None] = []
        header_len: list[int] = []
        for sent in self.sents:
            m = ex.header_re.match(span_text(sent))
            headers.append((m.group("h") or m.group("w")).strip().upper() if m else None)
            header_len.append(m.end() if m else 0)
        for s, _ in self.kinds.get("objective", []):
            i = self.sent_index[s]
            if doc[s].idx - self.sents[i].start_char <= header_len[i] + 1:
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
        doc = self.doc
        self.clause = [0] * len(doc)
        clause = 0
        for sent in self.sents:
            clause += 1
            for t in range(sent.start, sent.end):
                tok = doc[t]
                nxt = t + 1
                while nxt < sent.end and doc[nxt].text in (",", ":"):
                    nxt += 1
                if t > sent.start and (tok.text == ";" or (tok.lower_ in _CLAUSE_SPLITTERS
                                                           and nxt in self.this_starts)):
                    clause += 1
                self.clause[t] = clause
        total = clause + 1
        self.clause_other = [False] * total
        self.clause_this = [False] * total
        for kind in ("other_study", "future_study"):
            for s, e in self.kinds.get(kind, []):
                for t in range(s, e):
                    self.clause_other[self.clause[t]] = True
        for t in self.this_tokens:
            self.clause_this[self.clause[t]] = True
