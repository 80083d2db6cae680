"""RequiredLiterals for patterns matched with case (`ignore_case=False`)."""
import regex

from extract import rules
from extract.components.required_literals import RequiredLiterals


def test_literals_of_a_pattern_matched_with_case_are_kept_as_written():
    assert RequiredLiterals(r"\bChiCTR[\s:]{0,2}\d{6}", ignore_case=False).literals == ("ChiCTR",)
    assert RequiredLiterals(r"x(?i:abcd)", ignore_case=False).literals == ("x",)  # none under (?i:...)
    assert RequiredLiterals(r"(?i)abcd", ignore_case=False).literals is None
    assert RequiredLiterals(r"≤ ?0\.05", ignore_case=False).literals == ("0.05",)


def test_registration_gates_never_rule_out_a_match():
    texts = ["Trial registration: NCT01234567.", "ISRCTN 12345678", "EudraCT number 2010-123456-12",
             "UMIN-CTR000012345", "CTRI/2018/05/013789", "jRCTs031180123", "ntr1234 NTR1234", "nct01234567"]
    for entry in rules.load("design.yml")["registrations"]:
        compiled, gate = regex.compile(entry["regex"]), RequiredLiterals(entry["regex"], ignore_case=False)
        assert gate.literals
        for text in texts:
            if compiled.search(text):
                assert gate.may_match(text), (entry["regex"], text)
        assert not gate.may_match("no registry named here")
