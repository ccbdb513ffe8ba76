"""Console: organisation tree administration, tree/roster import with preview, departures, downloads."""

import io

from openpyxl import load_workbook

from starqr.models import AuditLog, Member, Organisation, PlaqueCode
from starqr.services import imports
from starqr.services.imports import roster_apply, tree
from tests import onboarding_files as files
from tests.helpers import login_new_user, make_period


def _setup():
    from starqr.services import rubrics

    rubrics.sync_shipped()
    rows, branches = files.tree_rows()
    assert tree.run(files.xlsx(rows, files.TREE_HEADER), "tree.xlsx", "cli", dry_run=False).ok
    return rows, branches


def _code(org):
    return PlaqueCode.get(PlaqueCode.subject_kind == "organisation", PlaqueCode.subject_id == org.id).code


def test_create_rename_move_archive(app, client):
    _setup()
    login_new_user(client, "chief", "admin")
    town = Organisation.get(Organisation.code == "T0")
    page = client.get(f"/console/organisations?org={town.id}")
    assert page.status_code == 200 and "village_ten_star" in page.get_data(as_text=True)
    response = client.post(
        f"/console/organisations/{town.id}/create",
        data={"name_zh": "新村", "name_mn": "ᠰᠢᠨ᠎ᠡ", "code": "NEW1", "level": "unit", "domain": "rural"},
    )
    assert response.status_code == 302
    new = Organisation.get(Organisation.code == "NEW1")
    assert new.path.startswith(town.path) and PlaqueCode.select().where(PlaqueCode.subject_id == new.id).exists()
    client.post(
        f"/console/organisations/{new.id}/rename", data={"name_zh": "新新村", "name_mn": "ᠰᠢᠨ᠎ᠡ ᠰᠢᠨ᠎ᠡ", "code": "NEW1"}
    )
    assert Organisation.get_by_id(new.id).name_mn == "ᠰᠢᠨ᠎ᠡ ᠰᠢᠨ᠎ᠡ"
    client.post(f"/console/organisations/{new.id}/move", data={"parent": "T1"})
    moved = Organisation.get_by_id(new.id)
    assert moved.parent.code == "T1" and moved.path.startswith(Organisation.get(Organisation.code == "T1").path)
    code = _code(new)
    client.post(f"/console/organisations/{new.id}/archive", data={"reason": "村改居", "merged_into": "U01"})
    assert Organisation.get_by_id(new.id).archived_at is not None
    gone = client.get(f"/Q/{code}")
    assert gone.status_code == 410 and "单位01" in gone.get_data(as_text=True)
    assert client.get(f"/Q/{code}.json").get_json()["organisation_archived"]["merged_into"] == "单位01"
    actions = {a for (a,) in AuditLog.select(AuditLog.action).tuples()}
    assert {"organisation.create", "organisation.rename", "organisation.move", "organisation.archive"} <= actions
    # A branch with members cannot be archived.
    branch = Organisation.get(Organisation.code == "B00")
    Member.create(branch=branch, name_zh="甲")
    response = client.post(f"/console/organisations/{branch.id}/archive", data={"reason": "x"}, follow_redirects=True)
    assert "请先转接" in response.get_data(as_text=True) and Organisation.get_by_id(branch.id).archived_at is None


def test_town_administrator_stays_in_the_subtree(app, client):
    _setup()
    town = Organisation.get(Organisation.code == "T0")
    login_new_user(client, "town", "org_admin", town)
    other = Organisation.get(Organisation.code == "T1")
    assert client.get(f"/console/organisations?org={other.id}").status_code == 404
    response = client.post(f"/console/organisations/{other.id}/rename", data={"name_zh": "偷改"})
    assert response.status_code == 404 and Organisation.get_by_id(other.id).name_zh != "偷改"
    unit = Organisation.get(Organisation.code == "U00")
    client.post(f"/console/organisations/{unit.id}/move", data={"parent": "T1"}, follow_redirects=True)
    assert Organisation.get_by_id(unit.id).parent.code == "T0"
    client.post(f"/console/organisations/{unit.id}/rubric", data={"rubric": "branch_quota", "subtree": "y"})
    assert Organisation.get_by_id(unit.id).rubric_key is None  # administrators only


def test_roster_import_through_the_console_and_departures(app, client):
    _rows, branches = _setup()
    login_new_user(client, "chief", "admin")
    assert client.get("/console/onboarding").status_code == 200
    template = client.get("/console/onboarding/templates/roster.xlsx")
    workbook = load_workbook(io.BytesIO(template.data))
    assert workbook.sheetnames[:1] == ["导入"] and "说明" in workbook.sheetnames
    assert [c.value for c in workbook["导入"][1]] == files.ROSTER_HEADER
    assert workbook["导入"].data_validations.dataValidation
    roster = files.roster_rows(branches[:3], 12)  # four members per branch
    data = files.xlsx(roster, files.ROSTER_HEADER)
    preview = client.post(
        "/console/onboarding/preview",
        data={"kind": "roster", "file": (io.BytesIO(data), "r.xlsx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200 and "新增 12" in preview.get_data(as_text=True)
    assert Member.select().count() == 0
    sha = imports.sha256(data)
    done = client.post(
        "/console/onboarding/confirm", data={"kind": "roster", "sha": sha, "filename": "r.xlsx"}, follow_redirects=True
    )
    assert "已导入" in done.get_data(as_text=True) and Member.select().count() == 12
    bad = client.post(
        "/console/onboarding/preview",
        data={
            "kind": "roster",
            "file": (io.BytesIO(files.csv([roster[0] + ["13912345678"]], files.ROSTER_HEADER + ["电话"])), "bad.csv"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "不保存" in bad.get_data(as_text=True)
    # Two members left the file: flagged, confirmed by the administrator with a private reason.
    assert roster_apply.run(files.xlsx(roster[2:], files.ROSTER_HEADER), "r2.xlsx", "cli", dry_run=False).applied
    page = client.get("/console/onboarding").get_data(as_text=True)
    assert roster[0][1] in page and roster[1][1] in page
    gone = [Member.get(Member.member_number == roster[n][0]).id for n in (0, 1)]
    client.post("/console/onboarding/departures", data={"member": gone, "reason": "迁出本旗", "confirm": "1"})
    assert Member.select().where(Member.id.in_(gone), Member.active == False).count() == 2  # noqa: E712
    period = make_period()
    download = client.get(f"/console/onboarding/ratings.xlsx?period={period.id}")
    assert download.status_code == 200 and load_workbook(io.BytesIO(download.data)).sheetnames == ["党组织", "党员"]
