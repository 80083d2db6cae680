"""Every reported p-value, each occurrence in text order, with its comparator and value.

`PValue.text` is the span as written (Unicode spaces shown as plain spaces, see `display_text`).
Works on characters (the tokenizer keeps "p<0.05" whole): one regular expression built from
`rules/p_values.yml` finds MARKER [QUALIFIER] COMPARATOR VALUE ("P < .001", "p-value of 0.03",
"P for trend = 0.02", "ps ≤ 0.029", "P = 2 × 10−4"), a second one picks up the further values the
same P applies to ("P = 0.029 and 0.033", "(P = 0.042, 0.029; respectively)"). Significance-level
definitions ("P < 0.05 was considered significant", "significance was set at p<0.05") are dropped
using the sentence around each candidate (doc.sents).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterator, Optional

import regex
from spacy.language import Language
from spacy.tokens import Doc

from .. import numbers, rules
from ..schema import PValue
from .extensions import doc_text, evidence
from .prefilter import uncased
from .tokens import sentence_bounds

_BLANKS = regex.compile(r"\s+")


@Language.factory("extract_p_values", default_config={"rules": "p_values.yml"})
def make_p_values(nlp: Language, name: str, rules: str) -> "PValueExtractor":
    return PValueExtractor(rules)


@dataclass(frozen=True)
class Found:
    """One p-value occurrence: characters start:end of the text, comparator and value."""

    start: int
    end: int
    comparator: str
    value: float


def _form(form: str) -> str:
    """A comparator form as a pattern: literal characters, blanks matching 0-3 (between symbols) or
    1-3 (between words) whitespace characters, and a word boundary after a final letter."""
    out = []
    for i, ch in enumerate(form):
        if ch == " ":
            before, after = form[i - 1], form[i + 1] if i + 1 < len(form) else " "
            out.append(r"\s{1,3}" if before.isalnum() and after.isalnum() else r"\s{0,3}")
        else:
            out.append(regex.escape(ch))
    if form[-1].isalpha():
        out.append(r"\b")
    return "".join(out)


class PValueExtractor:
    """Sets `doc._.p_values` to a list of `PValue`, in text order."""

    def __init__(self, rules_file: str = "p_values.yml"):
        data = rules.load(rules_file)
        value = numbers.VALUE
        forms = sorted(
            ((form, cmp) for cmp, fs in data["comparators"].items() for form in fs),
            key=lambda fc: len(fc[0]), reverse=True,
        )
        self.comparator_of: dict[str, str] = {}
        for form, cmp in forms:
            self.comparator_of.setdefault(self._key(form), cmp)
        comparator = "(?i:" + "|".join(_form(f) for f, _ in forms) + ")"
        qualifier_words = "|".join(
            _form(w) for w in sorted(data["qualifier_words"], key=len, reverse=True)
        )
        qualifier = (
            rf"(?:[\-_\u2010\s]?(?i:{qualifier_words})(?![\w])"
            + "".join("|" + p for p in data["qualifier_patterns"]) + ")"
        )
        links = "|".join(
            regex.escape(w) for w in sorted(data["link_words"], key=len, reverse=True)
        )
        self.main = _compile(
            rf"""
            (?P<marker>{data['marker']})
            (?P<qual>{qualifier}){{0,2}}
            ["”]?\s{{0,3}}
            (?:(?P<link>(?i:{links}))\b\s{{0,3}})?
            (?::\s{{0,3}}(?=[<>≤≥]))?
            (?P<cmp>{comparator})?
            \s{{0,3}}
            (?P<val>{value})
            {data['value_blockers']}
            """,
            regex.VERBOSE,
        )
        self.cont = _compile(
            rf"""
            {data['list_separator']}
            (?:(?P<cmp>{comparator})\s{{0,3}})?
            (?P<val>{value})
            {data['value_blockers']}
            {data['list_blockers']}
            {data['list_followers']}
            """,
            regex.VERBOSE,
        )
        self.list_value_requires = regex.compile(data["list_value_requires"])
        self.def_after = [_compile(p, regex.IGNORECASE) for p in data["definition_after"]]
        self.def_before = [_compile(p, regex.IGNORECASE) for p in data["definition_before"]]
        self.def_sentence = [
            _compile(p, regex.IGNORECASE) for p in data["definition_sentence"]
        ]
        self.thresholds = frozenset(float(v) for v in data["definition_thresholds"])

    @staticmethod
    def _key(form: str) -> str:
        return _BLANKS.sub(" ", form.strip().lower())

    def _comparator(self, cmp_text: Optional[str]) -> str:
        if not cmp_text:
            return "="
        return self.comparator_of.get(self._key(cmp_text), "=")

    def __call__(self, doc: Doc) -> Doc:
        found = self.find(doc_text(doc), sentence_bounds(doc))
        doc._.p_values = [
            PValue(text=display_text(doc_text(doc)[f.start:f.end]), comparator=f.comparator,
                   value=f.value, span=evidence(doc, f.start, f.end))
            for f in found
        ]
        return doc

    # -- finding ---------------------------------------------------------------------------------
    def find(self, text: str, sentences: Optional[list[tuple[int, int]]] = None) -> list[Found]:
        """All p-values in `text`; `sentences` are (start, end) character bounds (default: one)."""
        bounds = sentences or [(0, len(text))]
        starts = [s for s, _ in bounds]
        out: list[Found] = []
        defines: dict[int, bool] = {}  # sentence index -> has significance-definition wording
        for m in self.main.finditer(text):
            group = list(self._group(text, m))
            if not group:
                continue
            i = max(bisect.bisect_right(starts, m.start()) - 1, 0)
            s_start, s_end = bounds[i]
            s_end = max(s_end, group[-1].end)
            if self._is_definition(text, s_start, s_end, m.start(), group[-1].end, group[0]):
                continue
            head = group[0]
            if head.comparator in ("<", "<=") and head.value in self.thresholds:
                if i not in defines:
                    defines[i] = any(p.search(text, s_start, s_end) for p in self.def_sentence)
                if defines[i]:
                    continue
            out.extend(group)
        return out

    def _group(self, text: str, m) -> Iterator[Found]:
        """The match's own p-value and the further values listed after it."""
        link, cmp_text = m.group("link"), m.group("cmp")
        if not link and not cmp_text:
            return
        if link and "value" not in m.group("marker").lower():
            return
        head = self._found(m.start(), m.end("val"), self._comparator(cmp_text), m.group("val"))
        if head is None:
            return
        yield head
        pos = m.end("val")
        while True:  # each round consumes text, so this ends
            c = self.cont.match(text, pos)
            if not c or not self.list_value_requires.search(c.group("val")):
                return
            start = c.start("cmp") if c.group("cmp") else c.start("val")
            cmp = self._comparator(c.group("cmp")) if c.group("cmp") else head.comparator
            item = self._found(start, c.end("val"), cmp, c.group("val"))
            if item is None:
                return
            yield item
            pos = c.end("val")

    @staticmethod
    def _found(start: int, end: int, cmp: str, val: str) -> Optional[Found]:
        value = numbers.parse_value(val)
        if value is None or not 0.0 <= value <= 1.0:
            return None
        return Found(start, end, cmp, value)

    def _is_definition(self, text: str, s_start: int, s_end: int, start: int, end: int,
                       head: Found) -> bool:
        """Is the p-value at start:end defined as a significance level by the words around it?
        (The sentence-wide test for conventional thresholds is in `find`.)"""
        after = text[end:min(s_end, end + 200)]
        if any(p.match(after) for p in self.def_after):
            return True
        before = text[max(s_start, start - 200):start]
        return any(p.search(before) for p in self.def_before)


_SPACES = regex.compile(r"[^\S\n\r\t]")


def _compile(pattern: str, flags: int) -> "regex.Pattern":
    """A rule pattern, its character classes that case cannot change matched case-sensitively (the
    same matches, faster: `prefilter.uncased`)."""
    return regex.compile(uncased(pattern), flags)


def display_text(span_text: str) -> str:
    """The p-value as written, with each Unicode space (thin, no-break...) shown as a plain space,
    one for one ("p\u2009=\u20090.200" -> "p = 0.200"; "P =  .048" keeps its two spaces). The
    evidence span keeps the exact characters."""
    return _SPACES.sub(" ", span_text)
