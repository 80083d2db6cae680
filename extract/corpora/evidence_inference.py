"""Evidence Inference (`evidence_inference/annotations/`): `.abst` title + abstract, and the split ids."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, Optional

from ..document import SourceDocument

ANNOTATIONS = "evidence_inference/annotations"
ABSTRACTS = f"{ANNOTATIONS}/abstracts"
SPLITS = f"{ANNOTATIONS}/splits"

_TITLE = re.compile(r"TITLE\s*[.:]\s*")
_SECTION = "ABSTRACT."
_BODY = "BODY."
_SEPARATORS = ".: \t\u2002\u00a0"  # trailing section-name punctuation ("RESULTS.", "RESULTS:.", ...)


def parse_abst(text: str) -> tuple[str, str]:
    """(title, abstract) of an `.abst` text.

    The title is the first block (up to a blank line) after the `TITLE.`/`TITLE:` line, its lines
    joined by spaces. The abstract keeps the non-blank source lines up to the first `BODY.` line,
    stripped and joined by "\n"; an `ABSTRACT.<SECTION>.` header becomes a "SECTION: " prefix on
    the line after it (none for a bare `ABSTRACT.`; `ABSTRACT.ABSTRACT.X.` reads as `ABSTRACT.X.`).
    Text before the first section, or without any section, is kept as it is.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    title: list[str] = []
    pos = 0
    if lines and (m := _TITLE.match(lines[0])):
        rest = lines[0][m.end():].strip()
        title = [rest] if rest else []
        pos = 1
        while pos < len(lines) and not title and not lines[pos].strip():
            pos += 1  # blank lines between the header and the title
        while pos < len(lines) and lines[pos].strip() and not _is_header(lines[pos]):
            title.append(lines[pos].strip())
            pos += 1
    out: list[str] = []
    section = ""
    for line in lines[pos:]:
        if line.startswith(_BODY):
            break
        if line.startswith(_SECTION):
            section = _section_name(line)
        elif line.strip():
            out.append(f"{section}: {line.strip()}" if section else line.strip())
            section = ""
    return " ".join(title), "\n".join(out)


def _section_name(header: str) -> str:
    """"ABSTRACT.RESULTS:." -> "RESULTS"; a repeated "ABSTRACT." prefix and a bare "ABSTRACT" give way."""
    name = header
    while name.startswith(_SECTION):
        name = name[len(_SECTION):]
    name = name.rstrip(_SEPARATORS).strip()
    return "" if name == "ABSTRACT" else name


def _is_header(line: str) -> bool:
    return line.startswith((_SECTION, _BODY))


def read_abst(path: str | Path) -> tuple[str, str]:
    """(title, abstract) of an `.abst` file."""
    return parse_abst(Path(path).read_text(encoding="utf-8"))


def abst_path(corpora_root: str | Path, pmcid: str) -> Path:
    """The `.abst` file of "PMC1234" (or "1234")."""
    return Path(corpora_root) / ABSTRACTS / f"PMC{pmcid.removeprefix('PMC')}.abst"


def split_ids(corpora_root: str | Path) -> dict[str, frozenset[str]]:
    """{"train", "validation", "test"} -> "PMC..." ids: the union of the `*train*`, `*validation*`,
    `*test*` split files (ev1, ev2 and the merged lists)."""
    out: dict[str, set[str]] = {"train": set(), "validation": set(), "test": set()}
    for path in sorted((Path(corpora_root) / SPLITS).glob("*_article_ids.txt")):
        name = path.name.removesuffix("_article_ids.txt")
        split = next((s for s in out if s in name), None)
        if split is not None:
            out[split].update(f"PMC{i}" for i in path.read_text(encoding="utf-8").split())
    return {k: frozenset(v) for k, v in out.items()}


def training_ids(corpora_root: str | Path) -> frozenset[str]:
    """Ids that may be trained on or used to tune rules."""
    return split_ids(corpora_root)["train"]


def evaluation_ids(corpora_root: str | Path) -> frozenset[str]:
    """Ids kept for measuring only (the test splits)."""
    return split_ids(corpora_root)["test"]


def documents(corpora_root: str | Path, ids: Optional[Iterable[str]] = None) -> Iterator[SourceDocument]:
    """SourceDocuments for `ids` (default: every `.abst`, sorted); an unreadable file yields a failed one."""
    root = Path(corpora_root)
    if ids is None:
        ids = sorted(p.stem for p in (root / ABSTRACTS).glob("PMC*.abst"))
    for pmcid in ids:
        yield read_document(root, pmcid)


def read_document(corpora_root: str | Path, pmcid: str, source: Optional[str] = None) -> SourceDocument:
    """One `.abst` as a SourceDocument (id "PMC..."; source defaults to the path under the corpora root)."""
    pmcid = f"PMC{pmcid.removeprefix('PMC')}"
    path = abst_path(corpora_root, pmcid)
    source = source or str(path.relative_to(corpora_root))
    try:
        title, abstract = read_abst(path)
    except (OSError, UnicodeDecodeError) as exc:
        return SourceDocument.failed(pmcid, source, f"cannot read {path}: {exc}")
    return SourceDocument(id=pmcid, source=source, title=title, abstract=abstract)
