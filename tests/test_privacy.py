"""Nothing private reaches a public page: every profile of a demo banner, as HTML and JSON."""
import re

import pytest

from starqr.models import MEMBER, Member, MemberPrivate, Objection, Organisation, PlaqueCode
from starqr.services import demo, scans
from starqr.views import public

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
HOME_ADDRESS = re.compile(r"[\u4e00-\u9fff]{1,12}(路|街|巷|胡同|小区|楼|单元|室)\d+号")


@pytest.fixture
def banner(app):
    public.cache.clear()
    scans.reset()
    demo.build(members=300, seed=11)
    yield
    public.cache.clear()
    scans.reset()


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
