"""The parts of a public profile that are records: rated years and the archive, the live
ledger, commitments, objections and the public notice (split from profiles.py by size).

Same rules as profiles.py: public fields only, plain data, a fixed number of queries.
"""

import datetime
from collections import defaultdict

from starqr import phrases, rating
from starqr.services import rating_inputs, rubrics, star_reasons, what_if
from starqr.services.star_reasons import number


def iso(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"  # stored as naive UTC
    return value.isoformat()


# ---------------------------------------------------------------- ratings and the archive


def rating_dict(r, period):
    rubric = rubrics.parsed(r.rubric)
    marks = star_reasons.pass_marks(rubric)
    entry = {
        "period": period.name,
        "period_id": period.id,
        "year": period.year,
        "state": period.state,
        "published_at": iso(r.published_at or period.published_at),
        "notice_ends_at": iso(period.notice_ends_at) if period.state == "notice" else None,
        "total": number(r.total),
        "stars": r.stars,
        "max_stars": r.max_stars,
        "vetoed": bool(r.vetoed),
        "veto_items": list(r.veto_items or []),
        "exempt": bool(r.exempt),
        # the rubric's names for the veto items: the page shows words, never item ids
        "veto_names": star_reasons.item_names(rubric, r.veto_items),
        "listing": r.listing,
        "designations": list(r.designations or []),
        "breakdown": [
            {
                "id": b.get("id"),
                "name": b.get("name"),
                "score": number(b.get("score")),
                "max": number(b.get("max")),
                "passed": b.get("passed"),
                "pass_at": marks.get(b.get("id")),
            }
            for b in (r.breakdown or [])
        ],
        "rubric": r.rubric.name,
        "rubric_key": r.rubric.key,
        "rubric_version": r.rubric.version,
        "rubric_kind": rubric.kind,
        "corrected": r.supersedes_id is not None,
        "correction_reason": phrases.read(r.correction_reason) if r.supersedes_id is not None else None,
        # a correction is announced with its date (the superseding snapshot's publication)
        "corrected_at": iso(r.published_at) if r.supersedes_id is not None else None,
    }
    entry["why"] = star_reasons.explain(rubric, entry)
    return entry


def archive(kind, subject_id, published_periods, loader):
    """Every published period's newest rating, oldest first, with the change in stars and total."""
    if not published_periods:
        return []
    by_id = {p.id: p for p in published_periods}
    query = loader.ratings(kind, subject_id, list(by_id))
    newest = {}
    for r in query:
        newest[r.period_id] = r  # a correction supersedes the earlier snapshot
    archive, previous = [], None
    for period in published_periods:
        r = newest.get(period.id)
        if r is None:
            continue
        entry = rating_dict(r, period)
        entry["change_stars"] = None if previous is None else entry["stars"] - previous["stars"]
        entry["change_total"] = None if previous is None else number(entry["total"] - previous["total"])
        archive.append(entry)
        previous = entry
    return archive


def stars_ref(value):
    if value is None:
        return None
    stars, max_stars, vetoed, exempt = value
    return {"stars": stars, "max_stars": max_stars, "vetoed": vetoed, "exempt": exempt}


# ---------------------------------------------------------------- live points


def live(kind, subject_id, period, rubric_key, category, today, loader):
    """This period's ledger so far: items, entries, and an unofficial estimate for points rubrics."""
    if period is None:
        return None
    try:
        version, rubric = loader.current_rubric(rubric_key)
    except (LookupError, rating.RubricError):  # a rubric that cannot be read: no live box, never a 500
        return None
    entries = loader.ledger(kind, subject_id, period)

    def item_name(item_id):
        try:
            return rubric.item(item_id).name
        except KeyError:
            return item_id

    sums, counts = defaultdict(float), defaultdict(int)
    listed = []
    for entry_id, item, points, quantity, reason, public, occurred_on, recorded_at, corrects in entries:
        sums[item] += float(points)
        counts[item] += quantity
        listed.append(
            {
                "item": item,
                "name": item_name(item),
                "points": number(points),
                "quantity": quantity,
                "date": occurred_on or iso(recorded_at.date()),
                # a reason kept off public pages shows as the item's name alone
                "reason": phrases.read(reason) if public else None,
                "correction": corrects is not None,
            }
        )
    # newest first by the day it happened (recording order is not event order)
    listed.sort(key=lambda e: e["date"] or "", reverse=True)
    # Values by the ledger's rule per item kind (rating_inputs): a value item shows the
    # value in use (the latest entry), not the sum of its entries.
    values = rating_inputs.values_from_entries(
        [
            (item, entry_id, points, corrects)
            for entry_id, item, points, _q, _r, _p, _o, _t, corrects in reversed(entries)
        ],
        rating_inputs.value_ids_of(rubric),
    )
    sums = {item: values.get(item, 0.0) for item in sums}
    items = [
        {"item": item, "name": item_name(item), "points": number(total), "count": counts[item]}
        for item, total in sorted(sums.items(), key=lambda pair: -abs(pair[1]))
    ]
    estimate = None
    if rubric.kind == "points":
        # Data the rubric cannot rate gives no estimate rather than an error page.
        subject = (kind, subject_id)
        result = what_if.rate(rubric, [(*subject, category)], {subject: values}, errors={}).get(subject)
        if result is not None:
            estimate = {
                "total": number(result.total),
                "stars": result.stars,
                "max_stars": result.max_stars,
                "vetoed": bool(result.vetoed),
                "exempt": bool(result.exempt),
            }
    return {
        "period": period.name,
        "period_id": period.id,
        "state": period.state,
        "publish_at": iso(period.publish_at),
        "as_of": today.isoformat(),
        "points": number(sum(sums.values())),
        "rubric": version.name,
        "by_item": items,
        "entries": listed,
        "estimate": estimate,
    }


# ---------------------------------------------------------------- commitments and objections


def commitments(kind, subject_id, years, loader):
    query = loader.commitments(kind, subject_id, years)
    result = []
    for c in query:
        result.append(
            {
                "year": c.year,
                "text": c.text,
                "deadline": iso(c.deadline),
                "status": c.status,
                "progress": [{"date": n.get("date"), "text": n.get("text")} for n in (c.progress_notes or [])],
                # photos are files for the console; the public page names them, text evidence is shown
                "evidence": [e.get("value") if e.get("kind") == "text" else None for e in (c.evidence or [])],
                "evaluation": c.evaluation,
                # often illness or family matters: public only once a secretary marked it publishable
                "reason_not_kept": c.reason_not_kept if c.status == "not_done" and c.reason_public else None,
            }
        )
    return result


def objections(kind, subject_id, loader):
    """Resolved objections about this subject: reference, date, outcome, and a rejection's reason.

    The objection's own text and contact stay with the administrators: a sender may have
    written personal details into them.
    """
    query = loader.objections(kind, subject_id)
    result = {"open": 0, "resolved": []}
    for reference, status, resolution, resolved_at, created_at, period_id in query:
        if status == "open":
            result["open"] += 1
            continue
        result["resolved"].append(
            {
                "reference": reference,
                "status": status,
                "received_at": iso(created_at),
                "resolved_at": iso(resolved_at),
                "period_id": period_id,
                "reason": resolution if status == "rejected" else None,
            }
        )
    return result


def notice(archive, published_periods, loader):
    """The public notice (公示) if the newest published result is under it."""
    if not published_periods or published_periods[-1].state != "notice":
        return None
    period = published_periods[-1]
    return {
        "period": period.name,
        "period_id": period.id,
        "published_at": iso(period.published_at),
        "ends_at": iso(period.notice_ends_at),
        "objections_open": True,
        # the ledger's newest signed checkpoint: anyone may keep it and check the ledger later
        "ledger_checkpoint": loader.checkpoint(),
    }
