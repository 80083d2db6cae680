"""PubMed XML (PubmedArticleSet), parsed incrementally and safely: one document per article.

defusedxml refuses entity declarations (no expansion) and external references; expat never
fetches the DTD a DOCTYPE names. Each article is dropped from the tree once read: memory stays flat.
"""
from __future__ import annotations

import re
from typing import BinaryIO, Iterator, Optional
from xml.etree.ElementTree import Element, ParseError

import regex
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..document import SourceDocument
from .decode import ReadError
from .fields import document, first_year, publication_types

MAX_ARTICLE_BYTES = 16 * 1024 * 1024  # XML read for one article (a real one is a few KB): a cap on memory

# root element -> the child elements that are records
_RECORDS = {
    "PubmedArticleSet": {"PubmedArticle", "PubmedBookArticle"},
    "PubmedBookArticleSet": {"PubmedBookArticle"},
    "MedlineCitationSet": {"MedlineCitation"},
}
_SINGLE = {"PubmedArticle", "PubmedBookArticle", "MedlineCitation"}  # a record as the root
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_TIGHT = {"sub", "sup"}   # inline elements glued to the preceding text
_OPEN, _CLOSE = "\x01", "\x02"
# a line break before <sub>/<sup>; the whole whitespace run, matched in linear time (possessive)
_BREAK_BEFORE_TIGHT = regex.compile(rf"(?<!\s)[^\S\n]*+\n\s*+(?={_OPEN})")
_INSIDE_TIGHT = re.compile(rf"(?<={_OPEN})\s+|(?<!\s)\s+(?={_CLOSE})")
_MARKS = re.compile(f"[{_OPEN}{_CLOSE}]")
_SPACES = re.compile(r"[ \t\r\n]{2,}|[\t\r\n]")  # layout whitespace; NBSP, thin space... are kept


class _Budget:
    """A stream that refuses to deliver more than MAX_ARTICLE_BYTES between two `reset()`s, so that
    one giant element (a gzip bomb) cannot fill memory: the parser keeps an element's text whole."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.used = stream, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size is not None and size >= 0 else 64 * 1024)
        self.used += len(data)
        if self.used > MAX_ARTICLE_BYTES:
            raise ReadError(f"XML article larger than {MAX_ARTICLE_BYTES // 2**20} MiB: not read")
        return data

    def reset(self) -> None:
        self.used = 0


def read_pubmed_xml(head: bytes, stream: BinaryIO, source: str, stem: str) -> Iterator[SourceDocument]:
    """Articles in file order; a parse error ends the file with an error document."""
    root: Optional[Element] = None
    records: set = set()
    depth = count = 0
    try:
        budget = _Budget(stream)
        for event, elem in iterparse(budget, events=("start", "end")):
            if event == "start":
                depth += 1
                if root is None:
                    root = elem
                    records = _RECORDS.get(elem.tag) or ({elem.tag} if elem.tag in _SINGLE else set())
                    if not records:
                        yield document(stem, source, error=f"not PubMed XML: root element <{elem.tag}> "
                                                           "(expected <PubmedArticleSet>)")
                        return
                continue
            depth -= 1
            if elem.tag in records and depth <= 1:
                count += 1
                yield _article(elem, source, f"{stem}:{count}")
                if elem is not root:
                    root.clear()
                budget.reset()
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(": line ")[0]
        yield document(stem, source, error=f"malformed XML at line {line}, column {column}: {reason}"
                                           + _after(count))
    except DefusedXmlException as exc:
        yield document(stem, source, error=f"unsafe XML refused ({_unsafe(exc)}); nothing was expanded"
                                           + _after(count))


def _after(count: int) -> str:
    return f" (after {count} article{'s' * (count != 1)})" if count else ""


def _unsafe(exc: DefusedXmlException) -> str:
    name = getattr(exc, "name", None)
    kind = type(exc).__name__.replace("Forbidden", "").lower()
    return f"declares entity {name!r}" if kind == "entities" and name else f"{kind} forbidden"


def _article(elem: Element, source: str, fallback_id: str) -> SourceDocument:
    """One PubmedArticle / PubmedBookArticle / MedlineCitation as a SourceDocument."""
    base = _first(elem.find("MedlineCitation"), elem.find("BookDocument"), elem)
    article = _first(base.find("Article"), base)
    pmid = (base.findtext("PMID") or "").strip()
    title = flatten(article.find("ArticleTitle")) or flatten(base.find("Book/BookTitle"))
    abstract = render_abstract(_first(article.find("Abstract"), base.find("Abstract")))
    pubdate = _first(article.find("Journal/JournalIssue/PubDate"), base.find("Book/PubDate"))
    types = article.findall("PublicationTypeList/PublicationType") + base.findall("PublicationType")
    metadata: dict = {"publication_types": publication_types(flatten(t) for t in types)}
    if pmid:
        metadata["pmid"] = pmid
    journal = flatten(article.find("Journal/Title"))
    if journal:
        metadata["journal"] = journal
    year = _year(pubdate)
    if year is not None:
        metadata["year"] = year
    doi = _doi(elem, article)
    if doi:
        metadata["doi"] = doi
    problems = [] if pmid else ["article without PMID"]
    if not title and not abstract:
        problems.append("missing abstract and title")
    return document(pmid or fallback_id, source, title, abstract, metadata, "; ".join(problems) or None)


def _first(*elements: Optional[Element]) -> Optional[Element]:
    return next((e for e in elements if e is not None), None)


def _year(pubdate: Optional[Element]) -> Optional[int]:
    if pubdate is None:
        return None
    return first_year(pubdate.findtext("Year")) or first_year(pubdate.findtext("MedlineDate"))


def _doi(elem: Element, article: Element) -> str:
    for found in article.iterfind("ELocationID[@EIdType='doi']"):
        return (found.text or "").strip()
    for found in elem.iterfind("PubmedData/ArticleIdList/ArticleId[@IdType='doi']"):
        return (found.text or "").strip()
    return ""


def render_abstract(abstract: Optional[Element]) -> str:
    """AbstractText sections, a labelled one as "LABEL: text", joined with newlines."""
    if abstract is None:
        return ""
    lines = []
    for section in abstract.iterfind("AbstractText"):
        text, label = flatten(section), (section.get("Label") or "").strip()
        if text:
            lines.append(f"{label}: {text}" if label else text)
    return "\n".join(lines)


def flatten(elem: Optional[Element]) -> str:
    """Text of an element with inline markup (<i>, <sup>, MathML...) flattened, spaces collapsed."""
    if elem is None:
        return ""
    if not len(elem):
        return _squeeze(elem.text or "")
    parts: list[str] = []
    _collect(elem, parts)
    text = "".join(parts)
    if _OPEN in text:
        text = _MARKS.sub("", _INSIDE_TIGHT.sub("", _BREAK_BEFORE_TIGHT.sub("", text)))
    return _squeeze(text)


def _squeeze(text: str) -> str:
    """Layout whitespace (newlines, tabs, runs of spaces) to one space; a cheap test skips the regex."""
    if "\n" in text or "\t" in text or "\r" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip(" ")


def _collect(elem: Element, parts: list[str]) -> None:
    if isinstance(elem.tag, str) and elem.tag.startswith(_MATHML):  # layout whitespace is noise
        parts.append("".join(piece.strip() for piece in elem.itertext()))
        return
    parts.append(elem.text or "")
    for child in elem:
        tight = isinstance(child.tag, str) and child.tag in _TIGHT
        parts.append(_OPEN if tight else "")
        _collect(child, parts)
        parts.append(_CLOSE if tight else "")
        parts.append(child.tail or "")
