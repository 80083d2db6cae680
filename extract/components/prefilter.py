"""Faster scans for long rule patterns that can only start where a shorter "lead" pattern matches.

`LedPattern` wraps a compiled `regex` pattern whose every match starts with a match of `lead` (e.g.
the sample-size patterns, which all begin with a number: `(?P<num>{INT})...`). `finditer` first
finds the positions where `lead` matches (once per text, shared by all the patterns with that lead)
and tries the long pattern only there, with `match` at that position (lookbehinds and `\\b` still
see the text before it). The matches are exactly those of the plain `finditer`, overlapped or not,
in the same order; scanning a long alternation at every character is what it saves.

A `match` call can cost time in proportion to the rest of the text (the regex module looks ahead for
literals the pattern requires), so on long texts with many lead positions (none in real abstracts,
but adversarial input) the plain scan is used instead: MAX_WORK bounds positions x text length.

`any_tail` builds one probe for several patterns sharing a lead (positions where none of them can
match are skipped with one call), `TextGated` skips a pattern in a text without any literal it
requires (`required_literals.GateSet` asks several such gates at once), and `uncased` matches the
character classes case cannot change case-sensitively.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import regex

from .extensions import casefolded
from .required_literals import RequiredLiterals

MAX_WORK = 5_000_000


class LeadPositions:
    """Where `lead` matches in the last text asked about (one entry cache: the patterns sharing a
    lead are run one after the other on the same text).

    `scout`, when given, is a cheap pattern that matches wherever `lead` can start (or a sequence
    of patterns, one of which does: scanning with each of a few simple patterns can be cheaper than
    with their alternation), or the `LeadPositions` of a shorter lead that every match of `lead`
    begins with: `lead` is then tried only at the scout's positions instead of scanning the text
    with it."""

    def __init__(self, lead: "regex.Pattern",
                 scout: "regex.Pattern | Sequence[regex.Pattern] | LeadPositions | None" = None):
        self.lead = lead
        self.scout = scout
        self._text: str | None = None
        self._starts: list[int] = []

    def __call__(self, text: str) -> list[int] | None:
        """The lead's start positions, or None when trying them one by one would cost more than
        a plain scan."""
        if text is not self._text:
            self._starts = self._scan(text)
            self._text = text
        return self._starts

    def _scan(self, text: str) -> list[int] | None:
        if self.scout is not None:
            if isinstance(self.scout, LeadPositions):
                candidates = self.scout(text)
            elif isinstance(self.scout, (list, tuple)):
                candidates = sorted({m.start() for scout in self.scout
                                     for m in scout.finditer(text, overlapped=True)})
            else:
                candidates = [m.start() for m in self.scout.finditer(text, overlapped=True)]
            if candidates is not None and len(candidates) * len(text) <= MAX_WORK:
                match = self.lead.match
                return [start for start in candidates if match(text, start)]
        starts = [m.start() for m in self.lead.finditer(text, overlapped=True)]
        return starts if len(starts) * len(text) <= MAX_WORK else None


class LedPattern:
    """A compiled pattern whose `finditer` only tries the positions where its lead matches; every
    other attribute is the wrapped pattern's."""

    def __init__(self, pattern: "regex.Pattern", positions: LeadPositions):
        self._pattern = pattern
        self._positions = positions

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None, overlapped: bool = False):
        starts = None if pos or endpos is not None else self._positions(text)
        if starts is None:
            yield from self._pattern.finditer(text, pos, endpos, overlapped=overlapped)
            return
        match = self._pattern.match
        resume = 0
        for start in starts:
            if start < resume:
                continue
            m = match(text, start)
            if m is not None:
                yield m
                if not overlapped:
                    resume = m.end() if m.end() > start else start + 1

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_pattern", "_positions"):  # (unpickling, copying)
            raise AttributeError(name)
        return getattr(self._pattern, name)


