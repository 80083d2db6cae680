"""Reading numbers as abstracts write them: counts in digits or words, decimals, scientific forms.

The lexicon and the notation characters are data (`rules/number_words.yml`); this module turns them
into regular-expression sources (to embed in the component patterns) and parsers:

- `INTEGER`: a count, in digits ("31", "1,234") or words ("Thirty-one", "one hundred and five").
- `WORD_NUMBER`: the number-words part of `INTEGER` alone.
- `INTEGER_START`: matches at every position where an `INTEGER` match can start (and more): a cheap scout.
- `NUMBER_WORDS`: the words a number in words begins with (units, teens, tens).
- `WORD_NUMBER_START`: matches exactly where `WORD_NUMBER` matches (a number word as a whole word),
  a far smaller pattern for lookarounds that only ask whether a number in words starts there.
- `VALUE`: a non-negative real as p-values are written: "0.004", ".001", "0·05" (Lancet), "0,03",
  "2 × 10−4", "2x10^-4", "2·10−4", "2 × 10(-4)", "1.2e-5", "10⁻⁴".
- `parse_int(text)`, `words_to_int(text)`, `parse_value(text)`: the value of a matched string, or
  None.

All patterns use bounded quantifiers only, so they cannot backtrack catastrophically.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional

import regex

from . import rules

RULES_FILE = "number_words.yml"


def _alt(words) -> str:
    """An alternation of literal words, longest first (so "seventeen" wins over "seven")."""
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def _cls(chars: str) -> str:
    """A character class holding `chars` literally."""
    return "[" + "".join(regex.escape(c) for c in chars) + "]"


class _Numbers:
    """The patterns and lookup tables built from the rules file (built once, see `_numbers`)."""

    def __init__(self, rules_file: str = RULES_FILE):
        data = rules.load(rules_file)
        self.units: dict[str, int] = {k.lower(): int(v) for k, v in data["units"].items()}
        self.teens: dict[str, int] = {k.lower(): int(v) for k, v in data["teens"].items()}
        self.tens: dict[str, int] = {k.lower(): int(v) for k, v in data["tens"].items()}
        self.hundred: str = data["hundred"].lower()
        self.thousand: str = data["thousand"].lower()
        self.word_values = {**self.units, **self.teens, **self.tens}
        hyph = _cls(data["word_hyphens"])
        self.hyphens = data["word_hyphens"]

        unit = _alt(self.units)
        small = _alt(list(self.units) + list(self.teens))
        tens = _alt(self.tens)
        # 1..99: "thirty-one", "thirty one", "twelve", "five"
        t = rf"(?:(?:{tens})(?:(?:{hyph}|\s)(?:{unit})\b)?|(?:{small}))"
        h = rf"(?:{t}\s+{self.hundred}(?:\s+(?:and\s+)?{t}\b)?)"
        th = rf"(?:(?:{h}|{t})\s+{self.thousand}(?:,?\s+(?:and\s+)?(?:{h}|{t})\b)?)"
        self.word_number = rf"(?i:\b(?:{th}|{h}|{t})\b)"
        self.digits = r"(?:\d{1,3}(?:,\d{3}){1,3}(?![\d,]*\d)|\d{1,9}(?!\d))"
        self.integer = rf"(?:{self.digits}|{self.word_number})"
        # Matches wherever an `integer` match can start: a digit, or a word its number words begin with.
        self.integer_start = rf"\d|(?i:\b(?:{tens}|{small}))"
        self.number_words = tuple(self.units) + tuple(self.teens) + tuple(self.tens)
        # Where `word_number` matches: its every match begins with a tens or small word w at a
        # boundary, and w ends at a boundary (the match ends there, or goes on with a hyphen or a
        # blank, not word characters); conversely `t` matches w alone there.
        self.word_number_start = rf"(?i:\b(?:{tens}|{small})\b)"

        minus = _cls(data["minus_signs"])
        times = _cls(data["times_signs"])
        dec = _cls(data["decimal_marks"])
        sup_digits = data["superscript_digits"]
        sup_minus = _cls(data["superscript_minus"])
        self.sup_map = {c: str(i) for i, c in enumerate(sup_digits)}
        self.minus_chars = data["minus_signs"]
        self.decimal_chars = data["decimal_marks"]
        sup = _cls(sup_digits)
        # The power of ten: "10−4", "10^-4", "10 -4", "10(-4)", "10^(-4)", "10⁻⁴"
        power = (
            rf"10\s{{0,2}}(?:\^|\*\*)?\s{{0,2}}"
            rf"(?:\(\s{{0,2}}(?P<exp>{minus}\s{{0,2}}\d{{1,3}})\s{{0,2}}\)"
            rf"|(?P<exp>{minus}\s{{0,1}}\d{{1,3}})"
            rf"|(?P<sexp>{sup_minus}{sup}{{1,3}}))"
        )
        mantissa = rf"(?P<mant>[1-9]\d{{0,2}}(?:{dec}\d{{1,8}})?)"
        self.scientific = rf"(?:{mantissa}\s{{0,2}}{times}\s{{0,2}}{power})"
        self.bare_power = rf"(?:{power})"
        self.e_notation = (
            rf"(?:(?P<emant>\d{{1,3}}(?:\.\d{{1,8}})?)\s?[eE]\s?"
            rf"(?P<eexp>{minus}?\s?\d{{1,3}})(?![\w]))"
        )
        # "0.05", ".05", "0·05", "0,05"; "0. 048" (a tokenizer-split decimal in PubTator text)
        self.decimal = (
            rf"(?:\d{{0,3}}{dec}\d{{1,12}}|0,\d{{1,12}}|0\.[ ]\d{{1,12}}|\d{{1,3}})"
            rf"(?![.,\u00b7]?\d)"
        )
        self.value = (
            rf"(?:{self.scientific}|{self.e_notation}|{self.bare_power}|{self.decimal})"
        )
        self._sci = regex.compile(self.scientific + r"\Z")
        self._power = regex.compile(self.bare_power + r"\Z")
        self._e = regex.compile(self.e_notation + r"\Z")
        self._decimal = regex.compile(self.decimal + r"\Z")
        self._digits = regex.compile(self.digits + r"\Z")
        self._words = regex.compile(self.word_number + r"\Z")
        self._split = regex.compile(rf"[\s{regex.escape(self.hyphens)},]+")

    # -- parsers -------------------------------------------------------------------------------
    def exponent(self, exp: Optional[str], sexp: Optional[str]) -> Optional[int]:
        if sexp:
            return -int("".join(self.sup_map[c] for c in sexp[1:]))
        if exp is None:
            return None
        s = "".join("-" if c in self.minus_chars else c for c in exp if not c.isspace())
        s = s.replace("(", "").replace(")", "")
        try:
            return int(s)
        except ValueError:
            return None

    def words_to_int(self, text: str) -> Optional[int]:
        if not self._words.match(text.strip()):
            return None
        total, current = 0, 0
        for word in self._split.split(text.strip().lower()):
            if not word or word == "and":
                continue
            if word in self.word_values:
                current += self.word_values[word]
            elif word == self.hundred:
                current = max(current, 1) * 100
            elif word == self.thousand:
                total += max(current, 1) * 1000
                current = 0
            else:
                return None
        return total + current

    def parse_int(self, text: str) -> Optional[int]:
        s = text.strip()
        if self._digits.match(s):
            return int(s.replace(",", ""))
        return self.words_to_int(s)

    def parse_value(self, text: str) -> Optional[float]:
        s = text.strip()
        m = self._sci.match(s)
        if m:
            mant = float(self._decimal_str(m.group("mant")))
            exp = self.exponent(m.group("exp"), m.group("sexp"))
            return None if exp is None else _scaled(mant, exp)
        m = self._e.match(s)
        if m:
            exp = self.exponent(m.group("eexp"), None)
            return None if exp is None else _scaled(float(m.group("emant")), exp)
        m = self._power.match(s)
        if m:
            exp = self.exponent(m.group("exp"), m.group("sexp"))
            return None if exp is None else _scaled(1.0, exp)
        if self._decimal.match(s):
            return float(self._decimal_str(s))
        return None

    def _decimal_str(self, s: str) -> str:
        s = s.replace(" ", "")
        for c in self.decimal_chars:
            s = s.replace(c, ".")
        if s.startswith("0,"):
            s = "0." + s[2:]
        return s


def _scaled(mantissa: float, exponent: int) -> float:
    """mantissa × 10**exponent, rounded to the precision written (so 2 × 10−4 is exactly 0.0002)."""
    value = mantissa * math.pow(10, exponent)
    return float(f"{value:.12g}")


@lru_cache(maxsize=None)
def _numbers(rules_file: str = RULES_FILE) -> _Numbers:
    return _Numbers(rules_file)


def patterns(rules_file: str = RULES_FILE) -> _Numbers:
    """The compiled number patterns (regex sources as attributes: integer, word_number, value)."""
    return _numbers(rules_file)


_N = _numbers()
INTEGER: str = _N.integer
INTEGER_START: str = _N.integer_start
NUMBER_WORDS: tuple = _N.number_words
WORD_NUMBER_START: str = _N.word_number_start
DIGITS: str = _N.digits
WORD_NUMBER: str = _N.word_number
VALUE: str = _N.value


def words_to_int(text: str) -> Optional[int]:
    """"Thirty-one" → 31, "one hundred and thirty-five" → 135; None when `text` is not one."""
    return _N.words_to_int(text)


def parse_int(text: str) -> Optional[int]:
    """A count written in digits ("1,234") or words ("Forty-four"); None otherwise."""
    return _N.parse_int(text)


def parse_value(text: str) -> Optional[float]:
    """A p-value-style number: "0.004", ".001", "0·05", "2 × 10−4", "2x10^-4", "1.2e-5", "10⁻⁴"."""
    return _N.parse_value(text)
