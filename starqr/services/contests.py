"""比武争星: star contests scored on site, and the 整乡推进示范苏木镇 town designation.

A contest is a round (a town's 拉练观摩, a banner-wide 比武) run by an administrator (the
organiser) for a set of branches. Judges are console users or visiting secretaries with a
one-time link; each scores each branch against a sheet of criteria with maxima (a
rubric-like file in starqr/rubrics/contests/). A judge may not score their own branch.
The organiser closes the round: scores are final, the result per branch is the trimmed
mean of the judges' totals (highest and lowest dropped with five judges or more), ranked,
and published on the branches' scan pages; optionally the top branches get a bonus item of
their rubric written to the ledger with the contest as reason and evidence. Every score is
audited. Results and closing a round are services/contest_results.py. No Flask here: callers pass an access.Actor (or, for a link judge, the judge row).
"""

import os
import secrets
from decimal import ROUND_HALF_UP, Decimal

import yaml

from starqr.db import database
from starqr.errors import N_, Conflict, Forbidden, Invalid, NotFound
from starqr.models import (
    Contest,
    ContestEntrant,
    ContestJudge,
    ContestScore,
    Organisation,
    User,
    utcnow,
)
from starqr.services import access, accounts, audit

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


def may_run(actor, contest):
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


def check_open(contest):
    if contest.state != "open":
        raise Conflict(N_("这场比武争星已结束，评分不能再改"))


def add_judge_user(actor, contest, username):
    """A console user as judge; a secretary's own branch is recorded so they cannot score it."""
    actor = may_run(actor, contest)
    check_open(contest)
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
    actor = may_run(actor, contest)
    check_open(contest)
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
        contest_id=contest.id,
        name=name,
        organisation_id=home.id if home else None,
        token_hash=accounts.token_digest(token),
    )
    audit.record(
        actor, "contest.judge_added", contest, None, {"judge": name, "organisation": home.name_zh if home else None}
    )
    return judge, token


def _judge_limit(contest):
    if ContestJudge.select().where(ContestJudge.contest_id == contest.id).count() >= MAX_JUDGES:
        raise Invalid(N_("评委不能超过 %(n)s 位"), n=MAX_JUDGES)


def judge_for_token(token):
    """(contest, judge) for a judge link, or raise NotFound."""
    judge = ContestJudge.get_or_none(ContestJudge.token_hash == accounts.token_digest(token)) if token else None
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
    check_open(contest)
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


def find(contest_id):
    """The round CONTEST_ID or None (a judge's page checks the judge, not the organiser)."""
    return Contest.get_or_none(Contest.id == contest_id)


def candidate_branches(actor, town_id=None, limit=300):
    """Branches ACTOR may enter into a round, under the town TOWN_ID when given; tree order."""
    branches = access.branches(access.as_actor(actor))
    if town_id:
        town = Organisation.get_or_none(Organisation.id == town_id)
        if town is not None:
            branches = branches.where(Organisation.path.startswith(town.path))
    return list(branches.order_by(Organisation.path).limit(limit))
