"""The faster rule machinery gives exactly what it replaces: the gated token matcher (spaCy's `Matcher`),
the required-literal gates (never rule out a text a pattern matches), the "repeated name" test (the
regex it replaced) and the bracket pairs of the abbreviation detector (its `Matcher`, in order)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import regex
from spacy.matcher import Matcher

from extract import rules
from extract.components.extensions import occurs_twice
from extract.components.required_literals import RequiredLiterals
from extract.components.token_matcher import GatedMatcher

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
EDGES = [
    "", "(", "randomly , assigned", "in the past , years", "this a b c d e f study", "this a b c d e f g study",
    "phase I metabolism", "in the first-in-human trial of stem cells", "et al.", "et al", "over the last decade",
    "not randomised - allocated", "Two-centre , 12 - hospitals", "( a ( b ) c ) ( ) ( x y z w v u t s r q p )",
    "((( a ) b ) c ) ( ( ) )", "(" * 30 + ")" * 30, "ſeven PATIENTS were randomized; Patients: placebo",
]


@pytest.fixture(scope="module")
def rules_nlp():
    from extract.pipeline import build_pipeline

    return build_pipeline("none")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rnd = random.Random(7)
    words = "( ) a the in trial study randomized , - this we were assigned to placebo 12 two centres".split()
    made = [" ".join(rnd.choice(words) for _ in range(rnd.randint(0, 40))) for _ in range(200)]
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))] + EDGES + made


def test_gated_matcher_finds_what_spacy_matcher_finds(rules_nlp, texts):
    cfg = rules.load("design.yml")
    cues = rules.load(cfg["patterns"])
    for patterns in ({f"cue{i}": [c["pattern"]] for i, c in enumerate(cues)}, dict(cfg["context"])):
        reference = Matcher(rules_nlp.vocab, validate=True)
        for key, alternatives in patterns.items():
            reference.add(key, alternatives)
        gated = GatedMatcher(rules_nlp.vocab, patterns)
        assert not gated.fallback_keys and not gated.always
        for text in texts:
            doc = rules_nlp.make_doc(text)
            expected = sorted({(rules_nlp.vocab.strings[m], s, e) for m, s, e in reference(doc)})
            assert gated(doc) == expected, text[:80]


def test_gated_matcher_falls_back_to_spacy_for_other_patterns(rules_nlp):
    patterns = {"neg": [[{"LOWER": "not"}, {"LOWER": "x", "OP": "!"}]], "digit": [[{"IS_DIGIT": True}]]}
    gated = GatedMatcher(rules_nlp.vocab, patterns)
    assert sorted(gated.fallback_keys) == ["digit", "neg"]
    assert gated(rules_nlp.make_doc("not y not x 12")) == [("digit", 4, 5), ("neg", 0, 2)]


@pytest.mark.parametrize("pattern", [
    r"(?<![\w-])(?:(?:[\w-]+ ){0,2}(?:training|exercises?|counsell?ing))(?![\w-])",
    r"\b(?:primary|main)(?: efficacy)? (?:end[- ]?points?|outcomes?)",
    r"sham(?:[- ](?:acupuncture|procedure))?|placebos?",
    r"(?:usual|standard) (?:care|treatment)|no (?:treatment|intervention)",
    r"\bIstanbul\b|\bizmir|sham",
])
def test_required_literals_never_rule_out_a_match(pattern, texts):
    compiled, gate = regex.compile(pattern, regex.I), RequiredLiterals(pattern)
    assert gate.literals
    samples = texts + ["Main Endpoints", "SHAM-procedure", "ſham", "Usual  care", "no treatment", "Exercise",
                       "İstanbul", "ıstanbul", "İZMİR", "ızmır", "ISTANBUL"]
    for text in samples:
        if compiled.search(text):
            assert gate.may_match(text.casefold()), text[:80]
    assert not gate.may_match("nothing of the kind")


@pytest.mark.parametrize("pattern", [r"[[:alpha:]]x", r"(?:foo){e<=1}", r"a\p{L}b", r"ab|", r"x?", r"[ab]"])
def test_required_literals_give_no_gate_where_unsure(pattern):
    assert RequiredLiterals(pattern).literals is None
    assert RequiredLiterals(pattern).may_match("")


def test_sentence_gates_are_the_gates_asked_sentence_by_sentence(texts):
    """`SentenceGates` finds each sentence's literals with a few scans of the whole text: the gates it
    opens for a sentence are those whose `may_match` holds on that sentence's folding."""
    from extract.components.required_literals import SentenceGates

    patterns = [r"\b(?:primary|main)(?: efficacy)? (?:end[- ]?points?|outcomes?)", r"sham(?:[- ]procedure)?",
                r"(?:usual|standard) (?:care|treatment)", r"\bIstanbul\b|\bizmir", r"x?", r"trial", r"tri",
                r"randomi[sz]ed trial"]
    gates = [RequiredLiterals(p) for p in patterns]
    sentence_gates = SentenceGates(gates)
    rnd = random.Random(11)
    samples = texts + ["Main endpoints. Sham-procedure; usual care", "İstanbul trial. ızmir tri", "Straße. trial ſham"]
    for text in samples:
        cuts = sorted(rnd.sample(range(len(text) + 1), min(len(text) + 1, rnd.randint(1, 6))))
        bounds = [(a, b) for a, b in zip([0] + cuts, cuts + [len(text)]) if rnd.random() < 0.8]
        expected = [frozenset(i for i, gate in enumerate(gates) if gate.may_match(text[a:b].casefold()))
                    for a, b in bounds]
        assert sentence_gates.sentences(text, bounds) == expected, (text[:60], bounds)


