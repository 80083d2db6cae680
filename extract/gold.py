"""Gold annotations: one hand-written JSON file per document, `gold/<id>.json` (see gold/README.md)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .schema import (
    MAX_SAMPLE_SIZE, Comparator, DesignLabel, EndpointRole, InterventionKind, InterventionRole, Phase,
)

CORPUS_PREFIX = "corpus/"  # sources under the repository's seed corpus; others are under ../shared/corpora


class GoldError(ValueError):
    """A gold file that cannot be read or does not fit the gold schema."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


Count = Optional[int]
_count = dict(default=None, ge=0, le=MAX_SAMPLE_SIZE)


class GoldDesign(_Model):
    labels: list[DesignLabel] = Field(default_factory=list)
    phase: Optional[Phase] = None
    registrations: list[str] = Field(default_factory=list)


class GoldSampleSize(_Model):
    n: Count = Field(**_count)
    enrolled: Count = Field(**_count)
    randomized: Count = Field(**_count)
    analyzed: Count = Field(**_count)
    completed: Count = Field(**_count)


class GoldIntervention(_Model):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    kind: InterventionKind
    role: InterventionRole


class GoldEndpoint(_Model):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    role: EndpointRole


class GoldPValue(_Model):
    text: str
    comparator: Comparator
    value: float = Field(ge=0.0, le=1.0)


class GoldDocument(_Model):
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    design: GoldDesign = Field(default_factory=GoldDesign)
    sample_size: GoldSampleSize = Field(default_factory=GoldSampleSize)
    interventions: list[GoldIntervention] = Field(default_factory=list)
    endpoints: list[GoldEndpoint] = Field(default_factory=list)
    p_values: list[GoldPValue] = Field(default_factory=list)
    notes: str = ""

    @property
    def in_corpus(self) -> bool:
        """True when the text is one of the repository's seed files (`corpus/...`)."""
        return self.source.startswith(CORPUS_PREFIX)


def format_loc(loc: tuple) -> str:
    """A pydantic error location as a path: ("interventions", 0, "kind") -> "interventions[0].kind"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def describe_validation_error(error: ValidationError) -> str:
    """Every error of a pydantic ValidationError as "field <loc>: <message> (got <input>)", joined by "; "."""
    parts = []
    for item in error.errors(include_url=False):
        got = "" if item["type"] == "missing" else f" (got {item['input']!r:.80})"
        parts.append(f"field {format_loc(item['loc'])}: {item['msg']}{got}")
    return "; ".join(parts)


def read_gold_file(path: str | Path) -> GoldDocument:
    """Read and validate one gold file; the id must equal the file stem."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from None
    try:
        doc = GoldDocument.model_validate(data)
    except ValidationError as exc:
        raise GoldError(f"{path}: {describe_validation_error(exc)}") from None
    if doc.id != path.stem:
        raise GoldError(f"{path}: field id: {doc.id!r} does not match the file name {path.name!r}")
    return doc


def load_gold(directory: str | Path) -> dict[str, GoldDocument]:
    """Every `*.json` in `directory` (README.md and other files are ignored), keyed by id, sorted."""
    directory = Path(directory)
    if not directory.is_dir():
        raise GoldError(f"{directory}: gold directory not found")
    return {doc.id: doc for doc in map(read_gold_file, sorted(directory.glob("*.json")))}
