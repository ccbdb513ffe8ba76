"""The parsed, validated form of a rubric file.

Objects here are immutable values built once by :mod:`starqr.rating.schema`.  Besides
the readable structure (components, items, star rules...) a :class:`Rubric` carries a
few precomputed tables (``_item_specs`` and friends) so that :mod:`starqr.rating.engine`
does no dictionary-of-dictionaries walking per subject: rating 100,000 members must stay
well under two seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Item kinds, as seen by consoles and importers.
EVENT = "event"  # one ledger entry per event, carrying ``points`` (sums are capped by ``cap``)
VALUE = "value"  # a measured value: appraisal %, criterion score, dimension score, share 0..1
BONUS = "bonus"  # an event in the bonus section (its sum counts towards the bonus cap)
VETO = "veto"  # 一票否决: any positive value zeroes the year
GATE = "gate"  # a precondition (e.g. 五个基本): a positive value means met

# Component modes: how a component turns its items' values into a score in 0..max.
DEDUCT_ONLY = "deduct_only"  # start at max, deductions subtract, floor 0
ACCUMULATE = "accumulate"  # start at 0, capped items add up, capped at max
RATIO = "ratio"  # one value item in 0..1, times max
SCALE = "scale"  # one value item times ``factor``, capped at max
DIRECT = "direct"  # one value item that already is the score (0..max)
MODES = (DEDUCT_ONLY, ACCUMULATE, RATIO, SCALE, DIRECT)
VALUE_MODES = (RATIO, SCALE, DIRECT)

KINDS = ("points", "pass_fail", "dimensions", "quota")
SCOPES = ("member", "organisation")


@dataclass(frozen=True, slots=True)
class Item:
    """Something a ledger entry or an import column can carry a number for.

    ``min``/``max`` bound what ONE ledger entry (or one imported value) may carry:
    for event items that is ``±|points|`` (a correction reverses one event), for value
    items the value's range, for veto and gate items 0..1 (1 = triggered / met).
    ``cap`` bounds the item's period sum (event and bonus items only).
    """

    id: str
    name: str
    kind: str
    component: str | None = None
    points: float | None = None
    cap: float | None = None
    min: float = 0.0
    max: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "component": self.component,
            "points": self.points,
            "cap": self.cap,
            "min": self.min,
            "max": self.max,
        }


@dataclass(frozen=True, slots=True)
class Component:
    """A scored part of the total: a points component, a criterion or a dimension."""

    id: str
    name: str
    max: float
    mode: str
    factor: float | None = None
    pass_at: float | None = None  # criteria / dimensions: passed when score >= pass_at


@dataclass(frozen=True, slots=True)
class StarRule:
    """Threshold rule: ``stars`` when total >= ``min`` and every ``requires`` item is met."""

    min: float
    stars: int
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuotaBand:
    """Ranked share: the next ``share`` of the ranking (None = everyone left) gets ``stars``."""

    share: float | None
    stars: int


@dataclass(frozen=True, slots=True)
class Designation:
    """A title such as 最强党支部, awarded when every given condition holds."""

    name: str
    min_total: float | None = None
    min_stars: int | None = None
    all_components_pass: bool = False
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """What a subject that fails the gate may still get."""

    name: str
    max_stars: int
    designations: bool


@dataclass(frozen=True, eq=False)  # identity equality: rubrics are hashable cache keys
class Rubric:
    """A validated rubric.  ``text`` is the source, for storing the version that rated."""

    key: str
    version: int
    scope: str
    name: str
    kind: str
    text: str
    description: str
    components: tuple[Component, ...]
    items: list[Item]
    bonus_name: str
    bonus_cap: float
    total_min: float
    total_max: float
    veto_ids: tuple[str, ...]
    gate_ids: tuple[str, ...]
    gate: GatePolicy | None
    exempt_categories: frozenset[str]
    star_rules: tuple[StarRule, ...]  # points / dimensions
    quota_bands: tuple[QuotaBand, ...]  # quota
    quota_fail_below: tuple[float, int] | None
    designations: tuple[Designation, ...]
    listing: dict[int, str]  # stars -> list name (红榜 ...)
    max_stars: int
    # Precomputed for the engine; see engine.py for how each is used.
    _item_specs: dict[str, tuple] = field(repr=False, default_factory=dict)
    _component_specs: tuple = field(repr=False, default=())
    _items_by_id: dict[str, Item] = field(repr=False, default_factory=dict)
    # 党龄 shown for members: "full_membership" (from 转正, as the Party Constitution counts
    # it; the default) or "joined" (from admission, for schemes that count it so).
    party_age_from: str = "full_membership"

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` if the rubric has none."""
        return self._items_by_id[item_id]

    def component(self, component_id: str) -> Component:
        for component in self.components:
            if component.id == component_id:
                return component
        raise KeyError(component_id)

    def __repr__(self) -> str:
        return f"<Rubric {self.key} v{self.version} ({self.kind}, {self.scope})>"
