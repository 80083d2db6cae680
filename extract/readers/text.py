"""Raw text: a web-page copy or a plain title + abstract, split into (title, abstract, metadata).

Steps: drop the site's boilerplate (rules/boilerplate.yml), take the publication-type header lines
at the top (rules/publication_types.yml), then the title (see `split_title`) and the abstract.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO, Iterator, Optional

from ..document import SourceDocument
from ..rules import load
from .decode import ReadError, check_not_binary, decode_text
from .fields import document, key, known_publication_type

MAX_TEXT_BYTES = 4 * 1024 * 1024  # one text file (web-page copy); larger is not an abstract: refused
MAX_TITLE_CHARS = 400              # a title paragraph (followed by a blank line) is at most this long
MAX_INLINE_TITLE_CHARS = 250       # a title line directly followed by the abstract is at most this long
MAX_TITLE_LINES = 3
_SENTENCE_BREAK = re.compile(r"[.?!]\s+[A-Z]")
_OPEN_ENDING = re.compile(r"[,;:(\[\-\u2013\u2014/&]$|\b(?:and|or|of|the|a|an|in|for|with|to)$")
_STARTS_SENTENCE = re.compile(r"[A-Z0-9\"'(\[\u201c]")
_ABSTRACT_LABEL = re.compile(r"abstract\s*[:.]?", re.IGNORECASE)
_ALL_CAPS_LABEL = re.compile(r"(?<![A-Z0-9&/,()'\-])[A-Z][A-Z0-9&/,()'\-]*(?: [A-Z0-9&/,()'\-]+){0,4}\s*:")


@dataclass(frozen=True)
class _Rules:
    cut_markers: frozenset
    phrases: re.Pattern
    drop_line: re.Pattern
    heading: re.Pattern


def _phrase(text: str) -> str:
    """A phrase as a regex: any run of whitespace matches any whitespace, either apostrophe fits."""
    words = (re.escape(word).replace("'", "['\u2019]") for word in text.split())
    return r"\s*".join(words)


@lru_cache(maxsize=None)
def _rules() -> _Rules:
    data = load("boilerplate.yml")
    phrases = "|".join(_phrase(p) for p in sorted(data["phrases"], key=len, reverse=True))
    headings = "|".join(_phrase(h) for h in sorted(data["section_headings"], key=len, reverse=True))
    return _Rules(
        cut_markers=frozenset(key(m) for m in data["cut_markers"]),
        phrases=re.compile(phrases),
        drop_line=re.compile("|".join(f"(?:{p})" for p in data["line_patterns"]), re.IGNORECASE),
        heading=re.compile(rf"(?:{headings})\s*(?:[:.]|$)", re.IGNORECASE),
    )


def parse_text(text: str) -> tuple[str, str, dict]:
    """(title, abstract, metadata) of one raw text document; metadata holds `publication_types`."""
    lines = _clean_lines(text.lstrip("\ufeff"))
    types, lines = _publication_type_header(lines)
    title, abstract = split_title(lines)
    return title, abstract, {"publication_types": types}


def read_text(head: bytes, stream: BinaryIO, source: str, stem: str) -> Iterator[SourceDocument]:
    """The one document of a text file, id = file stem."""
    data = stream.read(MAX_TEXT_BYTES + 1)  # the stream starts at byte 0; `head` is its prefix
    if len(data) > MAX_TEXT_BYTES:
        raise ReadError(f"text file larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB: not one abstract "
                        "(refused unread; split it, or give JSONL, MEDLINE or PubMed XML)")
    check_not_binary(data)
    title, abstract, metadata = parse_text(decode_text(data))
    if not title and not abstract:
        yield document(stem, source, error="no title or abstract found (only whitespace or site boilerplate)")
        return
    yield document(stem, source, title, abstract, metadata)


def _clean_lines(text: str) -> list[str]:
    """Lines without boilerplate, cut at the first end marker that follows some content."""
    rules, out, started = _rules(), [], False
    for line in text.splitlines():
        if key(line) in rules.cut_markers:
            if started:
                break
            continue
        line = _strip_phrases(line, rules)
        if line is None or rules.drop_line.match(line.strip()):
            continue
        if key(line) in rules.cut_markers:  # a marker that had a banner glued to it
            if started:
                break
            continue
        started = started or bool(line.strip())
        out.append(line.strip())
    return out


def _strip_phrases(line: str, rules: _Rules) -> Optional[str]:
    """The line without site phrases glued to its ends; None when it held nothing else."""
    if not line.strip():
        return line
    found = list(rules.phrases.finditer(line))
    if not found:
        return line
    start, first = 0, 0  # phrases glued at the start: only whitespace between them
    while first < len(found) and not line[start:found[first].start()].strip():
        start, first = found[first].end(), first + 1
    if start and line[start:].strip() == "":
        return None
    while first and line[start:start + 1].islower():  # "Add like" + "lihood": not a phrase after all
        first -= 1
        start = found[first - 1].end() if first else 0
    end, last = len(line), len(found)  # phrases glued at the end
    while last > first and not line[found[last - 1].end():end].strip():
        end, last = found[last - 1].start(), last - 1
    return line[start:end]


def _publication_type_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """Publication-type lines before the first other line (when more content follows them)."""
    types, index = [], 0
    while index < len(lines):
        line = lines[index]
        if line:
            name = known_publication_type(line)
            if name is None or not any(lines[index + 1:]):
                break
            if name not in types:
                types.append(name)
        index += 1
    return types, lines[index:]


def split_title(lines: list[str]) -> tuple[str, str]:
    """(title, abstract) of stripped lines; title "" when no line clearly is one.

    A title is either the first paragraph when it is short (at most MAX_TITLE_LINES lines and
    MAX_TITLE_CHARS, not a section heading, followed by more text after a blank line), or a short
    first line directly followed by a line that starts a sentence, when the text is not hard-wrapped
    prose (a wrapped line ends mid-sentence or is as long as its neighbours).
    """
    paragraphs = _drop_abstract_label(_paragraphs(lines))
    if not paragraphs:
        return "", ""
    first, title = paragraphs[0], ""
    if len(paragraphs) > 1 and _title_paragraph(first):
        title, paragraphs = " ".join(first), paragraphs[1:]
    elif len(first) > 1 and _title_line(first):
        title, paragraphs = first[0], [first[1:]] + paragraphs[1:]
    paragraphs = _drop_abstract_label(paragraphs)
    return title, "\n\n".join("\n".join(p) for p in paragraphs)


def _drop_abstract_label(paragraphs: list[list[str]]) -> list[list[str]]:
    """Without a bare "Abstract" line at the start (a page's heading, not text)."""
    if paragraphs and _ABSTRACT_LABEL.fullmatch(paragraphs[0][0]):
        paragraphs = ([paragraphs[0][1:]] if len(paragraphs[0]) > 1 else []) + paragraphs[1:]
    return paragraphs


def _paragraphs(lines: list[str]) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _is_heading(line: str) -> bool:
    return bool(_rules().heading.match(line) or _ALL_CAPS_LABEL.match(line))


def _title_paragraph(paragraph: list[str]) -> bool:
    joined = " ".join(paragraph)
    return (len(paragraph) <= MAX_TITLE_LINES and len(joined) <= MAX_TITLE_CHARS
            and not _is_heading(paragraph[0]) and len(_SENTENCE_BREAK.findall(joined)) <= 2)


def _title_line(paragraph: list[str]) -> bool:
    line, following = paragraph[0], paragraph[1]
    if (len(line) > MAX_INLINE_TITLE_CHARS or _is_heading(line) or _OPEN_ENDING.search(line)
            or not _STARTS_SENTENCE.match(following) or len(_SENTENCE_BREAK.findall(line)) > 2):
        return False
    return not _hard_wrapped(paragraph)


def _hard_wrapped(paragraph: list[str]) -> bool:
    """Prose broken at a fixed width: every line but the last has about the same length."""
    widths = [len(line) for line in paragraph[:-1]]
    return len(paragraph) >= 3 and max(widths) <= 100 and min(widths) >= 0.75 * max(widths)
