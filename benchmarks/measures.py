"""The measurements: each takes documents and the pipeline's records and returns plain figures."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from extract.numbers import parse_int
from extract.scoring.metrics import PRF
from extract.scoring.names import best_similarity

from .ebm_nlp import TokenDoc



def span_number(words: list[str]) -> Optional[int]:
    """The count a sample-size span states: its first number, in digits or words ("Twenty-six")."""
    for k in range(len(words)):
        for j in range(min(len(words), k + 5), k, -1):  # number words can span tokens
            value = parse_int(" ".join(words[k:j]))
            if value is not None:
                return value
    return None


@dataclass
class SampleSizeResult:
    documents: int = 0
    answered: int = 0
    strict: int = 0       # n equals the number of the first 3_p span
    lenient: int = 0      # n equals any 3_p number, or their sum
    failures: list = field(default_factory=list)    # (pmid, gold n, our n)
    details: list = field(default_factory=list)     # one dict per failure (for reading dev failures)
    categories: Counter = field(default_factory=Counter)  # failure_category() of each failure


# Failure categories, decided from numbers alone (no text is read): what kind of number we answered.
NO_ANSWER = "no answer"
OTHER_3P = "answered another `3_p` number"
SUM_3P = "answered the sum of the `3_p` numbers"
ELSEWHERE_SMALLER = "answered a smaller number stated elsewhere in the text"
ELSEWHERE_LARGER = "answered a larger number stated elsewhere in the text"
ABSENT = "answered a number absent from the text (a sum or product we built)"
CATEGORIES = (NO_ANSWER, OTHER_3P, SUM_3P, ELSEWHERE_SMALLER, ELSEWHERE_LARGER, ABSENT)

_TEXT_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+|[A-Za-z]+(?:[-\u2010 ][A-Za-z]+){0,4}")


def text_numbers(words: list[str]) -> set[int]:
    """Every count the words state, in digits ("1,234", also split as "1 234") or number words."""
    out: set[int] = set()
    for k in range(len(words)):
        for j in range(min(len(words), k + 5), k, -1):
            value = parse_int(" ".join(words[k:j]))
            if value is not None:
                out.add(value)
                break
        if k + 1 < len(words) and words[k].isdigit() and len(words[k + 1]) == 3 and words[k + 1].isdigit():
            out.add(int(words[k] + words[k + 1]))  # "1 234"
    return out


def failure_category(doc: TokenDoc, numbers: list[int], n: Optional[int]) -> str:
    """Classify a sample-size miss without reading it: what the answered number is."""
    if n is None:
        return NO_ANSWER
    if n in numbers:
        return OTHER_3P
    if len(numbers) > 1 and n == sum(dict.fromkeys(numbers)):
        return SUM_3P
    if n in text_numbers(doc.words):
        return ELSEWHERE_SMALLER if n < numbers[0] else ELSEWHERE_LARGER
    return ABSENT


def sample_size(docs: Iterable[TokenDoc], records: dict) -> SampleSizeResult:
    """EBM-NLP `3_p` gold: is `n` the number the gold span states?

    Rule: the gold n is the first number of the document's first `3_p` span ("120 patients (60 per
    group)" → 120); the lenient count also accepts any other `3_p` number or the sum of all of them.
    Each failure is classified by `failure_category`.
    """
    out = SampleSizeResult()
    for doc in docs:
        runs = doc.runs("3_p")
        spans = [(s, e, n) for s, e in runs if (n := span_number(doc.words[s:e])) is not None]
        numbers = [n for _, _, n in spans]
        if not numbers:
            continue
        out.documents += 1
        record = records[doc.pmid]
        n = record.sample_size.n
        if n is not None:
            out.answered += 1
            out.strict += n == numbers[0]
            out.lenient += n in numbers or n == sum(dict.fromkeys(numbers))
        if n != numbers[0]:
            category = failure_category(doc, numbers, n)
            out.categories[category] += 1
            out.failures.append((doc.pmid, numbers[0], n))
            offsets, shift = doc.offsets(), max(record.text.find(doc.text), 0)
            out.details.append({
                "pmid": doc.pmid, "gold": numbers, "n": n, "category": category,
                "gold_spans": [(offsets[s][0] + shift, offsets[e - 1][1] + shift) for s, e, _ in spans],
                "evidence": [(e.start, e.end, e.text) for e in record.sample_size.evidence],
                "text": record.text,
            })
    return out


def _occurrences(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Every case-insensitive occurrence of each name in the text."""
    lower, out = text.lower(), []
    for name in {n.lower() for n in names if n.strip()}:
        start = lower.find(name)
        while start >= 0:
            out.append((start, start + len(name)))
            start = lower.find(name, start + 1)
    return out


