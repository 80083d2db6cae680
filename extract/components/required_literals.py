"""The literal strings one of which every match of a regex contains: a cheap test that rules a
pattern out of a text before the regex scans it.

`RequiredLiterals(pattern)` reads the pattern with Python's regex parser; `may_match(folded)` is
False only when no match can exist in a text whose `str.casefold()` is `folded`. Only ASCII literals
are used: `regex` matches one to a text ignoring case only where the text holds it in some case, or
with ſ or K (which fold to s and k), İ or ı (which do not: a folded text with them may always match).
A pattern it cannot read, or one that requires no ASCII literal, may always match.

`RequiredLiterals(pattern, ignore_case=False)` reads a pattern matched with case: its literals are kept
as written (any characters; none from a part under an inline IGNORECASE flag), and `may_match` is
asked about the text itself.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Iterable, Optional, Sequence

import regex

from .extensions import casefolded

try:  # the regex parser behind `re`
    import re._constants as _c
    import re._parser as _parser
except ImportError:  # Python < 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_LIMIT = 64  # more alternatives than this: not worth testing
# `regex`-module syntax that Python's parser reads differently (nested sets, fuzzy "{e<=1}", \p{..},
# named lists, version/branch-reset/atomic groups): no gate for such patterns.
_UNREAD = regex.compile(r"\[\[|\{(?![\d,])|\(\?[V|(>]|\\[pPXNLGmM]")


def _literals(items, exact: bool = False) -> frozenset[str] | None:
    """Strings one of which every match of the parsed sequence `items` contains, or None (`exact`:
    matched with case, so no literals from a group with an inline IGNORECASE flag)."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and len(found) <= _LIMIT and all(found) and (
                best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, arg in list(items) + [(None, None)]:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            consider(frozenset(["".join(run)]))
            run = []
        if op is None or op in _ZERO_WIDTH:
            continue
        if op is _c.SUBPATTERN:
            if not (exact and arg[1] & _c.SRE_FLAG_IGNORECASE):
                consider(_literals(arg[-1], exact))
        elif op is _c.BRANCH:
            branches = [_literals(branch, exact) for branch in arg[1]]
            if all(b is not None for b in branches):
                consider(frozenset().union(*branches))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            consider(_literals(arg[2], exact))
    return best


class RequiredLiterals:
    """A gate for one regex pattern: see the module docstring."""

    def __init__(self, pattern: str, ignore_case: bool = True):
        self.ignore_case = ignore_case
        try:
            parsed = None if _UNREAD.search(pattern) else _parser.parse(pattern)
            exact = not ignore_case
            found = None if parsed is None or (exact and parsed.state.flags & _c.SRE_FLAG_IGNORECASE) \
                else _literals(parsed, exact)
        except Exception:  # noqa: BLE001 - syntax Python's parser does not read: no gate
            found = None
        if found and ignore_case and not all(w.isascii() for w in found):
            found = None
        self.literals: tuple[str, ...] | None = (
            tuple(sorted(w.casefold() if ignore_case else w for w in found)) if found else None)

    def may_match(self, folded: str) -> bool:
        """False when the pattern cannot match a text whose case folding is `folded` (the text
        itself for a pattern matched with case)."""
        if self.literals is None:
            return True
        if self.ignore_case and ("\u0307" in folded or "ı" in folded):  # (İ folds to i + U+0307)
            return True
        return any(w in folded for w in self.literals)


class GateSet:
    """Several `RequiredLiterals` gates asked about the same texts: `present(folded)` looks for each
    of their literals once, and `open(present)` is the set of the numbers `i` for which
    `gates[i].may_match(folded)`. A text inside another (a sentence's words around a mention) holds
    only literals its container's folding holds (`str.casefold` folds each character alone):
    `present(part, among=present(whole))` looks only for those."""

    _SPECIAL = ("\u0307", "ı")  # in a folded text: every gate may match (see RequiredLiterals.may_match)

    def __init__(self, gates: Sequence[RequiredLiterals]):
        self.all = frozenset(range(len(gates)))
        self.always = frozenset(i for i, g in enumerate(gates) if g.literals is None)
        self.by_literal: dict[str, frozenset] = {}  # literal -> the gates it opens
        for i, g in enumerate(gates):
            for w in g.literals or ():
                self.by_literal[w] = self.by_literal.get(w, frozenset()) | {i}
        self.literals = frozenset(self.by_literal)

    def present(self, folded: str, among: "frozenset | None" = None) -> "frozenset | None":
        """The gates' literals in `folded` (looked for among `among`, when not None), or None when
        it holds a character that opens every gate."""
        if any(c in folded for c in self._SPECIAL):
            return None
        return frozenset(w for w in (self.literals if among is None else among) if w in folded)

    def open(self, present: "frozenset | None") -> frozenset:
        """The numbers of the gates that may match a folded text whose literals are `present`."""
        if present is None:
            return self.all
        return self.always.union(*(self.by_literal[w] for w in present))


class SentenceGates(GateSet):
    """Which of some gates may match each sentence of a document, from the literals each sentence
    holds, found with a few scans of the whole document instead of a test per gate and sentence.

    `SentenceGates(gates).sentences(text, bounds)[k]` holds the numbers `i` of the gates for which
    `gates[i].may_match(text[first:last].casefold())`, where `(first, last) = bounds[k]`."""

    def __init__(self, gates: Iterable[RequiredLiterals]):
        super().__init__(list(gates))
        # Shortest first, each with the shorter literals inside it: where one of those is missing, so is it.
        self._scan = [(w, [a for a in self.by_literal if a != w and a in w])
                      for w in sorted(self.by_literal, key=len)]

    def sentences(self, text: str, bounds: list[tuple[int, int]]) -> list[frozenset]:
        """For each sentence (character range of `text`), the gates that may match it."""
        return [self.open(found) for found in self._literals(text, bounds)]

    def _literals(self, text: str, bounds: list[tuple[int, int]]) -> list[Optional[set]]:
        """The literals each sentence's folding holds; None for one holding a special character."""
        folded = casefolded(text)
        if len(folded) != len(text):  # some character folds to several: fold each sentence
            out: list[Optional[set]] = []
            for first, last in bounds:
                out.append(self.present(text[first:last].casefold()))
            return out
        # Each character folds to one, so the sentences' foldings are these slices of `folded`.
        present: list[Optional[set]] = [set() for _ in bounds]
        firsts = [first for first, _ in bounds]
        ends = firsts[1:] + [len(folded)]
        missing = set()
        for w, inside in [(c, ()) for c in self._SPECIAL] + self._scan:
            if inside and not missing.isdisjoint(inside):
                missing.add(w)
                continue
            at = folded.find(w)
            if at < 0:
                missing.add(w)
            while at >= 0:
                k = bisect_right(firsts, at) - 1
                if k < 0:
                    at = folded.find(w, at + 1)
                    continue
                if at + len(w) <= bounds[k][1] and present[k] is not None:
                    if w in self._SPECIAL:
                        present[k] = None
                    else:
                        present[k].add(w)
                at = folded.find(w, ends[k])  # (a later start in sentence k would end beyond it too)
        return present
