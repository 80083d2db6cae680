"""JSON Lines: one object per line with `id`, `title`, `abstract` (or `text`); other keys kept.

`pmid`, `journal`, `year` and `publication_types` are normalised to the metadata conventions;
a nested `metadata` object is merged. A bad line yields an error document and reading goes on.
"""
from __future__ import annotations

from typing import Any, BinaryIO, Iterator

import orjson

from ..document import SourceDocument
from .decode import MAX_LINE_BYTES, iter_lines
from .fields import document, first_year, publication_types
from .text import parse_text

_CONTENT = ("id", "title", "abstract", "text", "metadata")


def read_jsonl(head: bytes, stream: BinaryIO, source: str, stem: str) -> Iterator[SourceDocument]:
    """One document per non-blank line, in file order."""
    first = True
    for number, line in iter_lines(head, stream):
        where = f"{stem}:{number}"
        if line is None:
            yield document(where, source, error=f"line {number} longer than {MAX_LINE_BYTES // 2**20} MiB: "
                                                "skipped, not a document")
            continue
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            hint = ""
            if first and line.strip() in ("{", "["):
                hint = " (the file looks like one pretty-printed JSON document, not JSON Lines)"
            yield document(where, source, error=f"invalid JSON on line {number}: {exc}{hint}")
            if hint:
                return
            continue
        finally:
            first = False
        if not isinstance(obj, dict):
            yield document(where, source, error=f"line {number}: expected a JSON object, "
                                                f"got {type(obj).__name__}")
            continue
        yield _document(obj, number, source, where)


def _document(obj: dict, number: int, source: str, where: str) -> SourceDocument:
    problems = []
    raw_id = obj.get("id")
    doc_id = str(raw_id).strip() if raw_id is not None and not isinstance(raw_id, (dict, list)) else ""
    if not doc_id:
        problems.append(f"line {number}: no 'id'")
    strings = {}
    for name in ("title", "abstract", "text"):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"line {number}: {name!r} must be a string, not {type(value).__name__}")
            value = None
        strings[name] = value or ""
    title, abstract = strings["title"], strings["abstract"]
    metadata = _metadata(obj)
    if not abstract and strings["text"]:
        parsed_title, abstract, found = parse_text(strings["text"])
        title = title or parsed_title
        metadata["publication_types"] = publication_types(
            metadata["publication_types"] + found["publication_types"])
    if not title.strip() and not abstract.strip():
        problems.append(f"line {number}: missing abstract and title")
    return document(doc_id or where, source, title, abstract, metadata, "; ".join(problems) or None)


def _metadata(obj: dict) -> dict:
    nested = obj.get("metadata")
    merged: dict[str, Any] = {**(nested if isinstance(nested, dict) else {}),
                              **{k: v for k, v in obj.items() if k not in _CONTENT}}
    types = merged.get("publication_types") or []
    merged["publication_types"] = publication_types(types if isinstance(types, (list, tuple)) else [types])
    if merged.get("pmid") is not None:
        merged["pmid"] = str(merged["pmid"]).strip()
    if merged.get("journal") is not None:
        merged["journal"] = str(merged["journal"]).strip()
    if merged.get("year") is not None:
        year = first_year(merged["year"])
        if year is None:
            merged["raw_year"] = merged.pop("year")
        else:
            merged["year"] = year
    return merged
