"""Nothing private reaches a public page: every profile of a demo banner, as HTML and JSON."""

import re

import pytest

from starqr.models import MEMBER, Member, MemberPrivate, Objection, Organisation, PlaqueCode
from starqr.services import demo

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
HOME_ADDRESS = re.compile(r"[\u4e00-\u9fff]{1,12}(路|街|巷|胡同|小区|楼|单元|室)\d+号")


@pytest.fixture
def banner(app, fresh_pages):
    demo.build(members=300, seed=11)


def test_no_private_data_on_any_profile(client, banner):
    private = {p.member_id: p for p in MemberPrivate.select()}
    assert len(private) >= 300
    private_values = {v for p in private.values() for v in (p.id_number, p.phone, p.home_address) if v}
    # Objection contacts are private too; give one a phone number and a private text.
    objection = Objection.select().first()
    objection.contact = "13812345678"
    objection.save()
    private_values.add(objection.contact)
    private_values.add(objection.text)
    # Public places (activity venues) may carry a street number; scrub them before looking for homes.
    venues = sorted({o.venue_address for o in Organisation.select() if o.venue_address}, key=len, reverse=True)
    members = {m.id: m for m in Member.select()}
    codes = list(PlaqueCode.select().where(PlaqueCode.status == "active"))
    assert len(codes) > 500
    checked = 0
    for plaque in codes:
        for suffix in ("", ".json"):
            response = client.get(f"/Q/{plaque.code}{suffix}")
            assert response.status_code == 200, plaque.code
            text = response.get_data(as_text=True)
            for value in private_values:
                assert value not in text, (plaque.code, suffix)
            assert not ID_NUMBER.search(text), (plaque.code, ID_NUMBER.search(text).group())
            assert not MOBILE.search(text), (plaque.code, MOBILE.search(text).group())
            scrubbed = text
            for venue in venues:
                scrubbed = scrubbed.replace(venue, "")
            assert not HOME_ADDRESS.search(scrubbed), (plaque.code, HOME_ADDRESS.search(scrubbed).group())
            if plaque.subject_kind == MEMBER:
                birth = private[plaque.subject_id].birth_date
                assert birth.isoformat() not in text and birth.strftime("%Y年%m月%d日") not in text
                member = members[plaque.subject_id]
                assert '"gender"' not in text and '"ethnicity"' not in text
                if not member.consent_photo:
                    assert "/photo" not in text
            checked += 1
    assert checked == 2 * len(codes)


def test_retired_member_page_shows_no_reason_nor_personal_record(client, app):
    from starqr.services import members as member_service
    from tests.helpers import issue_code, make_commitment, make_member, make_post, make_tree, make_user

    tree = make_tree()
    member = make_member(tree["branch"], "赵刚", honours="旗级优秀共产党员")
    make_post(member)
    make_commitment(member, text="帮扶困难户")
    code = issue_code(member).code
    actor = make_user("sec-retire", "secretary", tree["branch"])
    member_service.retire_member(actor, member, None, "出党(严重违纪)")

    page = client.get(f"/Q/{code}").get_data(as_text=True)
    data = client.get(f"/Q/{code}.json").get_json()

    assert "已不在本支部" in page
    for private_text in ("出党", "严重违纪", "帮扶困难户", "环境卫生巡护岗", "旗级优秀共产党员"):
        assert private_text not in page
        assert private_text not in str(data)
    assert data["active"] is False and data["posts"] == [] and data["commitments"] == []


# Words that would tell the public about a person's health, in every language a page speaks.
HEALTH_WORDS = {
    "zh": ["病", "住院", "患病", "患有", "残疾", "手术", "癌", "体弱", "医院"],
    "en": ["ill", "illness", "sick", "hospital", "disease", "disabled", "elderly", "surgery"],
    "mn": ["ᠡᠪᠡᠳᠴᠢᠨ", "ᠡᠮᠨᠡᠯᠭᠡ", "ᠨᠠᠰᠤᠲᠠᠢ", "ᠥᠪᠴᠢᠨ"],
}
HEALTH = re.compile(
    "|".join(HEALTH_WORDS["zh"] + HEALTH_WORDS["mn"]) + r"|\b(?:" + "|".join(HEALTH_WORDS["en"]) + r")\b", re.I
)


def test_no_health_words_on_any_public_page(client, banner):
    """Exempt members, special categories and unkept commitments: nothing says anyone is old or ill."""
    from starqr.models import Commitment

    # The demo's unkept commitments include 因病住院; none is marked publishable.
    assert Commitment.select().where(Commitment.reason_not_kept.contains("病")).exists()
    assert Member.select().where(Member.category == "special", Member.exempt == True).exists()  # noqa: E712
    # The pages that could tell: every member who is special, exempt or has an unkept commitment,
    # every organisation page (they list members), and a sample of the rest.
    telling = {m.id for m in Member.select(Member.id).where((Member.category == "special") | (Member.exempt == True))}  # noqa: E712
    telling |= {
        c.subject_id
        for c in Commitment.select(Commitment.subject_id).where(
            Commitment.subject_kind == MEMBER, Commitment.reason_not_kept.is_null(False)
        )
    }
    active = list(PlaqueCode.select().where(PlaqueCode.status == "active").order_by(PlaqueCode.id))
    members = [p.code for p in active if p.subject_kind == MEMBER and p.subject_id in telling]
    organisations = [p.code for p in active if p.subject_kind != MEMBER]
    codes = members[:40] + organisations[::3][:15]
    codes += [p.code for p in active[::60] if p.code not in codes]
    assert len(members) >= 10
    for code in codes:
        for suffix in ("", "?lang=mn", "?lang=en", ".json"):
            text = client.get(f"/Q/{code}{suffix}").get_data(as_text=True)
            found = HEALTH.search(text)
            assert found is None, (code, suffix, found and text[max(0, found.start() - 60) : found.end() + 60])


def test_a_reason_marked_publishable_is_shown(client, app):
    from starqr.services import commitments
    from tests.helpers import issue_code, make_commitment, make_member, make_tree, make_user

    tree = make_tree()
    member = make_member(tree["branch"], "赵刚")
    commitment = make_commitment(member, text="带动2户群众加入专业合作社")
    code = issue_code(member).code
    actor = make_user("sec-reason", "secretary", tree["branch"])
    commitments.set_outcome(actor, commitment, "not_done", reason_not_kept="因病住院三个月")
    assert "因病住院" not in client.get(f"/Q/{code}").get_data(as_text=True)
    commitments.set_outcome(
        actor, commitment, "not_done", reason_not_kept="受旱灾影响，合作社推迟成立", reason_public=True
    )
    assert "受旱灾影响" in client.get(f"/Q/{code}").get_data(as_text=True)
