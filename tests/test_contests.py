"""比武争星: rounds, judges (console users and one-time links), own-branch refusal, trimmed
mean ranking on the scan pages, bonus to the ledger, final scores, audit; 整乡推进示范苏木镇."""

import re
from decimal import Decimal

import pytest

from starqr.errors import Conflict, Forbidden
from starqr.models import ORGANISATION, AuditLog, LedgerEntry, Rating, RubricVersion
from starqr.services import access, contest_results, contests, town_designation
from tests.helpers import issue_code, login, make_org, make_period, make_tree, make_user


@pytest.fixture
def round_(app):
    tree = make_tree(domain="community")  # five-strong branches: their rubric has bonus items
    branches = [tree["branch"]] + [make_org(tree["unit"], "branch", "community", f"第{n}党支部") for n in (2, 3)]
    for branch in branches:
        issue_code(branch)
    make_period()
    make_user("organiser", "org_admin", tree["town"])
    make_user("sec_a", "secretary", branches[0])
    for n in range(3):
        make_user(f"judge{n}", "viewer", tree["town"])
    return {**tree, "branches": branches}


def test_trimmed_mean_drops_extremes_from_five_judges():
    assert contest_results.trimmed_mean([80, 90, 70]) == Decimal("80.00")
    assert contest_results.trimmed_mean([100, 80, 82, 84, 10]) == Decimal("82.00")


def test_sheet_is_loaded_and_checked():
    sheet = contests.load_sheet("bi_wu_zheng_xing")
    assert sheet["max"] == 100 and sheet["criteria"][0]["name"] == "阵地建设"
    with pytest.raises(Exception):
        contests.parse_sheet("criteria: [{id: a, name: A, max: -1}]")


def _scores(total):
    """Criteria values adding up to TOTAL (at most 100)."""
    sheet = contests.load_sheet("bi_wu_zheng_xing")
    values, left = {}, Decimal(str(total))
    for criterion in sheet["criteria"]:
        take = min(left, Decimal(str(criterion["max"])))
        values[criterion["id"]] = str(take)
        left -= take
    return values


def test_a_round_end_to_end(app, round_):
    organiser = access.actor_for(access.User.get(access.User.username == "organiser"))
    a, b, c = round_["branches"]
    contest = contests.create(organiser, "海流图镇比武争星", [x.id for x in (a, b, c)], "bi_wu_zheng_xing")
    judges = [contests.add_judge_user(organiser, contest, name) for name in ("sec_a", "judge0", "judge1", "judge2")]
    link_judge, token = contests.add_judge_link(organiser, contest, "来访书记张三", organisation_id=None)
    judges.append(link_judge)
    with pytest.raises(Forbidden):
        contests.score(contest, judges[0], a.id, _scores(99))  # sec_a on their own branch
    table = {a.id: [None, 70, 72, 74, 100], b.id: [90, 88, 86, 20, 84], c.id: [60, 62, 64, 66, 68]}
    for branch_id, totals in table.items():
        for judge, total in zip(judges, totals):
            if total is not None:
                contests.score(contest, judge, branch_id, _scores(total))
    results = contest_results.close(organiser, contest, award_item="innovation_project", award_top=1)
    ranked = {r["organisation_id"]: r for r in results}
    assert ranked[b.id]["score"] == 86.0 and ranked[b.id]["rank"] == 1  # 88, 86, 84 (90 and 20 dropped)
    assert ranked[a.id]["score"] == 79.0 and ranked[a.id]["judges"] == 4  # four judges: nothing dropped
    assert ranked[c.id]["score"] == 64.0 and ranked[c.id]["rank"] == 3
    with pytest.raises(Conflict):
        contests.score(contest, judges[1], c.id, _scores(10))
    award = LedgerEntry.get(LedgerEntry.subject_kind == ORGANISATION, LedgerEntry.subject_id == b.id)
    assert award.item == "innovation_project" and "第1名" in award.reason and "平均分 86.0" in award.evidence
    assert AuditLog.select().where(AuditLog.action == "contest.scored").count() == 14
    page = app.test_client().get(f"/Q/{_code(b)}").get_data(as_text=True)
    assert "比武争星" in page and "第1名 / 3" in page and "86.00" in page


def _code(branch):
    from starqr.models import PlaqueCode

    return PlaqueCode.get(PlaqueCode.subject_kind == ORGANISATION, PlaqueCode.subject_id == branch.id).code


def test_judging_through_pages_and_a_link(app, round_):
    client = app.test_client()
    login(client, "organiser")
    a, b, c = round_["branches"]
    form = client.get(f"/console/contests/new?town={round_['town'].id}").get_data(as_text=True)
    assert all(branch.name_zh in form for branch in (a, b, c)) and "全部苏木镇" in form
    response = client.post(
        "/console/contests/new", data={"name": "拉练观摩", "sheet": "bi_wu_zheng_xing", "branches": [a.id, b.id, c.id]}
    )
    assert response.status_code == 302
    contest_url = response.headers["Location"]
    client.post(contest_url + "/judges", data={"username": "sec_a"})
    page = client.post(contest_url + "/links", data={"name": "来访书记", "organisation": b.id}).get_data(as_text=True)
    link = re.search(r'value="(http[^"]+/judge/[^"]+)"', page).group(1)
    visitor = app.test_client()
    path = link.split("localhost", 1)[1]
    assert "本支部，不打分" in visitor.get(path).get_data(as_text=True)
    refused = visitor.post(f"{path}?branch={b.id}", data={f"c_{k}": v for k, v in _scores(80).items()})
    assert "评委不能给本支部打分" in refused.get_data(as_text=True)
    saved = visitor.post(f"{path}?branch={a.id}", data={f"c_{k}": v for k, v in _scores(80).items()})
    assert saved.status_code == 302
    assert "已评" in visitor.get(path).get_data(as_text=True)
    assert app.test_client().get("/judge/not-a-token").status_code == 404
    secretary = app.test_client()
    login(secretary, "sec_a")
    contest_id = contest_url.rsplit("/", 1)[1]
    home = secretary.get(f"/console/branches/{a.id}").get_data(as_text=True)
    assert "比武争星：请您打分" in home and f"/console/judging/{contest_id}" in home
    own = secretary.post(
        f"/console/judging/{contest_id}?branch={a.id}", data={f"c_{k}": v for k, v in _scores(99).items()}
    )
    assert "评委不能给本支部打分" in own.get_data(as_text=True)


def test_town_designation_from_branch_results(app, round_):
    period = make_period(year=2024, state="final")
    rubric = RubricVersion.select().where(RubricVersion.key == "community_five_strong").first()
    a, b, c = round_["branches"]
    for branch, designations in ((a, ["最强党支部"]), (b, ["最强党支部"]), (c, [])):
        Rating.create(
            period=period,
            subject_kind=ORGANISATION,
            subject_id=branch.id,
            rubric=rubric,
            total=92,
            stars=4,
            max_stars=5,
            designations=designations,
            published=True,
        )
    designation = town_designation.town_designation(round_["town"])
    assert designation["counting"] == 2 and designation["branches"] == 3 and designation["qualifies"]
    page = app.test_client().get(f"/Q/{issue_code(round_['town']).code}").get_data(as_text=True)
    assert "整乡推进示范苏木镇" in page