def predicted_tokens(doc: TokenDoc, names: Iterable[str]) -> set[int]:
    """The indices of the words that some occurrence of one of the names touches."""
    spans = _occurrences(doc.text, names)
    return {i for i, (s, e) in enumerate(doc.offsets()) if any(s < b and a < e for a, b in spans)}


def token_f1(docs: Iterable[TokenDoc], records: dict, label: str, field_name: str) -> PRF:
    """Token-level P/R/F1 of a record field's names, projected onto every occurrence in the text."""
    counts = PRF()
    for doc in docs:
        record = records[doc.pmid]
        predicted = predicted_tokens(doc, [item.name for item in getattr(record, field_name, [])])
        gold = {i for i, tag in enumerate(doc.labels) if tag == label}
        tp = len(predicted & gold)
        counts.add(tp, len(predicted) - tp, len(gold) - tp)
    return counts


def prompt_recall(prompts: list[dict], records: dict) -> dict[str, PRF]:
    """Evidence Inference: share of prompts whose intervention, comparator and outcome are matched by
    an extracted intervention or endpoint under the scorer's matching rule."""
    out = {"intervention": PRF(), "comparator": PRF(), "outcome": PRF()}
    for prompt in prompts:
        record = records.get(prompt["PMCID"])
        if record is None:
            continue
        for part, pool in (("intervention", record.interventions), ("comparator", record.interventions),
                           ("outcome", record.endpoints)):
            gold = prompt[part.capitalize()].strip()
            if gold:
                hit = any(best_similarity(item.name, [gold]) is not None for item in pool)
                out[part].add(int(hit), 1 - hit, 1 - hit)
    return out


_P_IN_EVIDENCE = re.compile(r"\b[Pp]\s*(?:value)?\s*([<>=≤≥]|&lt;|&gt;)\s*(0?\.\d+|1\.0+|0)\b")
_COMPARATORS = {"≤": "<=", "≥": ">=", "&lt;": "<", "&gt;": ">"}


def evidence_p_values(evidence: list[tuple[str, str]], records: dict) -> tuple[PRF, list]:
    """Each p-value in a verbatim evidence string must come out of the abstract, with the right
    comparator and value, inside that string's place in the text. The gold parse is a deliberately
    plain pattern, independent of the pipeline's rules."""
    counts, misses = PRF(), []
    for pmcid, string in evidence:
        record = records.get(pmcid)
        if record is None or string not in record.text:
            continue
        start = record.text.index(string)
        end = start + len(string)
        found = Counter((p.comparator, round(p.value, 12)) for p in record.p_values
                        if start <= p.span.start and p.span.end <= end)
        for m in _P_IN_EVIDENCE.finditer(string):
            key = (_COMPARATORS.get(m.group(1), m.group(1)), round(float(m.group(2)), 12))
            hit = found[key] > 0
            counts.add(int(hit), 1 - hit, 1 - hit)
            if found[key] > 0:
                found[key] -= 1
            else:
                misses.append((pmcid, m.group(0)))
    return counts, misses


def p_value_distribution(values: Iterable[float]) -> dict[str, float]:
    """Shares of p-values in the bins the swfdr comparison uses."""
    values = list(values)
    total = len(values) or 1
    bins = {
        "= 0.05": sum(v == 0.05 for v in values),
        "≤ 0.001": sum(v <= 0.001 for v in values),
        "(0.001, 0.01]": sum(0.001 < v <= 0.01 for v in values),
        "(0.01, 0.05)": sum(0.01 < v < 0.05 for v in values),
        "> 0.05": sum(v > 0.05 for v in values),
    }
    return {k: v / total for k, v in bins.items()} | {"count": len(values)}
