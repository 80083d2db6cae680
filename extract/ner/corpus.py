"""Training and evaluation data for the NER models, as spaCy `Doc`s.

- PubTator corpora (BC5CDR, NCBI disease): raw title + abstract tokenized by OUR tokenizer (scispaCy's
  combined rule tokenizer, as `extract.pipeline` builds it); the text is laid out as the pipeline sees
  it (title, blank line, abstract) and mention offsets are moved with it. Each mention becomes an
  entity through `doc.char_span(..., alignment_mode="expand")`; mentions whose edges fall inside a
  token are counted as misaligned (kept, expanded to token edges); overlapping mentions keep the
  first, longest one.
- EBM-NLP (`scibert_split/*.txt`, `token POS _ TAG`): Docs built from the given words; runs of one
  tag become PARTICIPANTS / INTERVENTION / OUTCOME entities.
- `ebm_nlp_difficulty/`: token files + 0/1 intervention labels → INTERVENTION entities; the other
  tokens are left *missing* (not O), since P and O were not annotated there.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import biluo_tags_to_spans, iob_to_biluo
from spacy.training.iob_utils import tags_to_entities
from spacy.util import filter_spans

from ..components.entities import label_runs
from ..corpora.pubtator import PubTatorDocument, iter_pubtator

SEPARATOR = "\n\n"  # between title and abstract, as in extract.document.compose_text

CDR = Path("bc5cdr/pubtator")
CDR_TRAIN = CDR / "CDR_TrainingSet.PubTator.txt"       # official train + dev halves (1,000 docs)
CDR_DEV = CDR / "CDR_DevelopmentSet.PubTator.txt"      # the dev half alone (500 docs)
CDR_TEST = CDR / "CDR_TestSet.PubTator.txt"            # evaluation only
CDR_IOB_TEST = Path("bc5cdr/iob/test.tsv")             # the same test set, tokenized (evaluation only)
NCBI_TRAIN = Path("ncbi_disease/train/NCBItrainset_corpus.txt")
EBM = Path("ebm_nlp")
EBM_TRAIN = EBM / "scibert_split/dev.txt"              # 960 crowd-labelled docs (train on these)
EBM_TEST = EBM / "scibert_split/test.txt"              # 191 expert-labelled docs (evaluation only)
EBM_DIFFICULTY = EBM / "ebm_nlp_difficulty"

CDR_LABELS = {"Chemical": "CHEMICAL", "Disease": "DISEASE"}
# NCBI-disease mention types, all diseases.
NCBI_LABELS = {"SpecificDisease": "DISEASE", "DiseaseClass": "DISEASE", "Modifier": "DISEASE",
               "CompositeMention": "DISEASE"}
EBM_LABELS = {"I-PAR": "PARTICIPANTS", "I-INT": "INTERVENTION", "I-OUT": "OUTCOME"}
PICO_LABELS = tuple(EBM_LABELS.values())


@dataclass
class AlignmentStats:
    documents: int = 0
    mentions: int = 0
    aligned: int = 0          # both edges on token boundaries
    expanded: int = 0         # an edge fell inside a token: expanded to the token edge
    unalignable: int = 0      # no span even after expansion (whitespace only)
    overlapping: int = 0      # dropped: overlaps an earlier, longer mention
    text_mismatch: int = 0    # the mention text differs from the document text at its offsets
    by_label: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "by_label"}
        out["by_label"] = dict(self.by_label)
        return out


# -- PubTator ------------------------------------------------------------------------------------
def pubtator_text(doc: PubTatorDocument) -> tuple[str, int]:
    """The document text as the pipeline lays it out, and the shift for abstract offsets."""
    return f"{doc.title}{SEPARATOR}{doc.abstract}", len(SEPARATOR) - 1


def pubtator_offsets(doc: PubTatorDocument, labels: dict[str, str]) -> list[tuple[int, int, str]]:
    """Gold mentions as (start, end, LABEL) in `pubtator_text` coordinates."""
    _, shift = pubtator_text(doc)
    cut = len(doc.title)
    out = []
    for m in doc.mentions:
        if m.type not in labels:
            continue
        s, e = (m.start, m.end) if m.start < cut else (m.start + shift, m.end + shift)
        out.append((s, e, labels[m.type]))
    return out


def pubtator_docs(nlp: Language, path: Path, labels: dict[str, str], pmids: Optional[set] = None,
                  exclude: Optional[set] = None, stats: Optional[AlignmentStats] = None) -> Iterator[Doc]:
    """Docs with gold entities from a PubTator file (only `pmids`, if given; never `exclude`)."""
    stats = stats if stats is not None else AlignmentStats()
    for source in iter_pubtator(path):
        if (pmids is not None and source.pmid not in pmids) or (exclude and source.pmid in exclude):
            continue
        text, _ = pubtator_text(source)
        doc = nlp.make_doc(text)
        doc.user_data["pmid"] = source.pmid
        stats.documents += 1
        spans = []
        for s, e, label in sorted(pubtator_offsets(source, labels), key=lambda m: (m[0], -(m[1] - m[0]))):
            stats.mentions += 1
            stats.by_label[label] += 1
            original = next((m.text for m in source.mentions if _shifted(source, m) == (s, e)), None)
            if original is not None and text[s:e] != original:
                stats.text_mismatch += 1
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            if span is None or len(span) == 0:
                stats.unalignable += 1
                continue
            if (span.start_char, span.end_char) == (s, e):
                stats.aligned += 1
            else:
                stats.expanded += 1
            spans.append(span)
        kept = filter_spans(spans)
        stats.overlapping += len(spans) - len(kept)
        doc.ents = kept
        yield doc


def _shifted(doc: PubTatorDocument, m) -> tuple[int, int]:
    shift = len(SEPARATOR) - 1
    return (m.start, m.end) if m.start < len(doc.title) else (m.start + shift, m.end + shift)


def read_iob(path: Path) -> Iterator[tuple[list[str], list[tuple[int, int, str]]]]:
    """(words, gold entity token spans) per sentence of a bc5cdr/iob file (`token<TAB>B-/I-Chemical|Disease|O`)."""
    words: list[str] = []
    tags: list[str] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in list(handle) + [""]:
            line = line.rstrip("\n")
            if line:
                word, _, tag = line.partition("\t")
                words.append(word)
                tags.append(tag)
                continue
            if words:
                yield words, [(start, end + 1, CDR_LABELS[label])
                              for label, start, end in tags_to_entities(iob_to_biluo(tags))]
            words, tags = [], []


def pmids_of(path: Path) -> list[str]:
    return [doc.pmid for doc in iter_pubtator(path)]


def cdr_split(corpora: Path, held_out: int = 100) -> tuple[set, set]:
    """(train PMIDs, early-stopping PMIDs), both from CDR_TrainingSet: the official train half plus
    the dev half less its last `held_out` documents; those last documents stop the training early.
    The test set is never read here."""
    all_ids = pmids_of(corpora / CDR_TRAIN)
    dev_ids = pmids_of(corpora / CDR_DEV)
    stop = set(dev_ids[-held_out:]) if held_out else set()
    return {p for p in all_ids if p not in stop}, stop


# -- EBM-NLP -------------------------------------------------------------------------------------
_DOCSTART = re.compile(r"-DOCSTART- \((\d+)\)")


def read_ebm(path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """(pmid, words, tags) per document of a scibert_split file (tags I-PAR/I-INT/I-OUT/O)."""
    pmid, words, tags = None, [], []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                if pmid is not None and words:
                    yield pmid, words, tags
                m = _DOCSTART.match(line)
                pmid, words, tags = (m.group(1) if m else line), [], []
                continue
            if not line.strip():
                continue
            cols = line.split(" ")
            words.append(cols[0])
            tags.append(cols[-1])
    if pmid is not None and words:
        yield pmid, words, tags


def tag_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Runs of one I- tag as (start token, end token, LABEL)."""
    return label_runs(tags, EBM_LABELS)


