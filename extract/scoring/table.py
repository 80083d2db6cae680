"""A plain-text rendering of a score report for the terminal."""
from __future__ import annotations

from typing import Optional

from .report import DocumentDetail, ScoreReport

_MAX_IDS = 10  # missing ids named in the summary line


def _num(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def _grid(rows: list[list[str]]) -> str:
    """First column left-aligned, the others right-aligned, two spaces apart."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _summary(report: ScoreReport) -> str:
    text = f"{report.documents} gold documents scored"
    if report.missing:
        shown = ", ".join(report.missing[:_MAX_IDS]) + (", ..." if len(report.missing) > _MAX_IDS else "")
        text += f"; {len(report.missing)} missing from results: {shown}"
    if report.unscored:
        text += f"; {report.unscored} results not in gold (ignored)"
    return text


def _doc_lines(doc: DocumentDetail) -> list[str]:
    if doc.missing:
        return [f"{doc.id}: missing from results"]
    out = []
    for field in ("design_labels", "registrations", "p_values", "interventions", "endpoints"):
        part = getattr(doc, field)
        if part.missed:
            out.append(f"{doc.id}: {field} missed: {'; '.join(part.missed)}")
        if part.spurious:
            out.append(f"{doc.id}: {field} spurious: {'; '.join(part.spurious)}")
    for field in ("phase", "n"):
        wrong = getattr(doc, field)
        if wrong is not None:
            out.append(f"{doc.id}: {field} gold {wrong.gold} predicted {wrong.predicted}")
    for field in ("interventions", "endpoints"):
        for match in getattr(doc, field).matched:
            for attr, wrong in match.mismatches.items():
                out.append(f"{doc.id}: {field} {match.gold!r} {attr} gold {wrong.gold} predicted {wrong.predicted}")
    return out


def render_table(report: ScoreReport, details: bool = False) -> str:
    """Two aligned tables (P/R/F1 fields, accuracy fields); with `details`, one line per error."""
    prf = [["field", "tp", "fp", "fn", "precision", "recall", "f1"]]
    for label, m in (("design labels", report.design_labels), ("registrations", report.registrations),
                     ("p-values", report.p_values), ("interventions", report.interventions),
                     ("endpoints", report.endpoints)):
        prf.append([label, str(m.tp), str(m.fp), str(m.fn), _num(m.precision), _num(m.recall), _num(m.f1)])
    acc = [["field", "correct", "total", "accuracy"]]
    n = report.n
    for label, correct, total, value in (
        ("phase", report.phase.correct, report.phase.total, report.phase.accuracy),
        ("n", n.correct, n.total, n.accuracy),
        ("n (when answered)", n.answered_correct, n.answered, n.correct_of_answered),
        ("intervention kind (matched)", *_acc(report.intervention_kind)),
        ("intervention role (matched)", *_acc(report.intervention_role)),
        ("endpoint role: primary", *_acc(report.endpoint_role_primary)),
        ("endpoint role: secondary", *_acc(report.endpoint_role_secondary)),
    ):
        acc.append([label, str(correct), str(total), _num(value)])
    parts = [_summary(report), _grid(prf), _grid(acc)]
    if details:
        lines = [line for doc in report.details for line in _doc_lines(doc)]
        parts.append("\n".join(lines) if lines else "no errors")
    return "\n\n".join(parts)


def _acc(m) -> tuple[int, int, Optional[float]]:
    return m.correct, m.total, m.accuracy
