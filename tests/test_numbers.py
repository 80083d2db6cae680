"""extract.numbers: counts in digits and words, p-value notation (decimals, scientific forms)."""
from __future__ import annotations

import math

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import numbers
from extract.numbers import parse_int, parse_value, words_to_int

INTEGER = regex.compile(numbers.INTEGER)
VALUE = regex.compile(numbers.VALUE)


@pytest.mark.parametrize("text, expected", [
    ("Thirty-one", 31),                     # seed 000
    ("Five", 5),                            # seed 004
    ("One hundred and thirty-five", 135),   # CDR 12452237
    ("One hundred and fifty-two", 152),     # PMC5842771
    ("Forty-four", 44),                     # PMC5707237
    ("Fifty-four", 54),                     # PMC4166055
    ("Seventy", 70),
    ("twelve", 12),
    ("eleven", 11),
    ("ninety nine", 99),
    ("One hundred six", 106),               # EBM-NLP dev 16595217 ("One hundred six couples")
    ("two thousand four hundred", 2400),
    ("thirty\u2010one", 31),                # Unicode hyphen
    ("31", 31),
    ("1,504", 1504),                        # EBM-NLP dev 8852235
    ("41,904", 41904),
    ("0", 0),
])
def test_parse_int(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["", "patients", "thirty-one-two", "1,50", "1.5", "one two", "hundred"])
def test_parse_int_rejects(text):
    assert parse_int(text) is None


def test_words_to_int_only_words():
    assert words_to_int("Sixty") == 60
    assert words_to_int("60") is None


@pytest.mark.parametrize("text, found", [
    ("Thirty-one participants were enrolled", ["Thirty-one"]),
    ("between one and two doses", ["one", "two"]),          # "and" joins only after hundred
    ("One hundred and thirty-five patients", ["One hundred and thirty-five"]),
    ("received 1,500 IU HCG", ["1,500"]),
    ("Seventeen", ["Seventeen"]),                           # not "Seven" + "teen"
])
def test_integer_pattern(text, found):
    assert [m.group() for m in INTEGER.finditer(text)] == found


@pytest.mark.parametrize("text, expected", [
    ("0.200", 0.2),
    (".001", 0.001),
    ("0·05", 0.05),             # Lancet middle dot
    ("0,03", 0.03),             # decimal comma
    ("0. 048", 0.048),          # tokenizer-split decimal (CDR 10835440 "P=0. 048")
    ("1", 1.0),
    ("0.10", 0.1),
    ("2 × 10−4", 0.0002),       # Unicode minus
    ("2x10^-4", 0.0002),
    ("2·10−4", 0.0002),
    ("2 × 10(-4)", 0.0002),
    ("2 × 10^(-4)", 0.0002),
    ("4.93 × 10−7", 4.93e-7),   # EI train PMC5228186
    ("5×10−8", 5e-8),           # EI train PMC4330076
    ("3.2 × 10 −5", 3.2e-5),
    ("1.2e-5", 1.2e-5),
    ("1.2E−05", 1.2e-5),
    ("10⁻⁴", 1e-4),
    ("2 × 10⁻⁴", 2e-4),
    ("10^-6", 1e-6),
])
def test_parse_value(text, expected):
    assert VALUE.fullmatch(text), text
    assert parse_value(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["", "NS", "abc", "0.05%x", "1,234"])
def test_parse_value_rejects(text):
    assert parse_value(text) is None


def test_value_pattern_prefers_decimal_for_lancet_ranges():
    # "0·10–0·20" is a range of two Lancet decimals, not 0 × 10^-0
    assert VALUE.match("0·10–0·20").group() == "0·10"
    assert VALUE.match("0.05, 0.01").group() == "0.05"


# -- properties --------------------------------------------------------------------------------
_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _words(n: int) -> str:
    """English words for 1 <= n <= 9999, the way abstracts write them."""
    parts = []
    if n >= 1000:
        parts.append(_words(n // 1000) + " thousand")
        n %= 1000
    if n >= 100:
        parts.append(_UNITS[n // 100] + " hundred")
        n %= 100
        if n:
            parts.append("and")
    if n >= 20:
        parts.append(_TENS[n // 10] + ("-" + _UNITS[n % 10] if n % 10 else ""))
    elif n >= 10:
        parts.append(_TEENS[n - 10])
    elif n:
        parts.append(_UNITS[n])
    return " ".join(parts)


@given(st.integers(min_value=1, max_value=9999), st.booleans())
def test_words_round_trip(n, capitalise):
    text = _words(n)
    text = text[0].upper() + text[1:] if capitalise else text
    assert parse_int(text) == n
    assert INTEGER.fullmatch(text)


@given(st.integers(min_value=0, max_value=99_999_999))
def test_digits_with_thousands_separators_round_trip(n):
    assert parse_int(f"{n:,}") == n
    assert parse_int(str(n)) == n


@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=1, max_value=6),
       st.sampled_from([".", "·"]), st.booleans())
def test_decimals_round_trip(digits, places, mark, leading_zero):
    value = digits % (10 ** places)
    text = ("0" if leading_zero else "") + mark + str(value).zfill(places)
    assert parse_value(text) == pytest.approx(value / 10 ** places, abs=1e-15)


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=0, max_value=99),
       st.integers(min_value=1, max_value=12),
       st.sampled_from(["×", "x", "·", "*"]), st.sampled_from(["−", "-", "–"]),
       st.sampled_from(["{m} {t} 10{s}{e}", "{m}{t}10{s}{e}", "{m} {t} 10^{s}{e}", "{m} {t} 10({s}{e})"]))
@settings(max_examples=200)
def test_scientific_round_trip(units, hundredths, exponent, times, minus, template):
    mantissa = f"{units}.{hundredths:02d}"
    text = template.format(m=mantissa, t=times, s=minus, e=exponent)
    assert math.isclose(parse_value(text), float(mantissa) * 10 ** -exponent, rel_tol=1e-9)


_WORD_PIECES = (_UNITS[1:] + _TEENS + _TENS[2:] + ["fourty", "hundred", "thousand", "and", "a", "x", "1", "",
                                                   "seventyfive", "ſix", "Ten", "TWENTY"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORD_PIECES),
                          st.sampled_from([" ", "  ", "-", "\u2010", "\u2013", ",", "", "\n", ".", "_"])),
                max_size=6))
def test_word_number_start_matches_where_word_number_does(pieces):
    """WORD_NUMBER_START matches at exactly the positions where WORD_NUMBER matches."""
    text = "".join(w + sep for w, sep in pieces)
    whole, start = regex.compile(numbers.WORD_NUMBER), regex.compile(numbers.WORD_NUMBER_START)
    for i in range(len(text) + 1):
        assert bool(whole.match(text, i)) == bool(start.match(text, i)), (text, i)