def words_doc(nlp: Language, words: list[str]) -> Doc:
    """A Doc of the given words, single spaces between them."""
    return Doc(nlp.vocab, words=words, spaces=[True] * (len(words) - 1) + [False])


def ebm_docs(nlp: Language, path: Path, pmids: Optional[set] = None,
             exclude: Optional[set] = None) -> Iterator[Doc]:
    for pmid, words, tags in read_ebm(path):
        if (pmids is not None and pmid not in pmids) or (exclude and pmid in exclude):
            continue
        doc = words_doc(nlp, words)
        doc.user_data["pmid"] = pmid
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in tag_spans(tags)]
        yield doc


def as_tags(doc: Doc, missing: str = "") -> Doc:
    """The same doc with its entities as token tags (PARTICIPANTS → PAR …, "O" outside, and `missing`
    where the entity layer is missing: "" leaves the tag unknown, "!INT" says "not an intervention",
    which is what ebm_nlp_difficulty's 0 labels mean): training data for a token tagger."""
    short = {"PARTICIPANTS": "PAR", "INTERVENTION": "INT", "OUTCOME": "OUT"}
    out = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    for token, src in zip(out, doc):
        if src.ent_iob_ == "":
            if missing:
                token.tag_ = missing
            continue
        token.tag_ = short.get(src.ent_type_, "O") if src.ent_type_ else "O"
    return out


