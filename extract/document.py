"""A document as read from its source, before extraction."""
from __future__ import annotations

from dataclasses import dataclass, field

from .schema import ErrorInfo

TITLE_SEPARATOR = "\n\n"


def compose_text(title: str, abstract: str) -> str:
    """The record text every span indexes into: title, blank line, abstract."""
    return TITLE_SEPARATOR.join(part for part in (title.strip(), abstract.strip()) if part)


@dataclass
class SourceDocument:
    """One document from a reader: an id, where it came from, title, abstract, metadata.

    A reader that cannot read a document still yields one, with `errors` set, so nothing is lost.
    """

    id: str
    source: str
    title: str = ""
    abstract: str = ""
    metadata: dict = field(default_factory=dict)
    errors: list[ErrorInfo] = field(default_factory=list)
    # Problems that do not stop extraction (e.g. a duplicate id): the record is extracted and
    # carries them in its `errors`.
    warnings: list[ErrorInfo] = field(default_factory=list)

    @property
    def text(self) -> str:
        return compose_text(self.title, self.abstract)

    @classmethod
    def failed(cls, id: str, source: str, message: str) -> "SourceDocument":
        return cls(id=id, source=source, errors=[ErrorInfo(stage="read", message=message)])
