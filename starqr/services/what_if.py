"""The what-if rating: subjects rated against a rubric with given values, nothing written.

The one way a service rates: the rating run (ratings.compute), a rubric upload's preview
(rubric_uploads), a points file's preview (imports.preview), the secretary's and the public
page's live estimates. Which subjects, which rubric and which values are the caller's;
`star_moves` then says whose stars a change moves.
"""

from collections import defaultdict
from dataclasses import dataclass

from starqr import rating
from starqr.models import PlaqueCode, subject_model

CHUNK = 900  # ids per IN (...): under SQLite's 999-parameter limit on old builds


def rate(rubric, subjects, values, errors=None, ignore_unknown=True):
    """{(kind, id): RatingResult} of SUBJECTS [(kind, id, category)] under RUBRIC, their
    period values from VALUES {(kind, id): {item: value}} (none: nothing recorded).

    With ERRORS (a dict) a subject the rubric cannot rate is left out and ERRORS[(kind, id)]
    says why; without, the first such subject raises (rating.rate_all). IGNORE_UNKNOWN
    leaves out values of items the rubric does not know (a transferred member's).
    """
    results = {}
    by_kind = defaultdict(list)
    for kind, subject_id, category in subjects:
        by_kind[kind].append(rating.SubjectInput(subject_id, values.get((kind, subject_id), {}), category))
    for kind, inputs in by_kind.items():
        failed = None if errors is None else {}
        for subject_id, result in rating.rate_all(rubric, inputs, errors=failed, ignore_unknown=ignore_unknown).items():
            results[(kind, subject_id)] = result
        if failed:
            errors.update(((kind, subject_id), error) for subject_id, error in failed.items())
    return results


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


def star_moves(before, after, names=None):
    """(moves, totals changed) from two ratings of the same subjects ({(kind, id): RatingResult}):
    a StarMove for each subject rated in both whose stars differ, the largest falls first;
    how many subjects' total, stars or veto differ. NAMES: {(kind, id): (name, code)}
    (default: looked up)."""
    totals_changed = 0
    changed = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            continue
        if old.total != new.total or old.stars != new.stars or old.vetoed != new.vetoed:
            totals_changed += 1
        if old.stars != new.stars:
            changed.append(key)
    names = labels(changed) if names is None else names
    moves = []
    for key in changed:
        old, new = before[key], after[key]
        name, code = names.get(key, ("", ""))
        moves.append(StarMove(key[0], key[1], name, code, old.stars, new.stars, float(old.total), float(new.total)))
    moves.sort(key=lambda m: (m.after_stars - m.before_stars, m.subject_kind, m.subject_id))
    return moves, totals_changed


def labels(keys):
    """{(kind, id): (name, active code)} for a few subjects, in chunked queries."""
    found = {}
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
                found[(kind, subject_id)] = (names.get(subject_id, ""), codes.get(subject_id, ""))
    return found


class LazyLabels(dict):
    """Labels known already (e.g. from a file's codes); any other subject is looked up on demand
    (a quota ranking moves subjects no row names)."""

    def get(self, key, default=None):
        if key not in self:
            self.update(labels([key]))
        return dict.get(self, key, default)
