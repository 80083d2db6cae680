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
MAX_LINE_BYTES = 8 * 1024 * 1024  # one JSONL / MEDLINE line; a longer one is skipped with an error
# File signatures of binary formats that may be given by mistake (some have no NUL in their head).
_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "a bzip2 archive (not supported; use gzip)"),
    (b"\xfd7zXZ\x00", "an xz archive (not supported; use gzip)"),
    (b"(\xb5/\xfd", "a zstd archive (not supported; use gzip)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)
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
    """Refuse a known binary format (PDF, images, archives...) and content with NUL bytes (unless a
    UTF-16/32 BOM explains them)."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            raise ReadError(f"binary file ({kind}), not text")
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


def iter_lines(head: bytes, stream: BinaryIO) -> Iterator[tuple[int, Optional[str]]]:
    """(line number from 1, line without its end) for a line-oriented file, decoded line by line.

    A line longer than MAX_LINE_BYTES is not kept in memory: it is skipped and yielded as None.
    """
    encoding = bom_encoding(head)
    source = io.TextIOWrapper(stream, encoding=encoding, newline=None) if encoding else stream
    newline = "\n" if encoding else b"\n"
    number = 0
    while True:
        line = source.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(newline):
            while line and not line.endswith(newline):  # drain the rest of the long line
                line = source.readline(MAX_LINE_BYTES)
            yield number, None
        elif encoding:
            yield number, line.rstrip("\n")
        else:
            yield number, decode_text(line, f" on line {number}").rstrip("\r\n")


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
