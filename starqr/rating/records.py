"""The plain records the rating engine takes and returns: a subject's period values in
(SubjectInput), its outcome out (RatingResult, a tuple underneath for speed)."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class SubjectInput:
    """One subject's period values: item id -> the SUM of ledger points, or the value."""

    subject_id: int
    values: Mapping[str, float] = field(default_factory=dict)
    category: str | None = None


_RESULT_FIELDS = (
    "rubric",
    "subject_id",
    "total",
    "stars",
    "vetoed",
    "veto_items",
    "exempt",
    "designations",
    "listing",
    "gate_met",
    "scores",
    "bonus",
    "gates",
)


class RatingResult(namedtuple("RatingResult", _RESULT_FIELDS)):
    """The outcome for one subject (read-only).

    ``total`` (rounded to 2 dp), ``stars`` (0..``max_stars``), ``vetoed`` and ``veto_items``,
    ``exempt``, ``designations`` (e.g. ['最强党支部']), ``listing`` (e.g. '红榜' or None),
    ``gate_met`` (True when the rubric has no gate); ``rubric``, the per-component
    ``scores``, ``bonus`` and the ``gates`` met are what ``breakdown`` is built from.

    A named tuple because building 100,000 of them is a third of the cost of rating
    100,000 members, and a tuple is several times cheaper to build than an object setting
    a dozen attributes (the engine builds them with ``tuple.__new__``, in field order).
    ``breakdown`` is built on access for the same reason.
    """

    __slots__ = ()

    @property
    def max_stars(self) -> int:
        return self.rubric.max_stars

    @property
    def breakdown(self) -> list[dict[str, Any]]:
        """One row per component (criterion, dimension), then bonus and gate if any.

        ``passed`` is a bool for components with a pass mark (criteria, dimensions) and
        for the gate; None otherwise.
        """
        rubric = self.rubric
        rows = []
        for component, score in zip(rubric.components, self.scores):
            score = round(score, 2)
            rows.append(
                {
                    "id": component.id,
                    "name": component.name,
                    "score": score,
                    "max": component.max,
                    "passed": None if component.pass_at is None else score >= component.pass_at,
                }
            )
        if rubric.bonus_cap:
            rows.append(
                {
                    "id": "bonus",
                    "name": rubric.bonus_name,
                    "score": round(self.bonus, 2),
                    "max": rubric.bonus_cap,
                    "passed": None,
                }
            )
        if rubric.gate is not None:
            rows.append(
                {
                    "id": "gate",
                    "name": rubric.gate.name,
                    "score": float(self.gates),
                    "max": float(len(rubric.gate_ids)),
                    "passed": self.gate_met,
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "rubric": self.rubric.key,
            "rubric_version": self.rubric.version,
            "total": self.total,
            "stars": self.stars,
            "max_stars": self.max_stars,
            "vetoed": self.vetoed,
            "veto_items": list(self.veto_items),
            "exempt": self.exempt,
            "gate_met": self.gate_met,
            "breakdown": self.breakdown,
            "designations": list(self.designations),
            "listing": self.listing,
        }

    def __repr__(self) -> str:
        flags = " vetoed" if self.vetoed else (" exempt" if self.exempt else "")
        return f"<RatingResult {self.subject_id}: {self.total} {self.stars}/{self.max_stars}★{flags}>"
