"""extract.components.prefilter: pattern rewrites that keep the matches and cost less."""
from __future__ import annotations

import regex

from extract.components.prefilter import FoldedScout, _class, uncased
from extract.components.required_literals import GateSet
from extract.components.required_literals import RequiredLiterals

# Every code point but the surrogates: a class matches the same set ignoring case or not, or it
# does not, on some character of these.
_ALL = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)


def _same_ignoring_case(cls: str) -> bool:
    return ([m.start() for m in regex.finditer(cls, _ALL)]
            == [m.start() for m in regex.finditer(cls, _ALL, flags=regex.IGNORECASE)])


def _uncased_classes(pattern: str) -> set[str]:
    """The character classes matched case-sensitively in a pattern `uncased` produced that it reads
    as the same ignoring case (those it wrapped, and any the rules wrote so)."""
    found = set()
    for m in regex.finditer(r"\(\?-i:\[", pattern):
        end, closed = _class(pattern, m.end() - 1)
        if closed:
            found.add(pattern[m.end() - 1:end])
    return found


def test_uncased_wraps_only_classes_case_cannot_change():
    assert uncased(r"[\s,]{1,3}x") == r"(?-i:[\s,]{1,3})x"
    assert uncased(r"(?<![\w.,/\-\u2010])\d") == r"(?<!(?-i:[\w.,/\-\u2010]))\d"
    assert uncased(r"[^;]{0,80}?\b") == r"(?-i:[^;]{0,80}?)\b"
    assert uncased(r"[1-4]|[A-Z]|randomi[sz]ed|[\p{Ll}\d]|\[x\]") == r"(?-i:[1-4])|[A-Z]|randomi[sz]ed|[\p{Ll}\d]|\[x\]"
    assert uncased(r"[]a]|[\w]") == r"[]a]|(?-i:[\w])"
    assert uncased(r"[[:alpha:]]x[\s]") == r"[[:alpha:]]x[\s]"  # (a class it does not read: unchanged)
    for cls in (r"[A-Z]", r"[sz]", r"[\p{Ll}\d)\]%']", r"[\u017f]", r"[k]"):
        assert not _class(cls, 0)[1] and not _same_ignoring_case(cls)


def test_sample_size_classes_matched_case_sensitively_are_the_same_ignoring_case():
    """Each class the sample-size patterns match case-sensitively matches the same characters
    ignoring case (checked on every code point)."""
    from extract.components.prefilter import LedPattern, TextGated
    from extract.components.sample_size import SampleSizeExtractor

    ex = SampleSizeExtractor()
    patterns = list(ex.re.values()) + list(ex.modifier_cues.values()) + ex.case_report + [
        p for sides in ex.cues.values() for side in sides.values() for p, _ in side]
    classes: set[str] = set()
    for p in patterns:
        while isinstance(p, (TextGated, LedPattern)):
            p = p._pattern
        classes |= _uncased_classes(p.pattern)
    assert len(classes) > 5
    for cls in classes:
        assert _same_ignoring_case(cls), cls


def test_gate_set_opens_the_gates_required_literals_opens():
    """`GateSet.open(present(...))` holds exactly the gates whose `may_match` is True, on a whole
    text and on parts of it looked for among the whole's literals."""
    from extract.components.sample_size import SampleSizeExtractor

    ex = SampleSizeExtractor()
    gates = [RequiredLiterals(p.pattern) for sides in ex.cues.values() for side in sides.values()
             for p, _ in side] + [RequiredLiterals(r"\bfoo\d"), RequiredLiterals(r"\d+")]
    gate_set = GateSet(gates)
    texts = ["Forty patients were randomly assigned; 12 were excluded and 3 died.",
             "A total of 31 subjects were ENROLLED (ſcreened 40), foo1",
             "Patients included İstanbul residents: 20 were followed",
             "nothing here", "ıncluded 4"]
    for text in texts:
        whole = gate_set.present(text.casefold())
        for lo in range(0, len(text), 7):
            for hi in range(lo, len(text) + 1, 5):
                part = text[lo:hi].casefold()
                expected = {i for i, g in enumerate(gates) if g.may_match(part)}
                assert gate_set.open(gate_set.present(part)) == expected
                assert gate_set.open(gate_set.present(part, whole)) == expected


def test_folded_scout_finds_every_position_of_the_ignoring_case_scan():
    """Every character `regex` matches to an ASCII letter ignoring case and that folds to one
    character folds to that letter, and none outside \\w folds into \\w: so where each character
    folds to one, `\\b(?:words)` over the folding finds every position `(?i:\\b(?:words))` finds in
    the text (exhaustive over the code points)."""
    import string
    import sys

    chars = "".join(chr(cp) for cp in range(sys.maxunicode + 1))
    one = {c for c in chars if len(c.casefold()) == 1}
    for x in string.ascii_lowercase:
        for m in regex.finditer("(?i)" + x, chars):
            assert m.group() not in one or m.group().casefold() == x, (hex(ord(m.group())), x)
    for m in regex.finditer(r"\W", chars):
        assert m.group() not in one or not regex.match(r"\w", m.group().casefold()), hex(ord(m.group()))
    scout = FoldedScout(regex.compile(r"\b(?:six|ten)"), regex.compile(r"(?i:\b(?:six|ten))"))
    for text in ["Six and TEN, ſix, \u212aten", "İ Six ten ß", "xsix ten"]:
        expected = [m.start() for m in scout.fallback.finditer(text, overlapped=True)]
        found = [m.start() for m in scout.finditer(text, overlapped=True)]
        assert set(expected) <= set(found), text