def difficulty_docs(nlp: Language, corpora: Path, exclude: Iterable[str] = ()) -> Iterator[Doc]:
    """INTERVENTION-only docs from ebm_nlp_difficulty (`random` labels preferred over `difficult`).
    Tokens outside an intervention are left missing, so the model is not taught they are O."""
    root = corpora / EBM_DIFFICULTY
    exclude = set(exclude)
    for tokens_file in sorted((root / "documents").glob("*.tokens")):
        pmid = tokens_file.stem
        if pmid in exclude:
            continue
        ann = next((p for p in (root / "annotations" / kind / "interventions" / f"{pmid}.ann"
                                for kind in ("random", "difficult")) if p.is_file()), None)
        if ann is None:
            continue
        words = tokens_file.read_text(encoding="utf-8").split("\n")
        labels = ann.read_text(encoding="utf-8").split("\n")
        words = [w for w in words if w != ""]
        labels = [x for x in labels if x != ""]
        if len(words) != len(labels) or not words:
            continue
        biluo = []
        for i, lab in enumerate(labels):
            if lab != "1":
                biluo.append("-")
                continue
            first = i == 0 or labels[i - 1] != "1"
            last = i + 1 == len(labels) or labels[i + 1] != "1"
            biluo.append("U-INTERVENTION" if first and last else "B-INTERVENTION" if first
                         else "L-INTERVENTION" if last else "I-INTERVENTION")
        doc = words_doc(nlp, words)
        doc.user_data["pmid"] = pmid
        doc.set_ents(biluo_tags_to_spans(doc, [t if t != "-" else "O" for t in biluo]),
                     default="missing")
        yield doc


# -- output --------------------------------------------------------------------------------------
def write_docbin(docs: Iterable[Doc], path: Path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    bin_ = DocBin(attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE", "TAG"], store_user_data=False)
    n = 0
    for doc in docs:
        bin_.add(doc)
        n += 1
    bin_.to_disk(path)
    return n


def read_docbin(path: Path) -> Iterator[Doc]:
    """The docs of a DocBin written by `write_docbin` (on a fresh vocab)."""
    from spacy.vocab import Vocab

    return DocBin().from_disk(path).get_docs(Vocab())


def tokenizer_nlp() -> Language:
    """A blank English pipeline with the extract (scispaCy) tokenizer, nothing else."""
    import spacy

    from ..tokenizer import scispacy_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = scispacy_tokenizer(nlp)
    return nlp
