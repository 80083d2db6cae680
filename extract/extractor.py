"""The Python API: text or source documents in, validated records out (streamed in batches)."""
from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator, Optional

from pydantic import ValidationError
from spacy.tokens import Doc

from .components.extensions import doc_text, keep_text
from .document import SourceDocument
from .schema import Design, ErrorInfo, Metadata, Record, SampleSize


class Extractor:
    """Runs the pipeline over documents and builds one `Record` per document.

    >>> Extractor().extract("Thirty-one participants were enrolled (p = 0.004).", id="x").sample_size.n
    31
    """

    def __init__(self, batch_size: int = 64, model: Optional[str] = None):
        """`model`: None for the NER models shipped with extract, "none" for rules only, or an
        installed spaCy pipeline name / directory (e.g. "en_ner_bc5cdr_md") to run instead."""
        from .pipeline import build_pipeline

        self.nlp = build_pipeline(model)
        self.batch_size = batch_size

    def extract(self, text: str, id: str = "text", source: str = "<text>",
                metadata: Optional[dict] = None) -> Record:
        """Extract from one raw text (web-page copy or title + abstract)."""
        from .readers import parse_text

        title, abstract, found = parse_text(text)
        document = SourceDocument(id=id, source=source, title=title, abstract=abstract,
                                  metadata={**found, **(metadata or {})})
        return next(self.extract_documents([document]))

    def extract_documents(self, documents: Iterable[SourceDocument]) -> Iterator[Record]:
        """Stream records in input order; a document that fails yields a record with `errors`."""
        documents = iter(documents)
        while batch := list(islice(documents, self.batch_size)):
            yield from self._batch(batch)

    def extract_with_docs(self, documents: Iterable[SourceDocument]) -> Iterator[tuple[Record, Doc]]:
        """(record, processed spaCy Doc) for each readable document, in order: for measuring layers
        the record does not hold, such as the NER spans in `doc._.entities` (benchmarks)."""
        readable = [d for d in documents if not d.errors]
        docs = self.nlp.pipe((self._make_doc(d) for d in readable), batch_size=self.batch_size)
        for document, doc in zip(readable, docs):
            yield self._record(document, doc), doc

    def _batch(self, batch: list[SourceDocument]) -> Iterator[Record]:
        readable = [d for d in batch if not d.errors]
        try:
            docs = dict(zip(map(id, readable), self._pipe([self._make_doc(d) for d in readable])))
        except Exception:  # one bad document must not sink the batch: redo one by one
            docs = {}
        for document in batch:
            if document.errors:
                yield self._failed(document, document.errors)
                continue
            try:
                doc = docs.get(id(document)) or self.nlp(self._make_doc(document))
                yield self._record(document, doc)
            except Exception as exc:  # noqa: BLE001 - reported in the record, the run goes on
                error = ErrorInfo(stage="extract", message=f"{type(exc).__name__}: {exc}")
                yield self._failed(document, [error])

    def _pipe(self, docs: list[Doc]) -> list[Doc]:
        """`nlp.pipe` over one batch, each component over every document before the next component:
        the same documents, but run doc by doc the components' code and rule tables evict each other
        from the CPU caches, which cost 1.5 ms more per abstract (10% of the pipeline)."""
        for _, proc in self.nlp.pipeline:
            if hasattr(proc, "pipe"):
                docs = list(proc.pipe(docs, batch_size=self.nlp.batch_size))
            else:
                docs = [proc(doc) for doc in docs]
        return docs

    def _make_doc(self, document: SourceDocument) -> Doc:
        text = document.text
        doc = self.nlp.make_doc(text)
        keep_text(doc, text)
        doc._.publication_types = list(document.metadata.get("publication_types") or [])
        return doc

    def _record(self, document: SourceDocument, doc: Doc) -> Record:
        return Record(
            id=document.id,
            source=document.source,
            title=document.title.strip(),
            text=doc_text(doc),  # doc.text, built once (spaCy rebuilds it from Token objects)
            metadata=_metadata(document.metadata),
            design=doc._.design or Design(),
            sample_size=doc._.sample_size or SampleSize(),
            interventions=doc._.interventions or [],
            endpoints=doc._.endpoints or [],
            p_values=doc._.p_values or [],
            conditions=doc._.conditions or [],
            errors=list(getattr(document, "warnings", [])),  # e.g. a duplicate id: extracted anyway
        )

    @staticmethod
    def _failed(document: SourceDocument, errors: list[ErrorInfo]) -> Record:
        return Record(id=document.id, source=document.source, title=document.title.strip(),
                      text=document.text, metadata=_metadata(document.metadata),
                      errors=[*errors, *getattr(document, "warnings", [])])


def _metadata(raw: dict) -> Metadata:
    """Source metadata as the schema wants it; a malformed field is kept as given under `raw_`."""
    try:
        return Metadata.model_validate(raw)
    except ValidationError as exc:
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        clean = {k: v for k, v in raw.items() if k not in bad}
        return Metadata.model_validate({**clean, **{f"raw_{k}": raw[k] for k in bad}})
