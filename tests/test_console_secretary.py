"""Secretaries' work through the console: members, posts, commitments, evidence, points, plaques."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from starqr.models import MEMBER, AuditLog, Commitment, LedgerEntry, Member, MemberPrivate, PlaqueCode, Post
from starqr.services import commitments
from starqr.services import member_rules
from starqr.services import points_events
from tests.helpers import issue_code, login, make_commitment, make_member, make_org, make_period, make_post
from tests.helpers import MEMBER_PRIVATE_FORM, make_tree, make_user, member_form, record


@pytest.fixture
def branch_setup(app, client):
    tree = make_tree()
    other = make_org(tree["unit"], "branch", "rural", "第二党支部")
    make_user("sec", "secretary", tree["branch"])
    make_user("town", "org_admin", tree["town"])
    period = make_period()
    member = make_member(tree["branch"], "王芳")
    issue_code(member)
    return {**tree, "other": other, "period": period, "member": member}


def audit_actions():
    return [a.action for a in AuditLog.select().order_by(AuditLog.id)]


def test_add_member_issues_badge_and_keeps_private_data(client, branch_setup):
    login(client, "sec")
    branch = branch_setup["branch"]
    response = client.post(
        f"/console/branches/{branch.id}/members/new",
        data=member_form(
            "巴特尔",
            "backbone",
            name_mn="ᠪᠠᠲᠤ",
            joined_on="2010-07-01",
            phone="13800001111",
            id_number="150824199001011234",
        ),
    )
    assert response.status_code == 302
    member = Member.get(Member.name_zh == "巴特尔")
    assert member.branch_id == branch.id and member.category == "backbone"
    assert MemberPrivate.get(MemberPrivate.member == member).phone == "13800001111"
    assert PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER, PlaqueCode.subject_id == member.id).count() == 1
    entry = AuditLog.get(AuditLog.action == "member.add")
    assert entry.actor == "sec" and entry.target == f"member:{member.id}"
    assert "13800001111" not in str(entry.after)  # private values never copied into the log
    assert entry.after["private"]["phone"] == "(已修改)"


def test_edit_member_records_before_and_after(client, branch_setup):
    login(client, "sec")
    member = branch_setup["member"]
    response = client.post(
        f"/console/members/{member.id}/edit",
        data=member_form("王芳", "backbone", party_post="组织委员", **MEMBER_PRIVATE_FORM),
    )
    assert response.status_code == 302
    assert Member.get_by_id(member.id).party_post == "组织委员"
    entry = AuditLog.get(AuditLog.action == "member.edit")
    assert entry.before == {"category": "ordinary", "party_post": None}
    assert entry.after == {"category": "backbone", "party_post": "组织委员"}


def test_transfer_within_scope_only(client, branch_setup):
    member, other = branch_setup["member"], branch_setup["other"]
    login(client, "sec")  # a secretary's scope is one branch: nowhere to transfer to
    response = client.get(f"/console/members/{member.id}/transfer")
    assert response.status_code == 302
    client.post("/console/logout")
    login(client, "town")
    response = client.post(f"/console/members/{member.id}/transfer", data={"branch": other.id, "reason": "迁居"})
    assert response.status_code == 302
    moved = Member.get_by_id(member.id)
    assert moved.branch_id == other.id
    assert PlaqueCode.get(PlaqueCode.subject_id == member.id).status == "active"  # the badge follows
    assert AuditLog.get(AuditLog.action == "member.transfer").after["branch"] == other.id


def test_transfer_to_branch_outside_scope_is_refused(client, app, branch_setup):
    from tests.helpers import make_org

    far_town = make_org(branch_setup["banner"], "town", "rural", "川井苏木")
    far_branch = make_org(
        make_org(far_town, "unit", "rural", "某嘎查", unit_kind="village"), "branch", "rural", "某支部"
    )
    login(client, "town")
    member = branch_setup["member"]
    response = client.post(f"/console/members/{member.id}/transfer", data={"branch": far_branch.id, "reason": "x"})
    assert response.status_code in (200, 404)  # not a valid choice
    assert Member.get_by_id(member.id).branch_id == branch_setup["branch"].id


def test_retire_keeps_everything(client, branch_setup):
    member, period = branch_setup["member"], branch_setup["period"]
    record(member, period, "study", 2)
    login(client, "sec")
    response = client.post(f"/console/members/{member.id}/retire", data={"left_on": "2025-03-01", "reason": "去世"})
    assert response.status_code == 302
    retired = Member.get_by_id(member.id)
    assert not retired.active and retired.left_reason == "去世"
    assert LedgerEntry.select().where(LedgerEntry.subject_id == member.id).count() == 1
    assert "member.retire" in audit_actions()
    page = client.get(f"/console/branches/{branch_setup['branch'].id}").get_data(as_text=True)
    assert "王芳" not in page and "已移出名册的党员" in page


def test_posts(client, branch_setup):
    member = branch_setup["member"]
    login(client, "sec")
    client.post(
        f"/console/members/{member.id}/posts/new", data={"title": "环境卫生巡护岗", "duties": "巡查片区", "active": "y"}
    )
    post = Post.get(Post.member == member)
    assert post.active
    client.post(f"/console/posts/{post.id}/edit", data={"title": "环境卫生巡护岗", "duties": "巡查片区和河道"})
    post = Post.get_by_id(post.id)
    assert post.duties == "巡查片区和河道" and not post.active
    assert audit_actions()[-2:] == ["post.add", "post.edit"]


def _jpeg_with_gps():
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x010E] = "GPS 41.57N 108.53E"  # ImageDescription: stands in for a location
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_commitment_progress_evidence_and_outcome(client, app, branch_setup):
    member = branch_setup["member"]
    login(client, "sec")
    response = client.post(
        f"/console/members/{member.id}/commitments/new",
        data={"year": "2025", "text": "帮助结对户发展肉羊养殖", "deadline": "2025-12-31"},
    )
    commitment = Commitment.get(Commitment.subject_id == member.id)
    assert response.location.endswith(f"/console/commitments/{commitment.id}")
    client.post(
        f"/console/commitments/{commitment.id}/progress", data={"date": "2025-06-30", "text": "已购入基础母羊20只"}
    )
    original = _jpeg_with_gps()
    assert b"PhoneMaker" in original
    client.post(
        f"/console/commitments/{commitment.id}/evidence",
        data={"photo": (io.BytesIO(original), "IMG_0001.jpg"), "caption": "羊圈"},
        content_type="multipart/form-data",
    )
    commitment = Commitment.get_by_id(commitment.id)
    assert commitment.status == "in_progress"
    assert commitment.progress_notes == [{"date": "2025-06-30", "text": "已购入基础母羊20只"}]
    (photo,) = commitment.evidence
    assert photo["kind"] == "photo" and photo["value"] != "IMG_0001.jpg" and photo["value"].endswith(".jpg")
    served = client.get(f"/console/commitments/{commitment.id}/evidence/{photo['value']}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"PhoneMaker" not in served.data and b"108.53E" not in served.data and b"Exif" not in served.data
    assert Image.open(io.BytesIO(served.data)).getexif() == {}
    # public only through the commitment it is attached to
    assert client.get(f"/evidence/{commitment.id}/{photo['value']}").status_code == 200
    other = make_commitment(branch_setup["member"], text="另一项")
    assert client.get(f"/evidence/{other.id}/{photo['value']}").status_code == 404
    assert client.get(f"/evidence/{commitment.id}/..%2F..%2Fstarqr.db").status_code == 404

    response = client.post(f"/console/commitments/{commitment.id}/outcome", data={"status": "not_done"})
    assert Commitment.get_by_id(commitment.id).status == "in_progress"  # a reason is required
    client.post(
        f"/console/commitments/{commitment.id}/outcome",
        data={"status": "not_done", "reason_not_kept": "受旱灾影响，饲草不足"},
    )
    commitment = Commitment.get_by_id(commitment.id)
    assert commitment.status == "not_done" and commitment.reason_not_kept == "受旱灾影响，饲草不足"
    assert {"commitment.add", "commitment.progress", "commitment.evidence", "commitment.outcome"} <= set(
        audit_actions()
    )


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"GIF89a" + b"\0" * 40, "文件不是有效的图片"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "文件不是有效的图片"),
        (b"\xff\xd8" + b"x" * (8 * 1024 * 1024 + 10), "图片不能超过8MB"),
    ],
)
def test_evidence_refuses_non_images_and_large_files(payload, message):
    with pytest.raises(member_rules.MemberError, match=message):
        commitments.reencode_photo(payload)


def test_evidence_refuses_other_image_types():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(member_rules.MemberError, match="只能上传"):
        commitments.reencode_photo(out.getvalue())


def test_record_points_event_and_bounds(client, branch_setup):
    member, period = branch_setup["member"], branch_setup["period"]
    login(client, "sec")
    page = client.get(f"/console/members/{member.id}/points").get_data(as_text=True)
    assert "参加集中学习" in page
    response = client.post(
        f"/console/members/{member.id}/points",
        data={
            "period": period.id,
            "item": "study",
            "count": "2",
            "reason": "参加党课学习",
            "occurred_on": "2025-04-01",
            "public_reason": "y",
        },
    )
    assert response.status_code == 302
    entries = list(LedgerEntry.select().where(LedgerEntry.subject_id == member.id))
    assert [e.points for e in entries] == [Decimal("2.00"), Decimal("2.00")]
    assert entries[0].recorded_by == "sec" and entries[0].occurred_on == "2025-04-01"
    # a value item out of its bounds is refused and nothing is written
    response = client.post(
        f"/console/members/{member.id}/points",
        data={"period": period.id, "item": "appraisal_percent", "value": "120", "reason": "民主评议"},
    )
    assert response.status_code == 200 and "之间" in response.get_data(as_text=True)
    # an item of another rubric is refused
    response = client.post(
        f"/console/members/{member.id}/points", data={"period": period.id, "item": "no_such_item", "reason": "x"}
    )
    assert response.status_code == 200
    assert LedgerEntry.select().where(LedgerEntry.subject_id == member.id).count() == 2
    assert AuditLog.get(AuditLog.action == "ledger.record").after["count"] == 2


def test_points_refused_for_published_period(branch_setup):
    published = make_period(year=2020, state="final")
    with pytest.raises(member_rules.MemberError, match="已公布"):
        points_events.record_points("sec", branch_setup["member"], published, "study", "x")


def test_correction_is_a_linked_reversal(client, branch_setup):
    member, period = branch_setup["member"], branch_setup["period"]
    entry = record(member, period, "study", 2)
    login(client, "sec")
    response = client.post(f"/console/entries/{entry.id}/correct", data={"reason": "记错了人", "new_points": "9"})
    assert response.status_code == 200 and "之间" in response.get_data(as_text=True)  # out of the item's bounds
    response = client.post(f"/console/entries/{entry.id}/correct", data={"reason": "记错了人"})
    assert response.status_code == 302
    rows = list(LedgerEntry.select().where(LedgerEntry.subject_id == member.id).order_by(LedgerEntry.id))
    assert len(rows) == 2 and rows[1].corrects_id == entry.id and rows[1].points == -entry.points
    assert LedgerEntry.get_by_id(entry.id).points == Decimal("2.00")  # the original is untouched
    response = client.post(f"/console/entries/{entry.id}/correct", data={"reason": "again"})
    assert "已经更正" in response.get_data(as_text=True)
    assert "ledger.correct" in audit_actions()


def test_plaque_pages_and_downloads(client, branch_setup):
    branch, member = branch_setup["branch"], branch_setup["member"]
    issue_code(branch)
    code = PlaqueCode.get(PlaqueCode.subject_id == member.id, PlaqueCode.subject_kind == MEMBER).code
    login(client, "sec")
    page = client.get(f"/console/branches/{branch.id}/plaques").get_data(as_text=True)
    assert code in page and "王芳" in page
    svg = client.get(f"/console/plaques/{code}.svg")
    assert svg.status_code == 200 and svg.data.lstrip().startswith(b"<")
    pdf = client.get(f"/console/plaques/{code}.pdf?download=1")
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    sheet = client.get(f"/console/branches/{branch.id}/plaques/sheet.pdf")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    codes = client.get(f"/console/branches/{branch.id}/plaques/codes.csv")
    assert code in codes.get_data(as_text=True)


def test_pages_render(client, branch_setup):
    member = branch_setup["member"]
    make_post(member)
    commitment = make_commitment(member)
    record(member, branch_setup["period"], "study", 2)
    login(client, "sec")
    for url in [
        "/console/",
        f"/console/branches/{branch_setup['branch'].id}",
        f"/console/members/{member.id}",
        f"/console/commitments/{commitment.id}",
        f"/console/members/{member.id}/edit",
        f"/console/branches/{branch_setup['branch'].id}/edit",
        f"/console/branches/{branch_setup['branch'].id}/points",
        f"/console/members/{member.id}/posts/new",
        f"/console/members/{member.id}/retire",
    ]:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert "<script>" not in response.get_data(as_text=True)
