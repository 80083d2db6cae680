"""Bytes in: open a path or stdin (gzip transparently), peek at its head, decode text safely."""
from __future__ import annotations

import codecs
import gzip
import io
import sys
import zlib
from contextlib import contextmanager
from typing import BinaryIO, Iterator, Optional

GZIP_MAGIC = b"\x1f\x8b"
HEAD_SIZE = 64 * 1024
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ReadError(Exception):
    """A file or record that cannot be read; its message becomes the error record's message."""


class _Prefixed(io.RawIOBase):
    """`head` followed by the rest of `stream`: lets a non-seekable input be peeked at."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head, self._stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_input(path: str) -> Iterator[tuple[bytes, BinaryIO]]:
    """Yield (head, stream) for a path ('-' is stdin); gzip is detected by its magic bytes.

    `head` is up to HEAD_SIZE (decompressed) bytes; `stream` still starts at byte 0.
    """
    raw = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        magic = raw.read(2)
        stream: BinaryIO = io.BufferedReader(_Prefixed(magic, raw))
        if magic == GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=stream, mode="rb")
        head = _read_head(stream)
        yield head, io.BufferedReader(_Prefixed(head, stream))
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def _read_head(stream: BinaryIO) -> bytes:
    """Up to HEAD_SIZE bytes; a gzip stream may deliver them in several chunks."""
    chunks, size = [], 0
    while size < HEAD_SIZE:
        chunk = stream.read(HEAD_SIZE - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def bom_encoding(head: bytes) -> Optional[str]:
    """The codec a byte-order mark announces, or None."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def check_not_binary(head: bytes) -> None:
    """Refuse content with NUL bytes (unless a UTF-16/32 BOM explains them)."""
    if b"\x00" in head and bom_encoding(head) in (None, "utf-8-sig"):
        raise ReadError("binary file (contains NUL bytes), not text")


def decode_text(data: bytes, where: str = "") -> str:
    """BOM-aware decode (UTF-8 with BOM, UTF-16/32 LE/BE), else UTF-8, else cp1252."""
    encoding = bom_encoding(data)
    try:
        if encoding:
            return data.decode(encoding)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        tried = encoding or "UTF-8 or cp1252"
        raise ReadError(
            f"undecodable text{where}: not valid {tried} "
            f"(byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None


def iter_lines(head: bytes, stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number from 1, line without its end) for a line-oriented file, decoded line by line."""
    encoding = bom_encoding(head)
    if encoding:
        text = io.TextIOWrapper(stream, encoding=encoding, newline=None)
        for number, line in enumerate(text, 1):
            yield number, line.rstrip("\n")
        return
    for number, raw in enumerate(stream, 1):
        yield number, decode_text(raw, f" on line {number}").rstrip("\r\n")


def describe(exc: BaseException) -> str:
    """A one-line, user-facing reason for an exception met while reading a file."""
    if isinstance(exc, EOFError):
        return "truncated gzip file: the compressed data ends early"
    if isinstance(exc, (gzip.BadGzipFile, zlib.error)):
        return f"corrupt gzip data: {exc}"
    if isinstance(exc, UnicodeDecodeError):
        return f"undecodable text: not valid {exc.encoding} (byte offset {exc.start})"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return f"unexpected {type(exc).__name__}: {exc}"