def lead_prefix(raw: str, placeholder: str, then: str = "") -> bool:
    """Whether a raw rule pattern begins with `(?P<name>PLACEHOLDER)`, followed by `then` when given
    (so every match starts with a match of the placeholder's pattern, and `then`)."""
    return lead_tail(raw, placeholder, then) is not None


def lead_tail(raw: str, placeholder: str, then: str = "") -> str | None:
    """The rest of a raw rule pattern after `(?P<name>PLACEHOLDER)` and `then`, or None when it does
    not begin so."""
    if not raw.startswith("(?P<"):
        return None
    close = raw.find(">")
    head = placeholder + ")" + then
    return raw[close + 1 + len(head):] if close > 0 and raw[close + 1:].startswith(head) else None


_NAMED = regex.compile(r"(?<!\\)\(\?P<\w+>")
_REFERENCES = regex.compile(r"\(\?P=|\\g<|\(\?\(|\\\d")


def any_tail(lead: str, tails: Sequence[str]) -> str | None:
    """A pattern that matches where `lead` followed by one of `tails` does (so wherever one of the
    patterns lead + tail matches: the lead can end where that tail matches, and backtracking tries
    every end), or None when a tail refers to a group (the groups are made non-capturing here).
    One probe per position instead of one match per pattern: the lead is matched once, and where it
    fails (most positions) no pattern is tried."""
    if any(_REFERENCES.search(tail) for tail in tails):
        return None
    return lead + "(?=" + "|".join(f"(?:{uncaptured(tail)})" for tail in tails) + ")"


def uncaptured(pattern: str) -> str:
    """`pattern` with its named groups made non-capturing (the same matches, when nothing refers to
    them)."""
    return _NAMED.sub("(?:", pattern)


class FoldedScout:
    """A scout (see `LeadPositions`) that runs `pattern`, case-sensitive, over the case folding of
    a text where each character folds to one (the positions are then the text's), and `fallback`
    over the text itself otherwise. For `(?i:\\b(?:words))` with lower-case ASCII words, `pattern`
    `\\b(?:words)` finds every position `fallback` does (a character `regex` matches to an ASCII
    letter ignoring case folds to it, and no character outside \\w folds into it: see tests), and
    scanning without ignoring case costs about half as much."""

    def __init__(self, pattern: "regex.Pattern", fallback: "regex.Pattern"):
        self.pattern = pattern
        self.fallback = fallback

    def finditer(self, text: str, overlapped: bool = False):
        folded = casefolded(text)
        if len(folded) != len(text):
            return self.fallback.finditer(text, overlapped=overlapped)
        return self.pattern.finditer(folded, overlapped=overlapped)


class TextGated:
    """A pattern (or a `LedPattern`) whose `finditer` and `search` find nothing, without scanning,
    in a text that holds none of the literals the pattern requires (`gate.may_match`, asked once per
    text: a match in part of the text needs one in the text). Every other attribute is the wrapped
    pattern's."""

    def __init__(self, pattern, gate: RequiredLiterals):
        self._pattern = pattern
        self._gate = gate
        self._text: str | None = None
        self._may = True

    def _may_match(self, text: str) -> bool:
        if text is not self._text:
            self._may = self._gate.may_match(casefolded(text))
            self._text = text
        return self._may

    def finditer(self, text: str, *args, **kwargs):
        return self._pattern.finditer(text, *args, **kwargs) if self._may_match(text) else iter(())

    def search(self, text: str, *args, **kwargs):
        return self._pattern.search(text, *args, **kwargs) if self._may_match(text) else None

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_pattern", "_gate", "_text", "_may"):
            raise AttributeError(name)
        return getattr(self._pattern, name)



_QUANTIFIER = regex.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?")
_CLASS_ESCAPES = frozenset("sSdDwW")  # the same sets ignoring case or not (see tests)
_HEX = {"x": 2, "u": 4, "U": 8}


