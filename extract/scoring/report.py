"""Score extraction results against gold annotations: `score(results, gold) -> ScoreReport`."""
from __future__ import annotations

import math
from typing import Any, Iterable, Optional, Union

from pydantic import BaseModel, Field, ValidationError, computed_field

from ..gold import GoldDocument, describe_validation_error
from ..schema import Record
from .metrics import PRF, Accuracy, CountAccuracy
from .names import greedy_match


class ResultsError(ValueError):
    """A results record that cannot be read or does not fit the output schema."""


class Mismatch(BaseModel):
    gold: Any = None
    predicted: Any = None


class SetDetail(BaseModel):
    missed: list[str] = Field(default_factory=list)    # in gold, not predicted
    spurious: list[str] = Field(default_factory=list)  # predicted, not in gold


class Match(BaseModel):
    gold: str
    predicted: str
    similarity: float
    mismatches: dict[str, Mismatch] = Field(default_factory=dict)  # attributes that differ (kind, role)


class ItemDetail(SetDetail):
    matched: list[Match] = Field(default_factory=list)


class DocumentDetail(BaseModel):
    """What one document got wrong; `phase` and `n` are set only when wrong."""

    id: str
    missing: bool = False  # no result for this gold id: everything counts as missed
    design_labels: SetDetail = Field(default_factory=SetDetail)
    registrations: SetDetail = Field(default_factory=SetDetail)
    phase: Optional[Mismatch] = None
    n: Optional[Mismatch] = None
    p_values: SetDetail = Field(default_factory=SetDetail)
    interventions: ItemDetail = Field(default_factory=ItemDetail)
    endpoints: ItemDetail = Field(default_factory=ItemDetail)

    @computed_field
    @property
    def ok(self) -> bool:
        sets = (self.design_labels, self.registrations, self.p_values, self.interventions, self.endpoints)
        return (
            not self.missing and self.phase is None and self.n is None
            and not any(s.missed or s.spurious for s in sets)
            and not any(m.mismatches for m in (*self.interventions.matched, *self.endpoints.matched))
        )


class ScoreReport(BaseModel):
    documents: int = 0                                  # gold documents scored
    missing: list[str] = Field(default_factory=list)    # gold ids without a result
    unscored: int = 0                                   # results whose id is not in gold (ignored)
    design_labels: PRF = Field(default_factory=PRF)
    registrations: PRF = Field(default_factory=PRF)
    phase: Accuracy = Field(default_factory=Accuracy)
    n: CountAccuracy = Field(default_factory=CountAccuracy)
    p_values: PRF = Field(default_factory=PRF)
    interventions: PRF = Field(default_factory=PRF)
    intervention_kind: Accuracy = Field(default_factory=Accuracy)  # over matched pairs
    intervention_role: Accuracy = Field(default_factory=Accuracy)  # over matched pairs
    endpoints: PRF = Field(default_factory=PRF)
    endpoint_role_primary: Accuracy = Field(default_factory=Accuracy)    # over gold primary endpoints
    endpoint_role_secondary: Accuracy = Field(default_factory=Accuracy)  # over gold secondary endpoints
    details: list[DocumentDetail] = Field(default_factory=list)


def score(results: Iterable[Union[dict, Record]], gold: dict[str, GoldDocument]) -> ScoreReport:
    """Score result records (output-schema dicts) against gold; only gold ids are scored."""
    return score_records(((f"result #{k}", _validate(item, k)) for k, item in enumerate(results, 1)), gold)


def score_records(labelled: Iterable[tuple[str, Record]], gold: dict[str, GoldDocument]) -> ScoreReport:
    """Score (label, record) pairs; the label names the record in errors (e.g. "file, line 3")."""
    report = ScoreReport()
    predicted: dict[str, tuple[str, Record]] = {}
    for label, record in labelled:
        if record.id not in gold:
            report.unscored += 1
        elif record.id in predicted:
            raise ResultsError(f"{label}: duplicate id {record.id!r} (first at {predicted[record.id][0]})")
        else:
            predicted[record.id] = (label, record)
    for doc_id in sorted(gold):
        record = predicted.get(doc_id, (None, None))[1]
        report.details.append(_score_document(report, gold[doc_id], record))
    report.documents = len(gold)
    report.missing = [d.id for d in report.details if d.missing]
    return report


