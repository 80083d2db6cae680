"""The document ids a run has met, for flagging repeated ones, in memory that PubMed does not grow.

A canonical decimal id of at most 8 digits (a PMID) is one bit of a bytearray as long as the largest
such id needs: at most 12.5 MB for the whole PubMed baseline plus its update files (which repeat ids
on purpose), however many records go by. Any other id keeps an 8-byte
digest (blake2b) in a set. Both are exact up to digest collisions (about 1 in 40,000 for 30 million
non-numeric ids).
"""
from __future__ import annotations

import hashlib

MAX_DIGITS = 8


class SeenIds:
    def __init__(self):
        self._bits = bytearray()
        self._digests: set[bytes] = set()

    def add(self, doc_id: str) -> bool:
        """Record `doc_id`; True when it was met before."""
        if doc_id.isascii() and doc_id.isdigit() and (doc_id == "0" or doc_id[0] != "0") and len(doc_id) <= MAX_DIGITS:
            number = int(doc_id)
            byte, bit = divmod(number, 8)
            if byte >= len(self._bits):
                self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits) // 2)))
            seen = bool(self._bits[byte] >> bit & 1)
            self._bits[byte] |= 1 << bit
            return seen
        digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        if digest in self._digests:
            return True
        self._digests.add(digest)
        return False