def uncased(pattern: str) -> str:
    """`pattern` with its character classes that ignoring case does not change (`[\\s,]`,
    `[\\w'’/\\-]`: \\s, \\d, \\w and characters without case) matched case-sensitively, each with
    its quantifier: `(?-i:[\\s,]{1,3})`. The same matches under IGNORECASE, without the case
    variants `regex` looks up for every character a case-insensitive class is tried at (a fifth of
    the sample-size component's instructions; \\s, \\d, \\w outside classes cost no more when
    ignoring case). The pattern unchanged when it holds a class this does not read (nested, POSIX)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        read = _class(pattern, i)
        if read is None:
            return pattern
        end, closed = read
        q = _QUANTIFIER.match(pattern, end)
        if q:
            end = q.end()
        out.append(f"(?-i:{pattern[i:end]})" if closed else pattern[i:end])
        i = end
    return "".join(out)


def _class(pattern: str, i: int) -> tuple[int, bool] | None:
    """The end of the character class at `i` and whether ignoring case leaves it unchanged; None
    for a class this does not read."""
    j = i + 1
    if pattern[j:j + 1] == "^":
        j += 1
    closed = True
    first = True
    prev: str | None = None  # the last single character read (a range's start)
    while j < len(pattern):
        c = pattern[j]
        if c == "]" and not first:
            return j + 1, closed
        first = False
        if c == "[":
            return None
        if c == "-" and prev is not None and pattern[j + 1:j + 2] not in ("]", ""):
            j += 1
            last, j = _class_char(pattern, j)
            if last is None or ord(last) < ord(prev) or ord(last) - ord(prev) > 1000:
                closed = False
            else:
                closed = closed and all(_caseless(chr(k)) for k in range(ord(prev), ord(last) + 1))
            prev = None
            continue
        if c == "\\" and pattern[j + 1:j + 2] in _CLASS_ESCAPES:
            j += 2
            prev = None
            continue
        ch, j = _class_char(pattern, j)
        if ch is None:
            closed = False
        elif not _caseless(ch):
            closed = False
        prev = ch
    return None


def _class_char(pattern: str, j: int) -> tuple[str | None, int]:
    """The character a class member at `j` stands for (None when not a single known one) and the
    position after it."""
    c = pattern[j]
    if c != "\\":
        return c, j + 1
    e = pattern[j + 1:j + 2]
    if e in _HEX and regex.fullmatch(r"[0-9a-fA-F]+", pattern[j + 2:j + 2 + _HEX[e]] or "-"):
        return chr(int(pattern[j + 2:j + 2 + _HEX[e]], 16)), j + 2 + _HEX[e]
    if e and not e.isalnum():
        return e, j + 2
    if e in ("p", "P", "N", "X") and pattern[j + 2:j + 3] == "{":
        close = pattern.find("}", j)
        return None, (close + 1 if close > 0 else len(pattern))
    return None, j + 2


def _caseless(ch: str) -> bool:
    """Whether `ch` has no case variants (so a class holding it matches the same ignoring case)."""
    return not ch.isalpha() and ch.lower() == ch == ch.upper() == ch.casefold()


def prefix_tree(words: Iterable[Sequence[str]]) -> str:
    """An alternation of words, each given as its sequence of pattern tokens (escaped characters,
    `\\w*`...), written as a prefix tree: `pat(?:ients?|...)` for `patients|patient|...`. The regex
    engine tries an alternation's branches one by one, so a flat one costs a test per word at every
    position it is tried; the tree tests each first token once. A node's longer words come before
    the word that ends there (see `sample_size._words` for when it matches what the list does)."""
    root: dict = {}
    for tokens in words:
        node = root
        for token in tokens:
            node = node.setdefault(token, {})
        node[None] = {}  # a word ends here
    return _tree(root)


def _tree(node: dict) -> str:
    """The pattern of a prefix-tree node: its branches, optional when a word ends at the node."""
    branches = [token + _tree(child) for token, child in node.items() if token is not None]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if None in node else body
