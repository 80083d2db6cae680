"""Comparing intervention/endpoint names: normalisation, the match rule, one-to-one greedy matching."""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterable, Sequence

import regex

from .. import rules

_PUNCT = regex.compile(r"[\p{P}\p{S}]+")

Tokens = frozenset[str]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words dropped before names are compared (`rules/stopwords.yml`, key `name_matching`)."""
    return frozenset(word.lower() for word in rules.load("stopwords.yml")["name_matching"])


def tokens(name: str) -> Tokens:
    """NFKC, lower-case, punctuation and symbols -> space, split on whitespace, stopwords dropped."""
    text = _PUNCT.sub(" ", unicodedata.normalize("NFKC", name).lower())
    return frozenset(text.split()) - stopwords()


def similarity(pred: Tokens, gold: Tokens) -> float | None:
    """Jaccard of two token sets when they match, else None.

    They match when equal, when one contains the other and the smaller has >= 2 tokens, or when
    Jaccard >= 0.5. Empty sets never match.
    """
    if not pred or not gold:
        return None
    jaccard = len(pred & gold) / len(pred | gold)
    if pred == gold or jaccard >= 0.5:
        return jaccard
    if (pred <= gold or gold <= pred) and min(len(pred), len(gold)) >= 2:
        return jaccard
    return None


def best_similarity(pred: str, gold_names: Iterable[str]) -> float | None:
    """The best similarity of `pred` to any of a gold item's names (name + aliases); None if none match."""
    pred_tokens = tokens(pred)
    scores = [s for s in (similarity(pred_tokens, tokens(g)) for g in gold_names) if s is not None]
    return max(scores, default=None)


def greedy_match(preds: Sequence[str], golds: Sequence[Sequence[str]]) -> list[tuple[int, int, float]]:
    """One-to-one matching: (pred index, gold index, similarity), best pairs first.

    `golds[j]` lists the names of gold item j (name first, then aliases). Ties go to the earlier gold
    item, then the earlier prediction; among equal scores a match on the gold name goes before a match
    on an alias, so an alias does not take the prediction that names the item itself.
    """
    pairs = []
    for i, pred in enumerate(preds):
        for j, names in enumerate(golds):
            score = best_similarity(pred, names)
            if score is not None:
                on_name = similarity(tokens(pred), tokens(names[0])) or 0.0
                pairs.append((-score, -on_name, j, i))
    pairs.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for neg, _, j, i in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j, -neg))
    return out
