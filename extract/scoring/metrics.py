"""Counters for the metrics in a score report: micro precision/recall/F1 and accuracy.

A ratio with a zero denominator is None (nothing to measure), never 0 or 1.
"""
from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, computed_field


def ratio(num: int, den: int) -> Optional[float]:
    return num / den if den else None


class PRF(BaseModel):
    """Micro-averaged: tp, fp and fn summed over documents."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @computed_field
    @property
    def precision(self) -> Optional[float]:
        return ratio(self.tp, self.tp + self.fp)

    @computed_field
    @property
    def recall(self) -> Optional[float]:
        return ratio(self.tp, self.tp + self.fn)

    @computed_field
    @property
    def f1(self) -> Optional[float]:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


class Accuracy(BaseModel):
    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.correct += bool(ok)
        self.total += 1

    @computed_field
    @property
    def accuracy(self) -> Optional[float]:
        return ratio(self.correct, self.total)


class CountAccuracy(Accuracy):
    """Accuracy over gold documents, plus how often a number was given and how often that was right."""

    answered: int = 0
    answered_correct: int = 0

    def add_answer(self, predicted: Optional[int], gold: Optional[int]) -> None:
        self.add(predicted == gold)
        if predicted is not None:
            self.answered += 1
            self.answered_correct += predicted == gold

    @computed_field
    @property
    def correct_of_answered(self) -> Optional[float]:
        return ratio(self.answered_correct, self.answered)
