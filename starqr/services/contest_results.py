"""比武争星 results: the trimmed mean of the judges' totals, the ranking, closing a round
(scores final, results published, an optional bonus to the top branches in the ledger) and
a branch's results on its scan page. Rounds, judges and scoring are services/contests.py."""

from decimal import ROUND_HALF_UP, Decimal

from starqr import ledger, phrases
from starqr.db import database
from starqr.errors import N_, Conflict, Invalid
from starqr.models import ORGANISATION, Contest, ContestEntrant, ContestScore, Organisation, utcnow
from starqr.services import audit, period_rules, revision, rubrics
from starqr.services.contests import TRIM_FROM, check_open, entrants, may_run


def trimmed_mean(totals, trim_from=TRIM_FROM):
    """The mean of TOTALS, without the highest and the lowest when there are TRIM_FROM or more."""
    values = sorted(Decimal(str(t)) for t in totals)
    if not values:
        return None
    if len(values) >= trim_from:
        values = values[1:-1]
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def standings(contest):
    """[{"organisation_id", "name", "score", "judges", "trimmed", "rank"}] best first (ties share a rank)."""
    totals = {}
    for row in ContestScore.select().where(ContestScore.contest_id == contest.id):
        totals.setdefault(row.organisation_id, []).append(row.total)
    rows = []
    for branch in entrants(contest):
        branch_totals = totals.get(branch.id, [])
        mean = trimmed_mean(branch_totals)
        rows.append(
            {
                "organisation_id": branch.id,
                "name": branch.name_zh,
                "judges": len(branch_totals),
                "trimmed": len(branch_totals) >= TRIM_FROM,
                "score": float(mean) if mean is not None else None,
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row["score"] is None:
            row["rank"] = None
            continue
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    return rows


def close(actor, contest, award_item=None, award_top=0, now=None):
    """End the round: scores final, ranking frozen and published; optionally a bonus to the top."""
    actor = may_run(actor, contest)
    check_open(contest)
    results = standings(contest)
    if not any(r["score"] is not None for r in results):
        raise Invalid(N_("还没有任何评分，不能结束"))
    award_top = max(0, min(int(award_top or 0), len(results)))
    awards = _awards(contest, results, award_item, award_top) if award_item and award_top else []
    with database.atomic():
        claimed = (
            Contest.update(
                state="closed",
                closed_at=now or utcnow(),
                results=results,
                award_item=award_item or None,
                award_top=award_top,
            )
            .where(Contest.id == contest.id, Contest.state == "open")
            .execute()
        )
        if not claimed:
            raise Conflict(N_("这场比武争星已结束，评分不能再改"))
        if awards:
            ledger.append(awards)
            for entry in awards:
                audit.record(
                    actor,
                    "contest.award",
                    f"organisation:{entry.subject_id}",
                    None,
                    {"contest": contest.name, "item": entry.item, "points": str(entry.points), "reason": entry.reason},
                )
        audit.record(
            actor,
            "contest.closed",
            contest,
            None,
            {"rank": [f"{r['rank']}. {r['name']} {r['score']}" for r in results if r["rank"]]},
        )
        revision.bump(*[Organisation.get_by_id(r["organisation_id"]) for r in results])
    contest.state, contest.results = "closed", results
    return results


def _awards(contest, results, item_id, top):
    """Ledger entries: the bonus ITEM_ID of each top branch's own rubric, in the period taking points."""
    period = period_rules.newest_period(period_rules.TAKING_POINTS)
    if period is None:
        raise Conflict(N_("目前没有可以记分的评定期，不能把比武争星结果记入台账"))
    entries = []
    for row in results:
        if row["rank"] is None or row["rank"] > top:
            continue
        branch = Organisation.get_by_id(row["organisation_id"])
        _version, rubric = rubrics.current_rubric(rubrics.organisation_rubric_key(branch))
        item = next((i for i in rubric.items if i.id == item_id and i.kind == "bonus"), None)
        if item is None:
            raise Invalid(N_("%(branch)s 的评分标准没有加分项 %(item)s"), branch=branch.name_zh, item=item_id)
        entries.append(
            ledger.NewEntry(
                ORGANISATION,
                branch.id,
                period.id,
                item.id,
                Decimal(str(item.points)).quantize(Decimal("0.01")),
                phrases.stored("contest_rank", contest=contest.name, rank=row["rank"]),
                contest.organiser,
                evidence=phrases.stored(
                    "contest_evidence", id=contest.id, contest=contest.name, judges=row["judges"], score=row["score"]
                ),
                occurred_on=contest.held_on,
                source=f"contest:{contest.id}:{branch.id}",
            )
        )
    return entries


def award_items(contest):
    """Bonus items every entrant's rubric has: [(id, name, points)]."""
    common = None
    for branch in entrants(contest):
        _version, rubric = rubrics.current_rubric(rubrics.organisation_rubric_key(branch))
        items = {(i.id, i.name, i.points) for i in rubric.items if i.kind == "bonus"}
        common = items if common is None else common & items
    return sorted(common or ())


def public_results(organisation_id, limit=10):
    """Closed rounds a branch took part in, newest first: [{"contest", "held_on", "rank", "of", "score"}].

    One query (the scan page counts its queries)."""
    shown = []
    query = (
        Contest.select(Contest.name, Contest.held_on, Contest.closed_at, Contest.results)
        .join(ContestEntrant, on=(ContestEntrant.contest_id == Contest.id))
        .where(ContestEntrant.organisation_id == organisation_id, Contest.state == "closed")
        .order_by(Contest.closed_at.desc())
        .limit(limit)
    )
    for contest in query:
        ranked = [r for r in contest.results or [] if r.get("rank")]
        mine = next((r for r in ranked if r["organisation_id"] == organisation_id), None)
        if mine is not None:
            shown.append(
                {
                    "contest": contest.name,
                    "held_on": contest.held_on or contest.closed_at.date().isoformat(),
                    "rank": mine["rank"],
                    "of": len(ranked),
                    "score": mine["score"],
                }
            )
    return shown
