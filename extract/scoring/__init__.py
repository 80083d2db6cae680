"""Scoring extraction results against the gold annotations (gold/README.md)."""
from .files import read_results, score_files
from .metrics import PRF, Accuracy, CountAccuracy
from .names import greedy_match, similarity, tokens
from .report import DocumentDetail, ResultsError, ScoreReport, score, score_records
from .table import render_table

__all__ = [
    "PRF", "Accuracy", "CountAccuracy", "DocumentDetail", "ResultsError", "ScoreReport", "greedy_match",
    "read_results", "render_table", "score", "score_files", "score_records", "similarity", "tokens",
]
