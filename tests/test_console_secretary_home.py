"""The secretary's phone-first pages: standing, attention flags, never-scanned plaques, the
points form (grouped items, veto confirmation, photo evidence) and a paged ledger."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from starqr import ledger
from starqr.models import MEMBER, EntryPhoto, LedgerEntry, PlaqueCode, ScanCount
from starqr.services import ratings
from starqr.services.consoles import standing
from tests.helpers import issue_code, login, make_commitment, make_member, make_period, make_tree, make_user, record


@pytest.fixture
def home(app, client):
    tree = make_tree()
    make_user("sec", "secretary", tree["branch"])
    period = make_period()
    scanned = make_member(tree["branch"], "王芳")
    quiet = make_member(tree["branch"], "巴特尔")
    for member in (scanned, quiet):
        issue_code(member)
    issue_code(tree["branch"])
    plaque = PlaqueCode.get(PlaqueCode.subject_kind == MEMBER, PlaqueCode.subject_id == scanned.id)
    import datetime

    ScanCount.create(plaque=plaque, day=datetime.date.today(), count=3)
    make_commitment(quiet, deadline=datetime.date(2020, 1, 1), status="in_progress")
    login(client, "sec")
    return {**tree, "period": period, "scanned": scanned, "quiet": quiet}


def _photo_with_gps():
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (40.0, 1.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_branch_home_shows_flags_and_never_scanned_plaques(client, home):
    page = client.get(f"/console/branches/{home['branch'].id}").get_data(as_text=True)
    assert "本期实时积分" in page and "已公布" in page
    assert "承诺已过期未完成" in page and "本季度无积分记录" in page
    unscanned = page.split('id="unscanned"')[1].split("</ul>")[0]
    quiet_code = PlaqueCode.get(PlaqueCode.subject_kind == MEMBER, PlaqueCode.subject_id == home["quiet"].id).code
    scanned_code = PlaqueCode.get(PlaqueCode.subject_kind == MEMBER, PlaqueCode.subject_id == home["scanned"].id).code
    assert quiet_code in unscanned and scanned_code not in unscanned
    assert "API令牌" not in page


def test_points_form_has_no_default_and_groups_items(client, home):
    page = client.get(f"/console/members/{home['quiet'].id}/points").get_data(as_text=True)
    assert " checked" not in page.split('name="public_reason"')[0].split("<fieldset")[1]
    assert (
        'name="public_reason"' in page and 'id="public_reason" name="public_reason" type="checkbox" value="y">' in page
    )
    assert "基础履责" in page and "作用发挥" in page and "加分项" in page
    assert page.index("否决项") > page.index("加分项")  # veto items apart, after the others
    assert "每发生一次扣 1 分" in page and "本期最多加 12 分" in page


def test_veto_needs_a_confirmation_naming_the_consequence(client, home):
    member = home["quiet"]
    data = {"period": home["period"].id, "item": "crime", "reason": "经查属实"}
    response = client.post(f"/console/members/{member.id}/points", data=data)
    assert response.status_code == 200 and "评星直接不合格" in response.get_data(as_text=True)
    assert LedgerEntry.select().count() == 0
    response = client.post(f"/console/members/{member.id}/points", data={**data, "veto_confirmed": "y"})
    assert response.status_code == 302
    entry = LedgerEntry.get()
    assert entry.item == "crime" and entry.points == Decimal("1.00") and entry.public_reason is False


def test_points_with_a_photo_stripped_and_private(app, client, home):
    member = home["quiet"]
    response = client.post(
        f"/console/members/{member.id}/points",
        content_type="multipart/form-data",
        data={
            "period": home["period"].id,
            "item": "study",
            "count": "2",
            "reason": "参加集中学习",
            "photo": (io.BytesIO(_photo_with_gps()), "IMG_0001.jpg"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert LedgerEntry.select().count() == 2
    photo = EntryPhoto.get()
    assert photo.public is False
    served = client.get(f"/console/entries/{photo.entry_id}/photos/{photo.name}")
    assert served.status_code == 200
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) <= 2048 and not image.getexif()
    assert app.test_client().get(f"/evidence/entries/{photo.name}").status_code == 404
    page = client.get(f"/console/members/{member.id}").get_data(as_text=True)
    assert "+4" in page and photo.name in page


def test_member_with_500_entries_is_paged_under_100_kb(client, home):
    member = home["quiet"]
    ledger.append(
        [
            ledger.NewEntry(
                subject_kind=MEMBER,
                subject_id=member.id,
                period_id=home["period"].id,
                item="study" if n % 2 else "miss_meeting",
                points=Decimal(2 if n % 2 else -1),
                reason=f"第{n}次",
                recorded_by="sec",
            )
            for n in range(500)
        ]
    )
    response = client.get(f"/console/members/{member.id}")
    page = response.get_data(as_text=True)
    assert len(response.data) < 100_000
    assert page.count('class="entry') == 25 and "第499次" in page and "第 1 / 20 页" in page
    page = client.get(f"/console/members/{member.id}?page=20").get_data(as_text=True)
    assert "第0次" in page and page.count('class="entry') == 25
    page = client.get(f"/console/members/{member.id}?item=miss_meeting").get_data(as_text=True)
    assert "第 1 / 10 页" in page and "第498次" in page and "第499次" not in page


def test_the_live_estimate_takes_a_value_items_latest_entry_as_the_rating_run_does(client, home):
    """A second appraisal replaces the first (rating_inputs): 40 then 30 is 30, not 70; 90 then 85
    is 85, not 175 (out of the item's range, which stopped the branch home)."""
    period, member, other = home["period"], home["scanned"], home["quiet"]
    for subject, first, second in ((member, 40, 30), (other, 90, 85)):
        record(subject, period, "appraisal_percent", first)
        record(subject, period, "appraisal_percent", second)
    record(member, period, "dues_late", -1)
    now = standing.member_standing(member)
    run = ratings.compute(period)
    assert now["by_item"] == {"appraisal_percent": 30, "dues_late": -1}
    for subject in (member, other):
        estimate, rated = standing.member_standing(subject)["live"], run[(MEMBER, subject.id)][1]
        assert (estimate["total"], estimate["stars"]) == (float(rated.total), rated.stars)
    assert now["live"]["points"] == 29
    assert client.get(f"/console/branches/{home['branch'].id}").status_code == 200


def test_a_transferred_members_entries_of_another_rubric_leave_the_estimate_as_the_rating_run_does(client, home):
    """Entries under items this branch's rubric does not know (a member transferred from an SOE
    branch) are not counted, as in the rating run and the public page: the branch home stood still."""
    period, member = home["period"], home["scanned"]
    record(member, period, "job_skills", 80)  # soe_member_four_excellent's item
    record(member, period, "dues_late", -1)
    estimate, rated = standing.member_standing(member)["live"], ratings.compute(period)[(MEMBER, member.id)][1]
    assert (estimate["total"], estimate["stars"]) == (float(rated.total), rated.stars)
    page = client.get(f"/console/branches/{home['branch'].id}")
    assert page.status_code == 200 and "本期实时积分" in page.get_data(as_text=True)
