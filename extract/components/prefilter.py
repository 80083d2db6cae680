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
"""
from __future__ import annotations

import regex

MAX_WORK = 5_000_000


class LeadPositions:
    """Where `lead` matches in the last text asked about (one entry cache: the patterns sharing a
    lead are run one after the other on the same text).

    `scout`, when given, is a cheap pattern that matches wherever `lead` can start, or the
    `LeadPositions` of a shorter lead that every match of `lead` begins with: `lead` is then tried
    only at the scout's positions instead of scanning the text with it."""

    def __init__(self, lead: "regex.Pattern", scout: "regex.Pattern | LeadPositions | None" = None):
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
    if not raw.startswith("(?P<"):
        return False
    close = raw.find(">")
    return close > 0 and raw[close + 1:].startswith(placeholder + ")" + then)
