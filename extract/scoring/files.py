"""Score a results JSONL file against a gold directory."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import orjson
from pydantic import ValidationError

from ..gold import describe_validation_error, load_gold
from ..schema import Record
from .report import ResultsError, ScoreReport, score_records


def read_results(path: str | Path) -> Iterator[tuple[str, Record]]:
    """("<file>, line <k>", record) for every non-blank line; a malformed line raises ResultsError."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}, line {lineno}"
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ResultsError(f"{where}: invalid JSON: {exc}") from None
            if not isinstance(data, dict):
                raise ResultsError(f"{where}: expected a JSON object, got {type(data).__name__}")
            try:
                record = Record.model_validate(data)
            except ValidationError as exc:
                raise ResultsError(f"{where} (id {data.get('id')!r}): {describe_validation_error(exc)}") from None
            yield where, record


def score_files(results_path: str | Path, gold_dir: str | Path) -> ScoreReport:
    """Load gold (GoldError if malformed) and score the results file (ResultsError if malformed)."""
    return score_records(read_results(results_path), load_gold(gold_dir))