def _validate(item: Union[dict, Record], k: int) -> Record:
    if isinstance(item, Record):
        return item
    try:
        return Record.model_validate(item)
    except ValidationError as exc:
        doc_id = item.get("id") if isinstance(item, dict) else None
        raise ResultsError(f"result #{k} (id {doc_id!r}): {describe_validation_error(exc)}") from None


def _score_document(report: ScoreReport, gold: GoldDocument, pred: Optional[Record]) -> DocumentDetail:
    detail = DocumentDetail(id=gold.id, missing=pred is None)
    if pred is None:
        pred = Record(id=gold.id, source="")
    detail.design_labels = _set(report.design_labels, gold.design.labels, pred.design.labels)
    detail.registrations = _set(
        report.registrations, map(_registration, gold.design.registrations),
        map(_registration, pred.design.registrations),
    )
    # A missing document is wrong on phase and n even where gold is null.
    phase_ok = pred.design.phase == gold.design.phase and not detail.missing
    report.phase.add(phase_ok)
    if not phase_ok:
        detail.phase = Mismatch(gold=gold.design.phase, predicted=pred.design.phase)
    if detail.missing:
        report.n.add(False)
    else:
        report.n.add_answer(pred.sample_size.n, gold.sample_size.n)
    if detail.missing or pred.sample_size.n != gold.sample_size.n:
        detail.n = Mismatch(gold=gold.sample_size.n, predicted=pred.sample_size.n)
    detail.p_values = _p_values(report.p_values, gold, pred)
    detail.interventions, pairs = _items(report.interventions, gold.interventions, pred.interventions,
                                         ("kind", "role"))
    for g, p in pairs.values():
        report.intervention_kind.add(g.kind == p.kind)
        report.intervention_role.add(g.role == p.role)
    detail.endpoints, pairs = _items(report.endpoints, gold.endpoints, pred.endpoints, ("role",))
    roles = {"primary": report.endpoint_role_primary, "secondary": report.endpoint_role_secondary}
    for j, item in enumerate(gold.endpoints):
        if item.role in roles:
            roles[item.role].add(j in pairs and pairs[j][1].role == item.role)
    return detail


def _registration(text: str) -> str:
    return "".join(text.split()).upper()


def _set(prf: PRF, gold: Iterable[str], pred: Iterable[str]) -> SetDetail:
    g, p = set(gold), set(pred)
    prf.add(len(g & p), len(p - g), len(g - p))
    return SetDetail(missed=sorted(g - p), spurious=sorted(p - g))


def _p_values(prf: PRF, gold: GoldDocument, pred: Record) -> SetDetail:
    """Multiset matching on (comparator, value), values within a tiny tolerance."""
    unmatched = list(pred.p_values)
    missed = []
    for g in gold.p_values:
        hit = next((k for k, p in enumerate(unmatched) if p.comparator == g.comparator
                    and math.isclose(p.value, g.value, rel_tol=1e-9, abs_tol=1e-12)), None)
        if hit is None:
            missed.append(g)
        else:
            del unmatched[hit]
    prf.add(len(gold.p_values) - len(missed), len(unmatched), len(missed))
    return SetDetail(missed=[_show(v) for v in missed], spurious=[_show(v) for v in unmatched])


def _show(p_value) -> str:
    return f"{p_value.text} ({p_value.comparator} {p_value.value:g})"


def _items(prf: PRF, gold: list, pred: list, attributes: tuple[str, ...]) -> tuple[ItemDetail, dict]:
    """Greedy one-to-one name matching; the detail, and {gold index: (gold item, predicted item)}."""
    pairs = greedy_match([p.name for p in pred], [[g.name, *g.aliases] for g in gold])
    prf.add(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
    matched = []
    for i, j, sim in pairs:
        g, p = gold[j], pred[i]
        diff = {a: Mismatch(gold=getattr(g, a), predicted=getattr(p, a))
                for a in attributes if getattr(g, a) != getattr(p, a)}
        matched.append(Match(gold=g.name, predicted=p.name, similarity=sim, mismatches=diff))
    used_g = {j for _, j, _ in pairs}
    used_p = {i for i, _, _ in pairs}
    detail = ItemDetail(
        matched=matched,
        missed=[g.name for j, g in enumerate(gold) if j not in used_g],
        spurious=[p.name for i, p in enumerate(pred) if i not in used_p],
    )
    return detail, {j: (gold[j], pred[i]) for i, j, _ in pairs}
