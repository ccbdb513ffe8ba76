"""Quota (ranked-share) star assignment, e.g. top 10% 5★, next 30% 4★, next 30% 3★, rest 2★.

Rules, in order — deterministic for the same input, whatever order it came in:

1. **Who is ranked.** Every subject in the ``rate_all`` call except vetoed ones (0 stars)
   and exempt ones (no stars).  Call their number *n*.  Subjects that fail the gate are
   ranked like the others and only capped afterwards (step 5), so a failed gate never
   hands its band to somebody else.
2. **Order.** By total (already rounded to 2 decimals) from high to low; equal totals
   by subject id ascending.  The id only fixes the order; it never decides stars.
3. **Band sizes.** Bands are filled cumulatively with ceiling rounding: with shares
   s1, s2, ... band *k* ends at position ``ceil((s1 + ... + sk) * n)``, a share of
   ``rest`` runs to the end.  So with 100 subjects and 10/30/30/rest, positions 1–10
   get 5★, 11–40 4★, 41–70 3★ and 71–100 2★; with 7 subjects, 1 / 2 / 2 / 2.
   Ceiling rather than floor so that a small branch still has a top band.
4. **Ties.** Subjects with equal totals get the same stars: the *better* band, the one
   of the first of them in the order.  Hence a band can hold more than its share when a
   tie straddles its lower boundary (and the next band correspondingly fewer); the
   count of 5★ is at most ``ceil(share * n)`` plus the number of subjects tied with
   the last subject inside that boundary.
5. **Afterwards.** ``fail_below`` (e.g. total < 60 → 1★) lowers the stars of weak totals
   whatever their rank; a failed gate caps stars at ``gate.on_fail.max_stars``; then
   designations and listing are applied as for threshold rubrics.
"""

from __future__ import annotations

import math

from starqr.rating.designations import designations_met
from starqr.rating.model import Rubric


def band_boundaries(rubric: Rubric, count: int) -> list[tuple[int, int]]:
    """(end position, stars) per band for ``count`` ranked subjects (positions 0-based, end exclusive)."""
    boundaries, cumulative = [], 0.0
    for band in rubric.quota_bands:
        if band.share is None:
            end = count
        else:
            cumulative += band.share
            # Round before ceil so that 0.1 + 0.3 (= 0.4000000000000001) times 100 is 40, not 41.
            end = min(count, math.ceil(round(cumulative * count, 9)))
        boundaries.append((end, band.stars))
    return boundaries


def assign_stars(rubric: Rubric, results: dict, pending: list) -> None:
    """Fill in stars, designations and listing of the ranked subjects in ``results``.

    ``pending`` holds (subject id, total, criteria passed, values) for every subject that
    is neither vetoed nor exempt, as collected by :func:`starqr.rating.engine.rate_all`.
    """
    ordered = sorted(pending, key=lambda entry: (-entry[1], entry[0]))
    boundaries = band_boundaries(rubric, len(ordered))
    fail_below = rubric.quota_fail_below
    gate = rubric.gate
    listing = rubric.listing
    component_count = len(rubric.components)

    band_index = 0
    previous_total, previous_stars = None, 0
    for position, (subject_id, total, passes, values) in enumerate(ordered):
        while band_index < len(boundaries) - 1 and position >= boundaries[band_index][0]:
            band_index += 1
        if total == previous_total:
            stars = previous_stars  # tie: same (better) band as the first of the tie group
        else:
            stars = boundaries[band_index][1]
        previous_total, previous_stars = total, stars

        final_stars = stars
        if fail_below is not None and total < fail_below[0]:
            final_stars = min(final_stars, fail_below[1])
        result = results[subject_id]
        if not result.gate_met and final_stars > gate.max_stars:
            final_stars = gate.max_stars
        titles = result.designations
        if rubric.designations and (result.gate_met or gate.designations):
            titles = designations_met(rubric.designations, total, final_stars, passes == component_count, values)
        # Results are read-only tuples; the band is only known now, so replace the result.
        results[subject_id] = result._replace(stars=final_stars, listing=listing.get(final_stars), designations=titles)
