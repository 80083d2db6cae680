"""The input layer: files, directories or stdin in, `SourceDocument`s out (streamed).

Formats, told apart by content (`detect_format`): PubMed XML, MEDLINE text, JSON Lines and raw
text (web-page copy or title + abstract); any of them may be gzip-compressed. Nothing raises out of
`read_paths` for a bad file or record: it yields a document with a read error and goes on.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

from ..document import SourceDocument
from ..schema import ErrorInfo
from .decode import ReadError, check_not_binary, describe, open_input
from .detect import JSONL, MEDLINE, PUBMED_XML, TEXT, detect_format
from .fields import document
from .jsonl import read_jsonl
from .medline import read_medline
from .pubmed_xml import read_pubmed_xml
from .paths import iter_inputs
from .seen_ids import SeenIds
from .text import parse_text, read_text

__all__ = ["read_paths", "read_file", "parse_text", "detect_format", "SourceDocument"]

Reader = Callable[[bytes, object, str, str], Iterator[SourceDocument]]
READERS: dict[str, Reader] = {
    PUBMED_XML: read_pubmed_xml,
    MEDLINE: read_medline,
    JSONL: read_jsonl,
    TEXT: read_text,
}


def read_paths(paths: Iterable[Union[str, Path]]) -> Iterator[SourceDocument]:
    """Documents from files, directories (recursive, sorted) and "-" (stdin), in order.

    A document whose id an earlier document of the same call already had is kept (and extracted),
    with an error saying so: nothing is dropped, and the output's ids can be checked.
    """
    return _flag_duplicate_ids(_read_paths(paths))


def _read_paths(paths: Iterable[Union[str, Path]]) -> Iterator[SourceDocument]:
    for given in paths:
        for path, problem in iter_inputs(str(given)):
            if problem:
                yield document(stem_of(path), path, error=problem)
            else:
                yield from read_file(path)


def _flag_duplicate_ids(documents: Iterator[SourceDocument]) -> Iterator[SourceDocument]:
    """Documents as given; a repeated id gets a warning (see `SeenIds` for the memory it takes)."""
    seen = SeenIds()
    for doc in documents:
        if seen.add(doc.id):
            problem = ErrorInfo(stage="read", message=f"duplicate id {doc.id!r}: an earlier document of "
                                                      "this run has the same id (both records are kept)")
            (doc.errors if doc.errors else doc.warnings).append(problem)
        yield doc


def read_file(path: str) -> Iterator[SourceDocument]:
    """Documents of one file (or "-"); a failure yields an error document, never an exception."""
    stem, count = stem_of(path), 0
    try:
        with open_input(path) as (head, stream):
            if not head.strip():
                raise ReadError("empty file" if not head else "empty file (only whitespace)")
            check_not_binary(head)
            name = "" if path == "-" else os.path.basename(path)
            for doc in READERS[detect_format(head, name)](head, stream, path, stem):
                count += 1
                yield doc
    except ReadError as exc:
        yield document(stem, path, error=str(exc) + _after(count))
    except Exception as exc:  # noqa: BLE001 - reported in the stream, the run goes on
        yield document(stem, path, error=describe(exc) + _after(count))


def stem_of(path: str) -> str:
    """The id of a one-document file: its name without directory, ".gz" and last suffix."""
    if path == "-":
        return "stdin"
    name = os.path.basename(os.path.normpath(path))
    name = name[:-3] if name.lower().endswith(".gz") else name
    return os.path.splitext(name)[0] or name


def _after(count: int) -> str:
    return f" (after {count} document{'s' * (count != 1)} read)" if count else ""
