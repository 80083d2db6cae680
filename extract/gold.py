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


def locate(text: str, loc: tuple) -> int:
    """The line (from 1) of the JSON value at `loc` in `text`; for a missing key, of its parent."""
    decoder, pos = json.JSONDecoder(), _skip(text, 0)
    for part in loc:
        found = None
        if isinstance(part, str) and text.startswith("{", pos):
            item = _skip(text, pos + 1)
            while item < len(text) and text[item] != "}":
                key, item = decoder.raw_decode(text, item)
                value = _skip(text, _skip(text, item) + 1)  # past the ":"
                if key == part:
                    found = value
                    break
                item = _skip(text, _skip(text, decoder.raw_decode(text, value)[1]) + 1)  # past the ","
        elif isinstance(part, int) and text.startswith("[", pos):
            item, index = _skip(text, pos + 1), 0
            while item < len(text) and text[item] != "]":
                if index == part:
                    found = item
                    break
                item, index = _skip(text, _skip(text, decoder.raw_decode(text, item)[1]) + 1), index + 1
        if found is None:
            break
        pos = found
    return text.count("\n", 0, pos) + 1


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _describe_with_lines(error: ValidationError, text: str) -> str:
    """Like describe_validation_error, each field with the line it is on."""
    parts = []
    for item in error.errors(include_url=False):
        try:
            line = f"line {locate(text, item['loc'])}: "
        except (ValueError, IndexError):
            line = ""
        got = "" if item["type"] == "missing" else f" (got {item['input']!r:.80})"
        parts.append(f"{line}field {format_loc(item['loc'])}: {item['msg']}{got}")
    return "; ".join(parts)


def read_gold_file(path: str | Path) -> GoldDocument:
    """Read and validate one gold file; the id must equal the file stem. A malformed file raises
    GoldError naming the file, the line and the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from None
    try:
        doc = GoldDocument.model_validate(data)
    except ValidationError as exc:
        raise GoldError(f"{path}: {_describe_with_lines(exc, text)}") from None
    if doc.id != path.stem:
        raise GoldError(f"{path}: line {locate(text, ('id',))}: field id: {doc.id!r} does not match the "
                        f"file name {path.name!r}")
    return doc


def load_gold(directory: str | Path) -> dict[str, GoldDocument]:
    """Every `*.json` in `directory` (README.md and other files are ignored), keyed by id, sorted."""
    directory = Path(directory)
    if not directory.is_dir():
        raise GoldError(f"{directory}: gold directory not found")
    return {doc.id: doc for doc in map(read_gold_file, sorted(directory.glob("*.json")))}
