"""A scan page must load on a weak rural network: the largest member and branch pages stay
within 14 KB gzipped in every language.

The branch is larger than any in the default demo (10,000 members over ~130 branches: the
biggest has about 100): 120 members, every one with a Mongolian name, a party post, a
plaque and stars. The member has three rated years, a live year of 40 ledger entries,
five commitments with progress notes and evidence, two posts, honours and service.
"""

import datetime
import gzip

import pytest

from starqr.models import RatingPeriod
from starqr.services import ratings, revision
from starqr.services import demo_mongolian, demo_names as names
from tests.helpers import issue_code, make_commitment, make_member, make_period, make_post, make_tree, record

LIMIT = 14 * 1024


@pytest.fixture
def big(app):
    tree = make_tree()
    branch = tree["branch"]
    year = datetime.date.today().year
    periods = [make_period(year - n) for n in (3, 2, 1)]
    live = make_period(year)
    members = []
    for n in range(120):
        if n % 2:
            zh, mn = (
                names.MONGOLIAN_NAMES[n % 24][0] + names.MONGOLIAN_NAMES[(n * 7) % 24][0],
                names.MONGOLIAN_NAMES[n % 24][1] + names.MONGOLIAN_NAMES[(n * 7) % 24][1],
            )
        else:
            zh = names.HAN_SURNAMES[n % 100] + names.HAN_GIVEN[n % 50] + names.HAN_GIVEN[(n * 3) % 50]
            mn = demo_mongolian.person(zh)
        member = make_member(
            branch,
            zh,
            mn,
            party_post=names.PARTY_POSTS[n % 5],
            honours="2024年 旗级优秀共产党员\n2023年 优秀网格员",
            volunteer_service="义务植树\n关爱留守儿童",
            volunteer_hours=60,
        )
        members.append(member)
        issue_code(member)
    star = members[0]
    for title, duties in names.POSTS[:2]:
        make_post(star, title, duties)
    for n, text in enumerate(names.COMMITMENTS[:5]):
        make_commitment(
            star,
            text=text,
            status=("done", "in_progress", "not_done")[n % 3],
            deadline=datetime.date(year, 6 + n, 28),
            progress_notes=[
                {"date": f"{year}-03-10", "text": "已向支部公开承诺"},
                {"date": f"{year}-06-28", "text": "年中检视：按计划推进"},
            ],
            evidence=[{"kind": "text", "value": "支部会议记录、现场照片已存档"}],
            evaluation="群众满意",
            reason_not_kept="受旱灾影响，项目推迟" if n % 3 == 2 else None,
            reason_public=True,
        )
    for period in periods:
        for member in members:
            record(member, period, "study", 2)
            record(member, period, "appraisal_percent", 80 + member.id % 20)
            record(member, period, "commitments_fulfilled", 1)
        record(branch, period, "strong_leadership", 85)
    for period in periods:
        ratings.publish(period)
        ratings.finalise(RatingPeriod.get_by_id(period.id))
    for n in range(40):
        record(
            star,
            live,
            ("study", "theme_party_day", "post_duty", "miss_meeting")[n % 4],
            (2, 2, 1, -1)[n % 4],
            reason=f"第{n + 1}次记录：参加村里组织的集中学习和主题党日活动",
            occurred_on=f"{year}-{1 + n % 11:02d}-{1 + n % 27:02d}",
        )
    revision.bump()
    return {"member": issue_code(star).code, "branch": issue_code(branch).code}


@pytest.mark.parametrize("lang", ("zh", "mn", "en"))
def test_largest_pages_within_14_kb_gzipped(client, big, lang):
    for kind in ("member", "branch"):
        response = client.get(f"/Q/{big[kind]}?lang={lang}", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        body = response.get_data()
        size = len(body) if response.headers.get("Content-Encoding") == "gzip" else len(gzip.compress(body, 6))
        print(f"{kind} {lang}: {size} bytes gzipped")
        assert size <= LIMIT, f"{kind} page in {lang}: {size} bytes gzipped (limit {LIMIT})"
