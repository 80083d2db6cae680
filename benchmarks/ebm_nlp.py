"""EBM-NLP documents: sample-size gold (`3_p` spans) and P/I/O token labels; expert test docs for
measuring, crowd-labelled dev (training) docs for developing rules."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

HIER_TEST = "ebm_nlp/hier_participants_test_gold_bsaluja_noperiods.conll"
HIER_DEV = "ebm_nlp/hier_participants_dev_crowd_bsaluja_noperiods.conll"  # training split
PIO_TEST = "ebm_nlp/scibert_split/test.txt"
PIO_DEV = "ebm_nlp/scibert_split/dev.txt"  # training split (crowd labels)


@dataclass
class TokenDoc:
    """A pre-tokenized document: words joined by single spaces, with each word's offsets and labels."""

    pmid: str
    words: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def offsets(self) -> list[tuple[int, int]]:
        out, pos = [], 0
        for word in self.words:
            out.append((pos, pos + len(word)))
            pos += len(word) + 1
        return out

    def runs(self, label: str) -> list[tuple[int, int]]:
        """Maximal runs of words (start, end word index) carrying `label`."""
        runs, start = [], None
        for i, tag in enumerate(self.labels + ["O"]):
            if tag == label and start is None:
                start = i
            elif tag != label and start is not None:
                runs.append((start, i))
                start = None
        return runs


def _read(path: Path, label_column: int, pmid_of) -> Iterator[TokenDoc]:
    doc = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            if doc is not None and doc.words:
                yield doc
            doc = TokenDoc(pmid=pmid_of(line))
        elif line.strip() and doc is not None:
            parts = line.split()
            doc.words.append(parts[0])
            doc.labels.append(parts[label_column])
    if doc is not None and doc.words:
        yield doc


def hier_participants_test(corpora: Path) -> Iterator[TokenDoc]:
    """The 189 expert-labelled docs with participant sub-labels (`3_p` = sample size)."""
    return _read(corpora / HIER_TEST, 2, lambda line: line.split()[-1])


def hier_participants_dev(corpora: Path) -> Iterator[TokenDoc]:
    """The 921 crowd-labelled TRAINING docs with participant sub-labels (`3_p` = sample size), in
    the format of the test file; the PMID is the last field of the -DOCSTART- line. Rules may be
    developed on these (the test docs are only measured)."""
    return _read(corpora / HIER_DEV, 2, lambda line: line.split()[-1])


def pio_test(corpora: Path) -> Iterator[TokenDoc]:
    """The 191 expert-labelled docs of `scibert_split/test.txt`, labels I-PAR / I-INT / I-OUT / O."""
    return _read(corpora / PIO_TEST, 3, lambda line: line.split("(")[-1].rstrip(")").strip())


def pio_dev(corpora: Path) -> Iterator[TokenDoc]:
    """The 960 crowd-labelled TRAINING docs of `scibert_split/dev.txt`, in the format of the test
    file: rules may be developed on these (the test docs are only measured)."""
    return _read(corpora / PIO_DEV, 3, lambda line: line.split("(")[-1].rstrip(")").strip())
