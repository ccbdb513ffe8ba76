"""比武争星: star contests scored on site, and the 整乡推进示范苏木镇 town designation.

A contest is a round (a town's 拉练观摩, a banner-wide 比武) run by an administrator (the
organiser) for a set of branches. Judges are console users or visiting secretaries with a
one-time link; each scores each branch against a sheet of criteria with maxima (a
rubric-like file in starqr/rubrics/contests/). A judge may not score their own branch.
The organiser closes the round: scores are final, the result per branch is the trimmed
mean of the judges' totals (highest and lowest dropped with five judges or more), ranked,
and published on the branches' scan pages; optionally the top branches get a bonus item of
their rubric written to the ledger with the contest as reason and evidence. Every score is
audited. No Flask here: callers pass an access.Actor (or, for a link judge, the judge row).
"""

import hashlib
import os
import secrets
from decimal import ROUND_HALF_UP, Decimal

import yaml

from starqr import ledger
from starqr.db import database
from starqr.errors import N_, Conflict, Forbidden, Invalid, NotFound
from starqr.models import (
    ORGANISATION,
    Contest,
    ContestEntrant,
    ContestJudge,
    ContestScore,
    Organisation,
    RatingPeriod,
    User,
    utcnow,
)
from starqr.services import access, audit, revision, rubrics

SHEETS_DIRECTORY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "rubrics", "contests")
TRIM_FROM = 5  # with this many judges or more, drop the highest and the lowest total
MAX_ENTRANTS = 200
MAX_JUDGES = 60


# ---------------------------------------------------------------- scoring sheets


def load_sheet(key):
    """{"key", "name", "criteria": [{"id", "name", "max", "rule"}]} from the shipped file KEY."""
    if not key or not key.replace("_", "").isalnum():
        raise Invalid(N_("没有评分表 %(key)s"), key=key)
    path = os.path.join(SHEETS_DIRECTORY, f"{key}.yaml")
    if not os.path.isfile(path):
        raise Invalid(N_("没有评分表 %(key)s"), key=key)
    with open(path, encoding="utf-8") as handle:
        return parse_sheet(handle.read(), key)


def parse_sheet(text, key="<sheet>"):
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or not data["criteria"]:
        raise Invalid(N_("评分表 %(key)s 应有 criteria 列表"), key=key)
    criteria, seen = [], set()
    for raw in data["criteria"]:
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
            raise Invalid(N_("评分表 %(key)s 的每一项都要有 id 和 name"), key=key)
        maximum = raw.get("max")
        if not isinstance(maximum, (int, float)) or isinstance(maximum, bool) or not 0 < maximum <= 1000:
            raise Invalid(N_("评分表 %(key)s 的 %(id)s 满分应为正数"), key=key, id=raw["id"])
        if raw["id"] in seen:
            raise Invalid(N_("评分表 %(key)s 的 %(id)s 重复"), key=key, id=raw["id"])
        seen.add(raw["id"])
        criteria.append(
            {"id": str(raw["id"]), "name": str(raw["name"]), "max": float(maximum), "rule": str(raw.get("rule") or "")}
        )
    return {
        "key": str(data.get("key") or key),
        "name": str(data.get("name") or key),
        "criteria": criteria,
        "max": sum(c["max"] for c in criteria),
    }


def sheets():
    """[(key, name)] of the shipped scoring sheets."""
    found = []
    for filename in sorted(os.listdir(SHEETS_DIRECTORY)):
        if filename.endswith(".yaml"):
            found.append((filename[:-5], load_sheet(filename[:-5])["name"]))
    return found


# ---------------------------------------------------------------- rounds


def _organiser(actor):
    actor = access.as_actor(actor)
    if actor.role not in access.ADMINISTRATORS or not actor.active:
        raise Forbidden(N_("只有管理员可以组织比武争星"))
    return actor


def _may_run(actor, contest):
    actor = _organiser(actor)
    if actor.role != access.ADMIN and contest.organiser != actor.name:
        raise Forbidden(N_("只有组织者可以管理这场比武争星"))
    return actor


