"""PubTator files (BC5CDR, NCBI disease): `PMID|t|title`, `PMID|a|abstract`, then tab-separated
mention lines `PMID start end text type id...` (offsets index `title + " " + abstract`) and, in
BC5CDR, relation lines `PMID relation id1 id2`. Documents are separated by blank lines."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from ..document import SourceDocument


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    type: str
    ids: tuple[str, ...] = ()  # concept id(s) and, for composite mentions, the parts' texts


@dataclass
class PubTatorDocument:
    pmid: str
    title: str = ""
    abstract: str = ""
    mentions: list[Mention] = field(default_factory=list)
    relations: list[tuple[str, ...]] = field(default_factory=list)  # (type, id1, id2, ...)

    @property
    def text(self) -> str:
        """The text mention offsets index."""
        return f"{self.title} {self.abstract}"

    def to_source_document(self, source: str) -> SourceDocument:
        return SourceDocument(id=self.pmid, source=source, title=self.title, abstract=self.abstract,
                              metadata={"pmid": self.pmid})


def iter_pubtator(path: str | Path) -> Iterator[PubTatorDocument]:
    """The documents of a PubTator file, in order; a malformed line raises ValueError naming file and line."""
    path = Path(path)
    doc: Optional[PubTatorDocument] = None
    with path.open(encoding="utf-8") as handle:
        for lineno, raw in enumerate(handle, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            pmid, kind, rest = _split(line)
            if doc is not None and pmid != doc.pmid:
                yield doc
                doc = None
            if doc is None:
                doc = PubTatorDocument(pmid=pmid)
            try:
                _add(doc, kind, rest)
            except ValueError as exc:
                raise ValueError(f"{path}, line {lineno}: {exc}: {line[:120]!r}") from None
    if doc is not None:
        yield doc


def _split(line: str) -> tuple[str, str, str]:
    """(pmid, "t" | "a" | "tab", rest of the line)."""
    bar, tab = line.find("|"), line.find("\t")
    if bar != -1 and (tab == -1 or bar < tab) and line[bar + 2: bar + 3] == "|":
        return line[:bar], line[bar + 1], line[bar + 3:]
    if tab != -1:
        return line[:tab], "tab", line[tab + 1:]
    return line, "?", ""


def _add(doc: PubTatorDocument, kind: str, rest: str) -> None:
    if kind == "t":
        doc.title = rest
    elif kind == "a":
        doc.abstract = rest
    elif kind == "tab":
        cols = rest.split("\t")
        if len(cols) >= 4 and cols[0].isdigit() and cols[1].isdigit():
            doc.mentions.append(Mention(int(cols[0]), int(cols[1]), cols[2], cols[3], tuple(cols[4:])))
        elif len(cols) >= 3 and not cols[0].isdigit():
            doc.relations.append(tuple(cols))
        else:
            raise ValueError("not a mention or relation line")
    else:
        raise ValueError("not a PubTator line")


def find_pubtator(path: str | Path, pmid: str) -> Optional[PubTatorDocument]:
    """The document with this PMID, or None."""
    return next((doc for doc in iter_pubtator(path) if doc.pmid == pmid), None)
