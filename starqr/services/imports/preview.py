"""What a points file would change: star moves computed without writing anything."""

from collections import defaultdict
from dataclasses import dataclass

from starqr import rating
from starqr.models import PlaqueCode, subject_model
from starqr.services import period_rules, rating_inputs, ratings
from starqr.services.imports.directory import CHUNK


@dataclass
class StarMove:
    subject_kind: str
    subject_id: int
    name: str
    code: str
    before_stars: int
    after_stars: int
    before_total: float
    after_total: float

    def to_dict(self):
        return dict(self.__dict__)


def compute_with(period, additions, base_values=None):
    """ratings.compute as if ADDITIONS (ledger rows, see ledger.entry_row) were in the ledger; nothing is written.

    Returns (before, after): {(kind, id): RatingResult} for every rated subject.
    """
    values = base_values if base_values is not None else ratings.ledger_values(period)
    value_ids = rating_inputs.value_item_ids()
    added = defaultdict(lambda: defaultdict(float))
    replaced = defaultdict(dict)  # value items: the last row's value replaces the current one
    for entry in additions:
        if entry[3] in value_ids:
            replaced[(entry[0], entry[1])][entry[3]] = float(entry[4])
        else:
            added[(entry[0], entry[1])][entry[3]] += float(entry[4])
    before, after = {}, {}
    pinned = period_rules.pinned_versions(period)
    for key, subjects in ratings.subject_groups(period).items():
        try:
            _, rubric = period_rules.version_for(period, key, pinned)  # what publication would use
        except LookupError:
            continue
        inputs_before, inputs_after, touched = [], [], False
        for kind, subject_id, category in subjects:
            current = values.get((kind, subject_id), {})
            inputs_before.append(rating.SubjectInput(subject_id, current, category))
            extra = added.get((kind, subject_id))
            values_set = replaced.get((kind, subject_id))
            if extra or values_set:
                touched = True
                merged = dict(current)
                for item_id, points in (extra or {}).items():
                    merged[item_id] = merged.get(item_id, 0.0) + points
                merged.update(values_set or {})
                inputs_after.append(rating.SubjectInput(subject_id, merged, category))
            else:
                inputs_after.append(rating.SubjectInput(subject_id, current, category))
        kind = subjects[0][0]
        # Subjects the rubric cannot rate are held at publication; the preview leaves them out.
        results_before = rating.rate_all(rubric, inputs_before, errors={}, ignore_unknown=True)
        # A quota rubric ranks everyone, so an addition can move subjects it does not touch.
        results_after = (
            rating.rate_all(rubric, inputs_after, errors={}, ignore_unknown=True) if touched else results_before
        )
        for subject_id, result in results_before.items():
            if subject_id in results_after:
                before[(kind, subject_id)] = result
                after[(kind, subject_id)] = results_after[subject_id]
    return before, after


def star_moves(period, additions, base_values=None, names=None):
    """(moves, totals changed): subjects whose stars change if ADDITIONS were recorded."""
    before, after = compute_with(period, additions, base_values)
    moves, totals_changed = [], 0
    changed_keys = []
    for key, old in before.items():
        new = after[key]
        if old.total != new.total or old.stars != new.stars or old.vetoed != new.vetoed:
            totals_changed += 1
        if old.stars != new.stars:
            changed_keys.append(key)
    labels = _labels(changed_keys) if names is None else names
    for key in changed_keys:
        old, new = before[key], after[key]
        name, code = labels.get(key, ("", ""))
        moves.append(StarMove(key[0], key[1], name, code, old.stars, new.stars, float(old.total), float(new.total)))
    moves.sort(key=lambda m: (m.after_stars - m.before_stars, m.subject_kind, m.subject_id))
    return moves, totals_changed


def _labels(keys):
    """{(kind, id): (name, active code)} for a few subjects, in chunked queries."""
    labels = {}
    by_kind = defaultdict(list)
    for kind, subject_id in keys:
        by_kind[kind].append(subject_id)
    for kind, ids in by_kind.items():
        model = subject_model(kind)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            names = dict(model.select(model.id, model.name_zh).where(model.id.in_(chunk)).tuples())
            codes = dict(
                PlaqueCode.select(PlaqueCode.subject_id, PlaqueCode.code)
                .where(PlaqueCode.subject_kind == kind, PlaqueCode.status == "active", PlaqueCode.subject_id.in_(chunk))
                .tuples()
            )
            for subject_id in chunk:
                labels[(kind, subject_id)] = (names.get(subject_id, ""), codes.get(subject_id, ""))
    return labels


class _LazyLabels(dict):
    """Names from the file's codes; subjects moved by a quota ranking are looked up on demand."""

    def get(self, key, default=None):
        if key not in self:
            self.update(_labels([key]))
        return dict.get(self, key, default)