def create(actor, name, branch_ids, sheet_key, held_on=None):
    """A new open round for BRANCH_IDS (each in the organiser's scope)."""
    actor = _organiser(actor)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise Invalid(N_("请填写比武争星的名称（120字以内）"))
    ids = sorted({int(i) for i in branch_ids or ()})
    if len(ids) < 2:
        raise Invalid(N_("至少选择两个参赛支部"))
    if len(ids) > MAX_ENTRANTS:
        raise Invalid(N_("参赛支部不能超过 %(n)s 个"), n=MAX_ENTRANTS)
    branches = [access.require_branch(actor, branch_id) for branch_id in ids]
    sheet = load_sheet(sheet_key)
    with database.atomic():
        contest = Contest.create(
            name=name,
            organiser=actor.name,
            sheet_key=sheet["key"],
            sheet=sheet,
            scope_organisation_id=actor.organisation_id if not actor.sees_everything else None,
            held_on=held_on.isoformat() if held_on else None,
        )
        for branch in branches:
            ContestEntrant.create(contest_id=contest.id, organisation_id=branch.id)
        audit.record(
            actor,
            "contest.created",
            contest,
            None,
            {"name": name, "organisation": [b.name_zh for b in branches], "key": sheet["key"]},
        )
    return contest


def get(actor, contest_id):
    """A contest the actor may see (organisers and admins; their scope's overseers)."""
    actor = access.as_actor(actor)
    contest = Contest.get_or_none(Contest.id == contest_id)
    if contest is None or not _visible(actor, contest):
        raise NotFound()
    return contest


def _visible(actor, contest):
    if actor.sees_everything or contest.organiser == actor.name:
        return True
    if actor.role in (access.ORG_ADMIN, access.VIEWER) and contest.scope_organisation_id:
        scope = Organisation.get_or_none(Organisation.id == contest.scope_organisation_id)
        return scope is not None and access.can_view(actor, scope)
    return False


def visible_contests(actor):
    actor = access.as_actor(actor)
    return [c for c in Contest.select().order_by(Contest.id.desc()).limit(200) if _visible(actor, c)]


def entrants(contest):
    ids = [e.organisation_id for e in ContestEntrant.select().where(ContestEntrant.contest_id == contest.id)]
    return list(Organisation.select().where(Organisation.id.in_(ids or [0])).order_by(Organisation.path))


def judges(contest):
    return list(ContestJudge.select().where(ContestJudge.contest_id == contest.id).order_by(ContestJudge.id))


def _check_open(contest):
    if contest.state != "open":
        raise Conflict(N_("这场比武争星已结束，评分不能再改"))


def add_judge_user(actor, contest, username):
    """A console user as judge; a secretary's own branch is recorded so they cannot score it."""
    actor = _may_run(actor, contest)
    _check_open(contest)
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None or not user.active:
        raise Invalid(N_("没有用户 %(name)s"), name=username)
    if ContestJudge.select().where(ContestJudge.contest_id == contest.id, ContestJudge.user_id == user.id).exists():
        raise Conflict(N_("%(name)s 已是评委"), name=user.username)
    _judge_limit(contest)
    judge = ContestJudge.create(
        contest_id=contest.id,
        name=user.username,
        user_id=user.id,
        organisation_id=user.organisation_id if user.role == access.SECRETARY else None,
    )
    audit.record(actor, "contest.judge_added", contest, None, {"judge": user.username})
    return judge


def add_judge_link(actor, contest, name, organisation_id=None):
    """A visiting secretary as judge: returns (judge, token); the token is shown once, stored hashed."""
    actor = _may_run(actor, contest)
    _check_open(contest)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise Invalid(N_("请填写评委姓名（60字以内）"))
    home = None
    if organisation_id:
        home = Organisation.get_or_none(Organisation.id == int(organisation_id))
        if home is None or home.level != "branch":
            raise Invalid(N_("评委所在支部不存在"))
    _judge_limit(contest)
    token = secrets.token_urlsafe(24)
    judge = ContestJudge.create(
        contest_id=contest.id, name=name, organisation_id=home.id if home else None, token_hash=hash_token(token)
    )
    audit.record(
        actor, "contest.judge_added", contest, None, {"judge": name, "organisation": home.name_zh if home else None}
    )
    return judge, token


def _judge_limit(contest):
    if ContestJudge.select().where(ContestJudge.contest_id == contest.id).count() >= MAX_JUDGES:
        raise Invalid(N_("评委不能超过 %(n)s 位"), n=MAX_JUDGES)


