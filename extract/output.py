"""Writing records: one whole JSON line each, written and flushed in batches.

An output path ending in ".gz" is gzip-compressed (flushed with a sync flush after every batch, so a
killed run leaves a readable prefix); "-" is stdout. `prepare_resume` reads what an earlier,
possibly killed run left: the ids of its whole lines, and a file cut back to its last whole line.
"""
from __future__ import annotations

import gzip
import os
import sys
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import orjson

from .schema import Record

_CHUNK = 1 << 20


def dumps(record: Record) -> bytes:
    """One JSONL line (with its newline) for a record."""
    return orjson.dumps(record.model_dump(mode="json")) + b"\n"


def is_gzip_path(path: str) -> bool:
    return path != "-" and path.lower().endswith(".gz")


@contextmanager
def open_output(path: str, append: bool = False) -> Iterator[IO[bytes]]:
    """A binary stream for `path`; "-" is stdout; a ".gz" path is gzip (appended as a new member)."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    mode = "ab" if append else "wb"
    if is_gzip_path(path):
        with open(path, mode) as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
            yield handle
        return
    with open(path, mode) as handle:
        yield handle


def write_lines(stream: IO[bytes], lines: bytes) -> None:
    """Whole lines in one write, then flushed (a gzip stream with a sync flush)."""
    if lines:
        stream.write(lines)
        stream.flush()


def iter_output_lines(path: str) -> Iterator[bytes]:
    """The whole lines (with their newline) of an existing output; a trailing partial line, and for
    gzip whatever follows the readable compressed prefix, are not yielded."""
    chunks = _gzip_chunks(path) if is_gzip_path(path) else _plain_chunks(path)
    rest = b""
    for chunk in chunks:
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        if cut:
            yield from data[:cut].splitlines(keepends=True)
        rest = data[cut:]


def _plain_chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


def _gzip_chunks(path: str) -> Iterator[bytes]:
    """Decompressed data of every gzip member, up to the first damaged or truncated point."""
    with open(path, "rb") as handle:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while chunk := handle.read(_CHUNK):
            while chunk:
                try:
                    data = decoder.decompress(chunk)
                except zlib.error:
                    return
                if data:
                    yield data
                if not decoder.eof:
                    break
                chunk = decoder.unused_data  # the next member starts here
                decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        if not decoder.eof:  # a truncated last member: flush out what it has
            try:
                data = decoder.flush()
            except zlib.error:
                return
            if data:
                yield data


def record_id(line: bytes) -> str:
    """The `id` of one output line."""
    return str(orjson.loads(line)["id"])


def prepare_resume(path: str) -> Iterator[str]:
    """Ids of the records already in `path` (in order), after cutting the file back to its last
    whole line: a plain file is truncated in place, a gzip file rewritten from its readable prefix.
    Missing or empty file: nothing. The file is repaired before the first id is yielded."""
    if path == "-" or not os.path.exists(path) or os.path.getsize(path) == 0:
        return iter(())
    if is_gzip_path(path):
        _repair_gzip(path)
    else:
        _truncate_partial_line(path)
    return (record_id(line) for line in iter_output_lines(path))


def _truncate_partial_line(path: str) -> None:
    with open(path, "r+b") as handle:
        size = end = handle.seek(0, os.SEEK_END)
        while end > 0:
            start = max(0, end - _CHUNK)
            handle.seek(start)
            block = handle.read(end - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                end = start + newline + 1
                break
            end = start
        if end != size:
            handle.truncate(end)


def _repair_gzip(path: str) -> None:
    """Rewrite a gzip output that does not end cleanly (killed mid-member) from its whole lines."""
    with open(path, "rb") as handle:
        try:
            data_ok = _gzip_complete(handle)
        except (OSError, EOFError, zlib.error):
            data_ok = False
    if data_ok:
        return
    tmp = f"{path}.resume-tmp"
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for line in iter_output_lines(path):
            out.write(line)
    os.replace(tmp, path)


def _gzip_complete(handle: IO[bytes]) -> bool:
    """Whether every gzip member is complete and the data ends with a newline."""
    last = b""
    with gzip.GzipFile(fileobj=handle, mode="rb") as reader:
        while chunk := reader.read(_CHUNK):
            last = chunk
    return not last or last.endswith(b"\n")
