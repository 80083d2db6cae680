"""A matcher for spaCy token patterns that only looks where a pattern's required word occurs.

`GatedMatcher(patterns)(doc)` returns the set of (key, start, end) matches spaCy's `Matcher` finds
(every match, overlapping and of every length, as `Matcher` returns them), sorted. spaCy's Matcher
tries every pattern at every token and calls Python for each IN/REGEX predicate there; here each
pattern is gated on one required single token (one that rarely occurs): one look-up per document
token finds the tokens that open a gate, and the rest of the pattern is matched outwards from them
only. Token checks are remembered by word, across documents. It handles the part of the pattern
language the rule files use: LOWER, ORTH and TEXT with a string or an IN / NOT_IN / REGEX dict,
IS_PUNCT and LIKE_NUM booleans, and the ops ?, *, +, 1, {n}, {n,m}, {n,} and {,m}. A pattern outside
it runs in spaCy's Matcher on the whole document.
"""
from __future__ import annotations

import re
from itertools import compress

try:  # the regex parser behind `re`, used to enumerate small finite patterns
    import re._constants as _sre_constants
    import re._parser as _sre_parse
except ImportError:  # Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]
from spacy.matcher import Matcher
from spacy.tokens import Doc

from .extensions import doc_lowers, doc_texts

_UNBOUNDED = 10_000
_MEMO_LIMIT, _SEEN_LIMIT = 10_000, 200_000  # check results remembered (per token), words seen (per matcher)
_STRING_ATTRS = {"LOWER": "lower", "ORTH": "orth", "TEXT": "orth"}
_FLAG_ATTRS = {"IS_PUNCT": "is_punct", "LIKE_NUM": "like_num"}
_OPS = {None: (1, 1), "1": (1, 1), "?": (0, 1), "*": (0, _UNBOUNDED), "+": (1, _UNBOUNDED)}
# A pattern is gated on the required token that opens the fewest starts to try: a frequent word is
# taken to occur _FREQUENT_HITS times as often as another word, a (non-finite) regex to match as
# often as _REGEX_HITS words.
_FREQUENT_HITS, _REGEX_HITS = 50, 20
_FREQUENT = frozenset("""a an the in of to and or was were is are be been not no with for on at from by as
this that these we our one has have had it its than into after before during between all each""".split())


def finite_language(pattern: str, limit: int = 256) -> list[str] | None:
    """All strings a fully anchored regex ("^...$") matches (`re.search`), if they are few; else None."""
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
    if words is None:
        return None
    # `re` lets "$" match before a final newline too: those strings are the pattern's as well
    return sorted(set(words) | {w + "\n" for w in words} if pattern.endswith("$") else set(words))


def _op_range(op) -> tuple[int, int] | None:
    """(min, max) repetitions of a pattern token's OP, as spaCy reads it; None for "!" or a bad op."""
    if op in _OPS:
        return _OPS[op]
    if not (isinstance(op, str) and op.startswith("{") and op.endswith("}")):
        return None
    body = op[1:-1] if "," in op else f"{op[1:-1]},{op[1:-1]}"
    n, m = body.split(",")
    if (n and not n.isdecimal()) or (m and not m.isdecimal()) or not (n or m) or (n and m and int(n) > int(m)):
        return None
    return int(n or 0), int(m) if m else _UNBOUNDED