def hash_token(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


def judge_for_token(token):
    """(contest, judge) for a judge link, or raise NotFound."""
    judge = ContestJudge.get_or_none(ContestJudge.token_hash == hash_token(token)) if token else None
    if judge is None:
        raise NotFound()
    return Contest.get_by_id(judge.contest_id), judge


def judge_for_user(contest, user_id):
    judge = ContestJudge.get_or_none(ContestJudge.contest_id == contest.id, ContestJudge.user_id == user_id)
    if judge is None:
        raise NotFound()
    return judge


def open_rounds_judged_by(user_id):
    """Open rounds in which the user is a judge (for a reminder on their home page)."""
    return [c for c in contests_judged_by(user_id) if c.state == "open"]


def contests_judged_by(user_id):
    ids = [j.contest_id for j in ContestJudge.select().where(ContestJudge.user_id == user_id)]
    return list(Contest.select().where(Contest.id.in_(ids or [0])).order_by(Contest.id.desc()))


# ---------------------------------------------------------------- scoring


def _points(value, maximum, name):
    try:
        points = Decimal(str(value).strip()).quantize(Decimal("0.1"), ROUND_HALF_UP)
    except Exception:  # noqa: BLE001 - any unreadable value is the same mistake for the judge
        raise Invalid(N_("“%(name)s”请填写数字"), name=name) from None
    if not points.is_finite() or points < 0 or points > Decimal(str(maximum)):
        raise Invalid(N_("“%(name)s”应在 0 到 %(max)s 分之间"), name=name, max=f"{maximum:g}")
    return points


def score(contest, judge, organisation_id, values, note=None):
    """Record (or, while open, replace) JUDGE's scores for one branch. Returns the ContestScore."""
    _check_open(contest)
    if judge.contest_id != contest.id:
        raise NotFound()
    organisation_id = int(organisation_id)
    if (
        not ContestEntrant.select()
        .where(ContestEntrant.contest_id == contest.id, ContestEntrant.organisation_id == organisation_id)
        .exists()
    ):
        raise NotFound()
    if judge.organisation_id == organisation_id:
        raise Forbidden(N_("评委不能给本支部打分"))
    scores = {}
    for criterion in contest.sheet["criteria"]:
        scores[criterion["id"]] = _points((values or {}).get(criterion["id"], ""), criterion["max"], criterion["name"])
    total = sum(scores.values(), Decimal(0))
    note = (note or "").strip()[:500] or None
    stored = {k: float(v) for k, v in scores.items()}
    with database.atomic():
        row = ContestScore.get_or_none(
            ContestScore.contest_id == contest.id,
            ContestScore.judge_id == judge.id,
            ContestScore.organisation_id == organisation_id,
        )
        before = {"scores": row.scores, "total": str(row.total)} if row else None
        if row is None:
            row = ContestScore.create(
                contest_id=contest.id,
                judge_id=judge.id,
                organisation_id=organisation_id,
                scores=stored,
                total=total,
                note=note,
            )
        else:
            row.scores, row.total, row.note, row.updated_at = stored, total, note, utcnow()
            row.save()
        branch = Organisation.get_by_id(organisation_id)
        audit.record(
            f"评委:{judge.name}"[:60],
            "contest.scored",
            contest,
            before,
            {"organisation": branch.name_zh, "scores": stored, "total": str(total), "judge": judge.name},
        )
    return row


def scores_by(contest, judge):
    """{organisation id: ContestScore} of one judge."""
    return {
        s.organisation_id: s
        for s in ContestScore.select().where(ContestScore.contest_id == contest.id, ContestScore.judge_id == judge.id)
    }


# ---------------------------------------------------------------- results


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
    actor = _may_run(actor, contest)
    _check_open(contest)
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
    period = (
        RatingPeriod.select()
        .where(RatingPeriod.state.in_(("draft", "scheduled")))
        .order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc())
        .first()
    )
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
                f"比武争星「{contest.name}」第{row['rank']}名",
                contest.organiser,
                evidence=f"比武争星 #{contest.id}「{contest.name}」：{row['judges']}位评委，平均分 {row['score']}",
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
