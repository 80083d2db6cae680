"""Writing records: one whole JSON line each, flushed in batches."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import orjson

from .schema import Record


def dumps(record: Record) -> bytes:
    """One JSONL line (with its newline) for a record."""
    return orjson.dumps(record.model_dump(mode="json")) + b"\n"


@contextmanager
def open_output(path: str) -> Iterator[IO[bytes]]:
    """A binary stream for `path`; "-" is stdout."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        yield handle