class _Spec:
    """One compiled pattern token: its checks, how many document tokens it may cover, and its results.

    The attributes the checks read (LOWER, ORTH/TEXT, IS_PUNCT, LIKE_NUM) all belong to the token's
    lexeme, so a check's result depends only on the token's text (only on its lowercase form when it
    reads LOWER alone): `memo` keeps the results by that string, across documents."""

    __slots__ = ("checks", "min", "max", "by_text", "flags", "memo", "words", "rx")

    def __init__(self, token: dict):
        span = _op_range(token.get("OP"))
        if span is None:
            raise ValueError(f"unsupported OP in {token}")
        self.min, self.max = span
        self.checks: list[tuple[str, str, object]] = []   # (attribute, predicate, value)
        for attr, value in token.items():
            if attr == "OP":
                continue
            if attr in _FLAG_ATTRS and isinstance(value, bool):
                self.checks.append((_FLAG_ATTRS[attr], "==", value))
            elif attr in _STRING_ATTRS and isinstance(value, str):
                self.checks.append((_STRING_ATTRS[attr], "==", value))
            elif attr in _STRING_ATTRS and isinstance(value, dict) and value:
                for pred, arg in value.items():
                    if pred in ("IN", "NOT_IN") and all(isinstance(w, str) for w in arg):
                        self.checks.append((_STRING_ATTRS[attr], pred, frozenset(arg)))
                    elif pred == "REGEX" and isinstance(arg, str):
                        self.checks.append((_STRING_ATTRS[attr], pred, re.compile(arg)))
                    else:
                        raise ValueError(f"unsupported predicate in {token}")
            else:
                raise ValueError(f"unsupported attribute in {token}")
        self.by_text = not all(attr == "lower" for attr, _, _ in self.checks)
        self.flags = any(attr in _FLAG_ATTRS.values() for attr, _, _ in self.checks)
        self.memo: dict[str, bool] = {}
        # The words a required single token accepts (gates): a set, or a regex when not finite.
        self.words, self.rx = None, None
        if token.get("OP") in (None, "1") and set(token) == {"LOWER"}:
            value = token["LOWER"]
            if isinstance(value, str):
                self.words = frozenset([value])
            elif set(value) == {"IN"}:
                self.words = frozenset(value["IN"])
            elif set(value) == {"REGEX"}:
                words = finite_language(value["REGEX"])
                if words:
                    self.words = frozenset(words)
                else:
                    self.rx = re.compile(value["REGEX"])  # `re`, as spaCy's REGEX predicate

    def test(self, values: dict) -> bool:
        for attr, pred, value in self.checks:
            got = values[attr]
            if pred == "==":
                ok = got == value
            elif pred == "IN":
                ok = got in value
            elif pred == "NOT_IN":
                ok = got not in value
            else:
                ok = value.search(got) is not None
            if not ok:
                return False
        return True

    def evaluate(self, doc: Doc, i: int, lowers: list[str], texts: list[str]) -> bool:
        """The checks on token `i`, remembered in `memo`."""
        values = {"lower": lowers[i], "orth": texts[i]}
        if self.flags:
            token = doc[i]
            values["is_punct"], values["like_num"] = token.is_punct, token.like_num
        if len(self.memo) >= _MEMO_LIMIT:
            self.memo.clear()
        ok = self.memo[texts[i] if self.by_text else lowers[i]] = self.test(values)
        return ok


class _Pattern:
    """A compiled pattern and its gate: the required single token (at index `k`) that opens the fewest
    starts to try. Only words the gate token's check accepts open the gate (`gate_words`, or any word
    `gate_rx` finds), so a match is the gate token with the other pattern tokens matched outwards from
    it: `prefix` (the tokens before it, nearest first) backwards and `suffix` forwards. A pattern of
    single tokens only has `checks` instead: its other tokens by offset from the start, with their
    `memo` and `by_text`."""

    __slots__ = ("key", "specs", "gate_words", "gate_rx", "k", "prefix", "suffix", "length", "checks")

    def __init__(self, key: str, pattern: list[dict]):
        self.key = key
        self.specs = [_Spec(t) for t in pattern]
        if sum(s.min for s in self.specs) == 0:
            raise ValueError("a pattern that can match no token")
        self.gate_words, self.gate_rx, self.k = None, None, None
        self.length, self.checks = len(self.specs), None
        options = []  # (estimated starts tried per document, k)
        for k, spec in enumerate(self.specs):
            low, high = sum(s.min for s in self.specs[:k]), sum(s.max for s in self.specs[:k])
            if (spec.words is None and spec.rx is None) or high >= _UNBOUNDED:
                continue
            if spec.words is not None:
                hits = sum(_FREQUENT_HITS if w in _FREQUENT else 1 for w in spec.words if not w.endswith("\n"))
            else:
                hits = _REGEX_HITS
            options.append((hits * (high - low + 1), k))
        if not options:
            return
        _, k = min(options)
        gate = self.specs[k]
        self.k, self.gate_rx = k, gate.rx
        if gate.words is not None:
            self.gate_words = frozenset(w for w in gate.words if gate.test({"lower": w}))
        self.prefix, self.suffix = self.specs[:k][::-1], self.specs[k + 1:]
        if all(s.min == s.max == 1 for s in self.specs):
            self.checks = tuple((j, spec, spec.memo, spec.by_text) for j, spec in enumerate(self.specs) if j != k)