def test_occurs_twice_is_the_regex_count(texts):
    def reference(text: str, name: str) -> bool:
        return len(regex.findall(rf"(?<!\w){regex.escape(name)}(?!\w)", text, regex.I)) >= 2

    rnd = random.Random(3)
    for text in texts + ["Straße STRASSE strasse", "ſeven seven SEVEN", "İstanbul istanbul", "K-wire k-wire"]:
        names = ["seven", "strasse", "straße", "istanbul", "k-wire", "", "a", "(", "trial", "Trial study"]
        names += [text[i:i + rnd.randint(1, 12)] for i in (rnd.randrange(len(text)) for _ in range(5))] if text else []
        for name in names:
            assert occurs_twice(text, name) == reference(text, name), (text[:60], name)


def test_parenthesis_pairs_are_the_matcher_matches_in_order(rules_nlp, texts):
    pairs = rules_nlp.get_pipe("extract_abbreviations").matcher
    reference = Matcher(rules_nlp.vocab)
    reference.add("parenthesis", [[{"ORTH": "("}, {"OP": "{1,8}"}, {"ORTH": ")"}]])
    for text in texts:
        doc = rules_nlp.make_doc(text)
        assert pairs(doc) == reference(doc), text[:80]


def test_gated_matcher_on_optional_and_repeated_tokens_around_the_gate(rules_nlp, monkeypatch):
    """Patterns are matched outwards from their gate token, and token checks are cached by word:
    with caches small enough to be cleared again and again, the matches are still spaCy's."""
    import extract.components.token_matcher as token_matcher

    monkeypatch.setattr(token_matcher, "_MEMO_LIMIT", 3)
    monkeypatch.setattr(token_matcher, "_SEEN_LIMIT", 5)
    patterns = {
        "a": [[{"LOWER": {"IN": ["x", "y"]}, "OP": "{0,3}"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "gate"},
               {"IS_PUNCT": False, "OP": "*"}, {"LOWER": "d"}]],
        "b": [[{"LOWER": "b"}, {"TEXT": {"NOT_IN": [",", "."]}, "OP": "{1,3}"},
               {"LOWER": {"REGEX": "^gat(e|es)$"}}, {"LOWER": "x", "OP": "+"}]],
        "c": [[{"IS_PUNCT": True, "OP": "?"}, {"LOWER": "gate"}, {"LOWER": {"NOT_IN": ["x"]}, "OP": "{,2}"}]],
        "d": [[{"LIKE_NUM": True}, {"LOWER": "y", "OP": "*"}, {"LOWER": "gate"}]],
    }
    reference = Matcher(rules_nlp.vocab, validate=True)
    for key, alternatives in patterns.items():
        reference.add(key, alternatives)
    gated = GatedMatcher(rules_nlp.vocab, patterns)
    rnd = random.Random(5)
    words = "x y b gate gates , . d 12 two X Gate".split()
    matched = 0
    for _ in range(3000):
        doc = rules_nlp.make_doc(" ".join(rnd.choice(words) for _ in range(rnd.randint(0, 14))))
        expected = sorted({(rules_nlp.vocab.strings[m], s, e) for m, s, e in reference(doc)})
        assert gated(doc) == expected, doc.text
        matched += bool(expected)
    assert matched > 1000  # the texts do exercise the patterns


def test_sentence_ranges_are_doc_sents(rules_nlp, texts):
    """`tokens.sentences` / `sentence_chars` (read once per document by five components) are the
    token and character ranges of `doc.sents`; a doc without boundaries is one sentence."""
    from extract.components.tokens import sentence_chars, sentences

    with rules_nlp.select_pipes(enable=["extract_sentences"]):
        docs = list(rules_nlp.pipe(texts))
    assert sum(len(sentences(doc)) > 10 for doc in docs) >= 2  # the seed abstracts
    for doc in docs:
        assert sentences(doc) == [(s.start, s.end) for s in doc.sents], doc.text
        assert sentence_chars(doc) == [(s.start_char, s.end_char) for s in doc.sents], doc.text
    doc = rules_nlp("Thirty-one patients were enrolled (n = 31). Of these, 18 completed the study.")
    assert sentences(doc) == [(0, 10), (10, 18)]
    assert sentence_chars(doc) == [(0, 43), (44, 77)]
    unsegmented = rules_nlp.make_doc("Patients were randomized. ")
    assert sentences(unsegmented) == [(0, 4)]
    assert sentence_chars(unsegmented) == [(0, 25)]
