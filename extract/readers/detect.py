"""Tell the input format from a file's first bytes; the file name is only a tie-breaker."""
from __future__ import annotations

import re
import zlib

from .decode import GZIP_MAGIC, bom_encoding

PUBMED_XML, MEDLINE, JSONL, TEXT = "pubmed-xml", "medline", "jsonl", "text"

_XML_START = re.compile(r"<(?:\?xml|!DOCTYPE|!--|[A-Za-z_])")
_HTML_START = re.compile(r"<(?:!DOCTYPE\s+html|html|head|body|div|p|meta)\b", re.IGNORECASE)
_MEDLINE_TAG = re.compile(r"[A-Z][A-Z0-9]{1,3} {0,3}- ")
_MEDLINE_FIRST = re.compile(r"PMID- ?\d")
_NAME_HINTS = (
    ((".xml",), PUBMED_XML),
    ((".jsonl", ".ndjson"), JSONL),
    ((".medline", ".nbib"), MEDLINE),
)


def detect_format(head: bytes, name: str = "") -> str:
    """"pubmed-xml", "medline", "jsonl" or "text", judged by content first (gzip is looked into)."""
    name = name.lower()
    if head.startswith(GZIP_MAGIC):
        head = _gunzip_head(head)
        name = name.removesuffix(".gz")
    encoding = bom_encoding(head)
    text = head.decode(encoding, "ignore") if encoding else head.decode("utf-8", "replace")
    text = text.lstrip("\ufeff \t\r\n")
    lines = [line for line in text.splitlines()[:6] if line.strip()]
    if _XML_START.match(text) and not _HTML_START.match(text):
        return PUBMED_XML  # any XML: the XML reader refuses what is not PubMed XML
    if text.startswith("{"):
        return JSONL
    if lines and (_MEDLINE_FIRST.match(lines[0]) or
                  (len(lines) > 1 and all(_MEDLINE_TAG.match(line) for line in lines[:2]))):
        return MEDLINE
    for suffixes, fmt in _NAME_HINTS:  # no positive sign in the content: the name decides
        if name.endswith(suffixes):
            return fmt
    return TEXT


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head)
    except zlib.error:
        return b""
