"""MEDLINE text format (PubMed's "MEDLINE" export): `TAG - value` lines, continuation lines indented,
records separated by blank lines (a new PMID line also starts a record). One document per record."""
from __future__ import annotations

import re
from typing import BinaryIO, Iterator

from ..document import SourceDocument
from .decode import MAX_LINE_BYTES, iter_lines
from .fields import document, first_year, publication_types

_FIELD = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)")
_DOI = re.compile(r"(?<!\S)(\S+)\s+\[doi\]")


def read_medline(head: bytes, stream: BinaryIO, source: str, stem: str) -> Iterator[SourceDocument]:
    """Records in file order, streamed line by line."""
    fields: list[list[str]] = []
    start = 0
    for number, line in iter_lines(head, stream):
        if line is None:
            yield document(f"{stem}:{number}", source, error=f"line {number} longer than "
                                                             f"{MAX_LINE_BYTES // 2**20} MiB: skipped")
            continue
        if not line.strip():
            if fields:
                yield _record(fields, source, f"{stem}:{start}", start)
                fields = []
            continue
        match = None if line[:1].isspace() else _FIELD.fullmatch(line.rstrip())
        if match is None:  # continuation (normally indented by 6 spaces)
            if fields:
                fields[-1][1] = f"{fields[-1][1]} {line.strip()}".strip()
            else:
                fields, start = [["", line.strip()]], number
            continue
        tag, value = match.groups()
        if tag == "PMID" and any(t == "PMID" for t, _ in fields):
            yield _record(fields, source, f"{stem}:{start}", start)
            fields = []
        if not fields:
            start = number
        fields.append([tag, value.strip()])
    if fields:
        yield _record(fields, source, f"{stem}:{start}", start)


def _record(fields: list[list[str]], source: str, fallback_id: str, line: int) -> SourceDocument:
    values: dict[str, list[str]] = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(value)

    def first(*tags: str) -> str:
        return next((values[t][0] for t in tags if values.get(t)), "")

    pmid = first("PMID")
    title, abstract = first("TI", "BTI"), " ".join(values.get("AB", []))
    metadata: dict = {"publication_types": publication_types(values.get("PT", []))}
    if pmid:
        metadata["pmid"] = pmid
    journal = first("JT", "TA")
    if journal:
        metadata["journal"] = journal
    year = first_year(first("DP"))
    if year is not None:
        metadata["year"] = year
    doi = next((m.group(1) for v in values.get("AID", []) + values.get("LID", [])
                if (m := _DOI.fullmatch(v))), "")
    if doi:
        metadata["doi"] = doi
    problems = [] if pmid else [f"MEDLINE record at line {line} has no PMID"]
    if not title and not abstract:
        problems.append("missing abstract and title")
    return document(pmid or fallback_id, source, title, abstract, metadata, "; ".join(problems) or None)
