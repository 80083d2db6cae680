"""A matcher for spaCy token patterns that only looks where a pattern's required word occurs.

`GatedMatcher(patterns)(doc)` returns the set of (key, start, end) matches spaCy's `Matcher` finds
(every match, overlapping and of every length, as `Matcher` returns them), sorted. spaCy's Matcher
tries every pattern at every token and calls Python for each IN/REGEX predicate there; here each
pattern is gated on one required token (one that rarely occurs) and tried only at the starts from
which that token can be reached. It handles the part of the pattern language the rule files use:
LOWER, ORTH and TEXT with a string or an IN / NOT_IN / REGEX dict, IS_PUNCT and LIKE_NUM booleans, and
the ops ?, *, +, 1, {n}, {n,m}, {n,} and {,m}. A pattern outside it runs in spaCy's Matcher on the whole
document.
"""
from __future__ import annotations

import re

try:  # the regex parser behind `re`, used to enumerate small finite patterns
    import re._constants as _sre_constants
    import re._parser as _sre_parse
except ImportError:  # Python < 3.11
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]
from spacy.matcher import Matcher
from spacy.tokens import Doc

from .extensions import doc_lowers

_UNBOUNDED = 10_000
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
    """One compiled pattern token: its checks and how many document tokens it may cover."""

    __slots__ = ("checks", "min", "max", "lower_only", "words", "rx")

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
        self.lower_only = all(attr == "lower" for attr, _, _ in self.checks)
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


class _Pattern:
    __slots__ = ("key", "specs", "gate_words", "gate_rx", "before")

    def __init__(self, key: str, pattern: list[dict]):
        self.key = key
        self.specs = [_Spec(t) for t in pattern]
        if sum(s.min for s in self.specs) == 0:
            raise ValueError("a pattern that can match no token")
        self.gate_words, self.gate_rx, self.before = None, None, None
        options = []  # (estimated starts tried per document, k, (low, high))
        for k, spec in enumerate(self.specs):
            low, high = sum(s.min for s in self.specs[:k]), sum(s.max for s in self.specs[:k])
            if (spec.words is None and spec.rx is None) or high >= _UNBOUNDED:
                continue
            if spec.words is not None:
                hits = sum(_FREQUENT_HITS if w in _FREQUENT else 1 for w in spec.words if not w.endswith("\n"))
            else:
                hits = _REGEX_HITS
            options.append((hits * (high - low + 1), k, (low, high)))
        if options:
            _, k, self.before = min(options)
            self.gate_words, self.gate_rx = self.specs[k].words, self.specs[k].rx


class _Tokens:
    """Lazy per-document token attributes for the checks, and the check results."""

    def __init__(self, doc: Doc, lowers: list[str], word_cache: dict):
        self.doc, self.lowers, self.n = doc, lowers, len(lowers)
        self.word_cache = word_cache
        self.memo: dict[tuple[int, int], bool] = {}

    def test(self, spec: _Spec, i: int) -> bool:
        if spec.lower_only:
            key = (id(spec), self.lowers[i])
            cache = self.word_cache
        else:
            key = (id(spec), i)
            cache = self.memo
        ok = cache.get(key)
        if ok is None:
            if spec.lower_only:
                values = {"lower": self.lowers[i]}
            else:
                token = self.doc[i]
                values = {"lower": self.lowers[i], "orth": token.text, "is_punct": token.is_punct,
                          "like_num": token.like_num}
            ok = cache[key] = spec.test(values)
        return ok

    def ends(self, specs: list[_Spec], start: int) -> set[int] | tuple[int, ...]:
        """The ends of every match of `specs` that starts at token `start`."""
        n, last = self.n, len(specs)
        test = self.test
        pos, k = start, 0
        while k < last and specs[k].max == 1 and specs[k].min == 1:  # one token each: no choices
            if pos >= n or not test(specs[k], pos):
                return ()
            pos += 1
            k += 1
        if k == last:
            return (pos,)
        out: set[int] = set()
        seen: set[tuple[int, int]] = set()

        def walk(k: int, pos: int) -> None:
            if (k, pos) in seen:
                return
            seen.add((k, pos))
            if k == last:
                out.add(pos)
                return
            spec = specs[k]
            count = 0
            while count < spec.min:
                if pos >= n or not test(spec, pos):
                    return
                pos += 1
                count += 1
            while True:
                walk(k + 1, pos)
                if count >= spec.max or pos >= n or not test(spec, pos):
                    return
                pos += 1
                count += 1

        walk(k, pos)
        return out


class GatedMatcher:
    """The (key, start, end) matches of token patterns in a document, like spaCy's `Matcher`."""

    def __init__(self, vocab, patterns: dict[str, list[list[dict]]]):
        self.gated: list[_Pattern] = []
        self.always: list[_Pattern] = []
        self.gate_words: dict[str, list[tuple[int, int, int]]] = {}
        self.gate_regexes: list[tuple[re.Pattern, int, int, int]] = []
        self.fallback = Matcher(vocab, validate=True)
        self.fallback_keys: list[str] = []
        self._reach_cache: dict[str, list] = {}
        self._word_cache: dict[tuple[int, str], bool] = {}
        for key, alternatives in patterns.items():
            for pattern in alternatives:
                try:
                    compiled = _Pattern(key, pattern)
                except ValueError:
                    self.fallback.add(key, [pattern])
                    self.fallback_keys.append(key)
                    continue
                if compiled.before is None:
                    self.always.append(compiled)
                    continue
                index, (low, high) = len(self.gated), compiled.before
                self.gated.append(compiled)
                if compiled.gate_rx is not None:
                    self.gate_regexes.append((compiled.gate_rx, index, low, high))
                else:
                    for word in compiled.gate_words:
                        self.gate_words.setdefault(word, []).append((index, low, high))

    def _reaches(self, low: str) -> list:
        found = list(self.gate_words.get(low, ()))
        found += [(index, a, b) for rx, index, a, b in self.gate_regexes if rx.search(low)]
        cache = self._reach_cache
        if len(cache) >= 100_000:
            cache.clear()
        cache[low] = found
        return found

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        lowers = doc_lowers(doc)
        n = len(lowers)
        if len(self._word_cache) >= 200_000:
            self._word_cache.clear()
        tokens = _Tokens(doc, lowers, self._word_cache)
        starts: dict[int, set[int]] = {}
        cache, reaches = self._reach_cache, self._reaches
        gates = {}  # the document's words that open a gate -> their reaches
        for low in set(lowers):
            found = cache.get(low)
            if found is None:
                found = reaches(low)
            if found:
                gates[low] = found
        hits = [i for i, low in enumerate(lowers) if low in gates] if gates else []
        for i in hits:
            for index, low_before, high_before in gates[lowers[i]]:
                first, last = i - high_before, i - low_before
                if last >= 0:
                    starts.setdefault(index, set()).update(range(max(first, 0), last + 1))
        matches: set[tuple[str, int, int]] = set()
        for index, candidates in starts.items():
            pattern = self.gated[index]
            for start in candidates:
                matches.update((pattern.key, start, end) for end in tokens.ends(pattern.specs, start))
        for pattern in self.always:
            for start in range(n):
                matches.update((pattern.key, start, end) for end in tokens.ends(pattern.specs, start))
        if self.fallback_keys:
            strings = doc.vocab.strings
            matches.update((strings[m], s, e) for m, s, e in self.fallback(doc))
        return sorted(matches)
