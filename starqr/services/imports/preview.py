"""What a points file would change: star moves computed without writing anything."""

from collections import ChainMap, defaultdict

from starqr.services import period_rules, rating_inputs, ratings, what_if
from starqr.services.what_if import LazyLabels, StarMove

__all__ = ["LazyLabels", "StarMove", "compute_with", "star_moves"]


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
    changed = {}
    for subject in added.keys() | replaced.keys():
        merged = dict(values.get(subject, {}))
        for item_id, points in added.get(subject, {}).items():
            merged[item_id] = merged.get(item_id, 0.0) + points
        merged.update(replaced.get(subject, {}))
        changed[subject] = merged
    values_after = ChainMap(changed, values)
    before, after = {}, {}
    pinned = period_rules.pinned_versions(period)
    for key, subjects in ratings.subject_groups(period).items():
        try:
            _, rubric = period_rules.version_for(period, key, pinned)  # what publication would use
        except LookupError:
            continue
        # Subjects the rubric cannot rate are held at publication; the preview leaves them out.
        results_before = what_if.rate(rubric, subjects, values, errors={})
        # A quota rubric ranks everyone, so an addition can move subjects it does not touch.
        touched = any((kind, subject_id) in changed for kind, subject_id, _ in subjects)
        results_after = what_if.rate(rubric, subjects, values_after, errors={}) if touched else results_before
        for subject, result in results_before.items():
            if subject in results_after:
                before[subject] = result
                after[subject] = results_after[subject]
    return before, after


def star_moves(period, additions, base_values=None, names=None):
    """(moves, totals changed): subjects whose stars change if ADDITIONS were recorded."""
    return what_if.star_moves(*compute_with(period, additions, base_values), names)
