"""Find and load the rule files (patterns and lexicons kept as data in `rules/`)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import srsly

_PACKAGED = Path(__file__).parent / "rules"          # inside an installed wheel
_CHECKOUT = Path(__file__).parent.parent / "rules"   # in a source checkout / editable install


def rules_dir() -> Path:
    """The directory holding the rule files."""
    for candidate in (_PACKAGED, _CHECKOUT):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rules directory not found (looked in {_PACKAGED} and {_CHECKOUT})")


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Load `rules/<name>` (.json, .jsonl, .yml/.yaml) as plain Python data."""
    path = rules_dir() / name
    if path.suffix == ".jsonl":
        return list(srsly.read_jsonl(path))
    if path.suffix in (".yml", ".yaml"):
        return srsly.read_yaml(path)
    if path.suffix == ".json":
        return srsly.read_json(path)
    raise ValueError(f"unsupported rule file type: {path.name}")
