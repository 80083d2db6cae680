"""Metadata conventions shared by the readers: publication types, year, error documents.

`publication_types` use PubMed's own spelling ("Multicenter Study", "Research Support, Non-U.S.
Gov't"), looked up case-insensitively in rules/publication_types.yml; unknown types stay as given.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Optional

from ..document import SourceDocument
from ..rules import load
from ..schema import ErrorInfo

MAX_DOCUMENT_CHARS = 200_000  # title + abstract; a whole paper is ~50,000
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def key(text: str) -> str:
    """Comparison key: case-folded, whitespace collapsed, curly apostrophes made straight."""
    return _SPACES.sub(" ", text.replace("\u2019", "'").replace("\u2018", "'")).strip().casefold()


@lru_cache(maxsize=None)
def _vocabulary() -> dict[str, str]:
    return {key(name): name for name in load("publication_types.yml")["publication_types"]}


def known_publication_type(text: str) -> Optional[str]:
    """PubMed's spelling of `text` if it names a publication type, else None."""
    return _vocabulary().get(key(text))


def publication_types(values: Iterable[Any]) -> list[str]:
    """Canonical spelling, order kept, duplicates and blanks dropped."""
    out: list[str] = []
    for value in values:
        text = _SPACES.sub(" ", str(value)).strip()
        name = known_publication_type(text) or text
        if name and name not in out:
            out.append(name)
    return out


def first_year(text: Any) -> Optional[int]:
    """The first 4-digit year in a date string ("2018 Jan-Feb", "1998 Dec-1999 Jan")."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    found = _YEAR.search(str(text or ""))
    return int(found.group(1)) if found else None


def document(id: str, source: str, title: str = "", abstract: str = "", metadata: Optional[dict] = None,
             error: Optional[str] = None) -> SourceDocument:
    """A SourceDocument; with `error` it carries a read error (and whatever could be read)."""
    title, abstract = title.strip(), abstract.strip()
    size = len(title) + len(abstract)
    if size > MAX_DOCUMENT_CHARS:  # not an abstract, and costly to run: refused, text not kept
        error = (f"document too long: {size:,} characters (the limit is {MAX_DOCUMENT_CHARS:,}; an "
                 f"abstract has a few thousand): not extracted" + (f"; {error}" if error else ""))
        title = abstract = ""
    errors = [ErrorInfo(stage="read", message=error)] if error else []
    return SourceDocument(id=id, source=source, title=title, abstract=abstract,
                          metadata=metadata or {}, errors=errors)