def _walk(specs: list[_Spec], pos: int, n: int, ok, step: int = 1) -> set[int]:
    """Where matches of `specs` in turn can end, from the token boundary `pos`: forwards (`step` 1:
    token `pos` comes next) or backwards (`step` -1: token `pos - 1` comes next). `ok(spec, i)` checks
    token `i`."""
    behind = 1 if step < 0 else 0
    reach = {pos}
    for spec in specs:
        after: set[int] = set()
        for pos in reach:
            count = 0
            while True:
                if count >= spec.min:
                    after.add(pos)
                if count >= spec.max:
                    break
                i = pos - behind
                if not 0 <= i < n or not ok(spec, i):
                    break
                pos += step
                count += 1
        if not after:
            return after
        reach = after
    return reach


class _Gates(dict):
    """Word -> the patterns whose gate it opens, for every word seen: an empty tuple for most. A word
    not seen before is looked up in the gate regexes."""

    def __init__(self, regexes: list[tuple[re.Pattern, _Pattern]]):
        super().__init__()
        self.regexes = regexes

    def regex_patterns(self, word: str) -> list[_Pattern]:
        return [pattern for rx, pattern in self.regexes if rx.search(word)]

    def __missing__(self, word: str):
        patterns = self[word] = self.regex_patterns(word) or ()
        return patterns


class GatedMatcher:
    """The (key, start, end) matches of token patterns in a document, like spaCy's `Matcher`."""

    def __init__(self, vocab, patterns: dict[str, list[list[dict]]]):
        self.gated: list[_Pattern] = []
        self.always: list[_Pattern] = []
        self.fallback = Matcher(vocab, validate=True)
        self.fallback_keys: list[str] = []
        self.gate_words: dict[str, list[_Pattern]] = {}   # gate word -> the patterns it opens
        self.gate_regexes: list[tuple[re.Pattern, _Pattern]] = []
        for key, alternatives in patterns.items():
            for pattern in alternatives:
                try:
                    compiled = _Pattern(key, pattern)
                except ValueError:
                    self.fallback.add(key, [pattern])
                    self.fallback_keys.append(key)
                    continue
                if compiled.k is None:
                    self.always.append(compiled)
                    continue
                self.gated.append(compiled)
                if compiled.gate_rx is not None:
                    self.gate_regexes.append((compiled.gate_rx, compiled))
                else:
                    for word in compiled.gate_words:
                        self.gate_words.setdefault(word, []).append(compiled)
        self._forget()

    def _forget(self) -> None:
        """Starts `_gates` afresh, from the gate words."""
        self._gates = _Gates(self.gate_regexes)
        for word, patterns in self.gate_words.items():
            self._gates[word] = patterns + self._gates.regex_patterns(word)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        lowers, texts = doc_lowers(doc), doc_texts(doc)
        n = len(lowers)
        if len(self._gates) >= _SEEN_LIMIT:
            self._forget()
        opened = list(map(self._gates.__getitem__, lowers))  # the patterns each token opens

        def ok(spec: _Spec, i: int) -> bool:
            got = spec.memo.get(texts[i] if spec.by_text else lowers[i])
            return spec.evaluate(doc, i, lowers, texts) if got is None else got

        matches: set[tuple[str, int, int]] = set()
        for i in compress(range(n), opened):
            for pattern in opened[i]:
                checks = pattern.checks
                if checks is None:  # optional or repeated tokens: outwards from the gate token
                    ends = _walk(pattern.suffix, i + 1, n, ok)
                    starts = _walk(pattern.prefix, i, n, ok, -1) if ends else ()
                    matches.update((pattern.key, start, end) for start in starts for end in ends)
                    continue
                start = i - pattern.k
                end = start + pattern.length
                if start < 0 or end > n:
                    continue
                for j, spec, memo, by_text in checks:  # ok(spec, start + j), inline
                    got = memo.get(texts[start + j] if by_text else lowers[start + j])
                    if not (spec.evaluate(doc, start + j, lowers, texts) if got is None else got):
                        break
                else:
                    matches.add((pattern.key, start, end))
        for pattern in self.always:
            for start in range(n):
                matches.update((pattern.key, start, end) for end in _walk(pattern.specs, start, n, ok))
        if self.fallback_keys:
            strings = doc.vocab.strings
            matches.update((strings[m], s, e) for m, s, e in self.fallback(doc))
        return sorted(matches)
