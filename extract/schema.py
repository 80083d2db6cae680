"""The output contract: one validated record per document (pydantic v2)."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

DesignLabel = Literal[
    "randomized", "non-randomized", "controlled", "placebo-controlled", "double-blind",
    "single-blind", "triple-blind", "open-label", "crossover", "parallel-group", "factorial",
    "cluster-randomized", "multicenter", "single-center", "pilot", "first-in-human",
    "dose-escalation", "non-inferiority", "equivalence", "prospective", "retrospective", "cohort",
    "case-control", "cross-sectional", "case-report", "case-series", "systematic-review",
    "meta-analysis", "animal", "in-vitro",
]
Phase = Literal["1", "1/2", "2", "2/3", "3", "4"]
InterventionKind = Literal[
    "drug", "biological", "cell-therapy", "procedure", "device", "behavioral",
    "dietary-supplement", "radiation", "placebo", "other",
]
InterventionRole = Literal["experimental", "control"]
EndpointRole = Literal["primary", "secondary", "other"]
Comparator = Literal["=", "<", ">", "<=", ">="]

# Larger than any trial or cohort an abstract reports; anything above is a misread number.
MAX_SAMPLE_SIZE = 100_000_000


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Model):
    """Evidence: `text == record.text[start:end]`."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} < start {self.start}")
        return self


class Metadata(BaseModel):
    """What the source says about the document; unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    publication_types: list[str] = Field(default_factory=list)
    pmid: Optional[str] = None
    journal: Optional[str] = None
    year: Optional[int] = None


class Design(Model):
    labels: list[DesignLabel] = Field(default_factory=list)
    phase: Optional[Phase] = None
    registrations: list[str] = Field(default_factory=list)
    evidence: list[Span] = Field(default_factory=list)


Count = Optional[int]


class SampleSize(Model):
    n: Count = Field(default=None, ge=0, le=MAX_SAMPLE_SIZE)
    enrolled: Count = Field(default=None, ge=0, le=MAX_SAMPLE_SIZE)
    randomized: Count = Field(default=None, ge=0, le=MAX_SAMPLE_SIZE)
    analyzed: Count = Field(default=None, ge=0, le=MAX_SAMPLE_SIZE)
    completed: Count = Field(default=None, ge=0, le=MAX_SAMPLE_SIZE)
    evidence: list[Span] = Field(default_factory=list)


class Intervention(Model):
    name: str
    kind: InterventionKind
    role: InterventionRole
    span: Span


class Endpoint(Model):
    name: str
    role: EndpointRole
    span: Span


class Condition(Model):
    """A disease or condition the study is about (NER DISEASE spans and PARTICIPANTS condition spans)."""

    name: str
    span: Span


class PValue(Model):
    text: str
    comparator: Comparator
    value: float = Field(ge=0.0, le=1.0)
    span: Span


class ErrorInfo(Model):
    """Why a document (or part of it) could not be processed."""

    stage: Literal["read", "extract"]
    message: str


class Record(Model):
    id: str
    source: str
    title: str = ""
    text: str = ""
    metadata: Metadata = Field(default_factory=Metadata)
    design: Design = Field(default_factory=Design)
    sample_size: SampleSize = Field(default_factory=SampleSize)
    interventions: list[Intervention] = Field(default_factory=list)
    endpoints: list[Endpoint] = Field(default_factory=list)
    p_values: list[PValue] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    errors: list[ErrorInfo] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_index_text(self) -> "Record":
        for span in self.spans():
            if span.end > len(self.text) or self.text[span.start:span.end] != span.text:
                raise ValueError(
                    f"span {span.start}:{span.end} {span.text!r} does not match the record text"
                )
        return self

    def spans(self) -> list[Span]:
        """Every evidence span the record carries."""
        out = list(self.design.evidence) + list(self.sample_size.evidence)
        out += [item.span for item in (*self.interventions, *self.endpoints, *self.p_values, *self.conditions)]
        return out


def json_schema() -> dict:
    """The JSON Schema of one output line."""
    return Record.model_json_schema()
