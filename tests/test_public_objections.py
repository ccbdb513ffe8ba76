"""Objections during the public notice, and anonymous scan counts."""
import datetime

import pytest

from starqr.models import Objection, ScanCount
from starqr.security import limiter
from starqr.services import objections, ratings, scans
from starqr.views import public
from tests.helpers import issue_code, make_member, make_period, make_tree, record


@pytest.fixture(autouse=True)
def _clean(app):
    public.cache.clear()
    scans.reset()
    limiter.reset()
    yield
    public.cache.clear()
    scans.reset()


@pytest.fixture
def noticed(app):
    tree = make_tree()
    member = make_member(tree["branch"], name_zh="乌云")
    period = make_period(datetime.date.today().year - 1)
    record(member, period, "study", 2)
    ratings.publish(period)
    return {"member": member, "code": issue_code(member).code, "period": period}


def test_objection_gets_a_reference(client, noticed):
    response = client.post(f"/Q/{noticed['code']}/objection",
                           data={"text": "集体劳动次数与实际不符，请核实。", "contact": "13800001111"})
    assert response.status_code == 200
    stored = Objection.get()
    assert stored.reference in response.get_data(as_text=True)
    assert stored.contact == "13800001111" and stored.period_id == noticed["period"].id
    # the contact never reaches the public page
    assert "13800001111" not in client.get(f"/Q/{noticed['code']}").get_data(as_text=True)


def test_honeypot_stores_nothing(client, noticed):
    response = client.post(f"/Q/{noticed['code']}/objection",
                           data={"text": "买便宜的药请点击链接", "website": "http://spam.example"})
    assert response.status_code == 200 and "YY" in response.get_data(as_text=True)
    assert Objection.select().count() == 0


def test_too_short_and_outside_notice(client, noticed, app):
    assert client.post(f"/Q/{noticed['code']}/objection", data={"text": "差"}).status_code == 400
    ratings.finalise(type(noticed["period"]).get_by_id(noticed["period"].id))
    response = client.post(f"/Q/{noticed['code']}/objection", data={"text": "结果有问题，请核实。"})
    assert response.status_code == 400
    assert "不在公示期" in response.get_data(as_text=True)


def test_rate_limited_per_client(client, noticed):
    statuses = [client.post(f"/Q/{noticed['code']}/objection", data={"text": f"第{n}条异议，请核实情况。"}).status_code
                for n in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert Objection.select().count() == 5


def test_rate_limited_per_code(client, noticed):
    statuses = []
    for n in range(62):
        address = f"10.0.{n // 200}.{n % 200 + 1}"
        statuses.append(client.post(f"/Q/{noticed['code']}/objection", data={"text": f"第{n}条异议，请核实情况。"},
                                    environ_base={"REMOTE_ADDR": address}).status_code)
    assert statuses.count(429) == 2


def test_resolve_rejected_shows_reason(client, noticed):
    client.post(f"/Q/{noticed['code']}/objection", data={"text": "学习次数少记了两次，请核实。"})
    stored = Objection.get()
    with pytest.raises(ValueError):
        objections.resolve(stored, accepted=False, reason="", actor="admin")
    objections.resolve(stored, accepted=False, reason="经核对签到表，记录无误。", actor="admin")
    html = client.get(f"/Q/{noticed['code']}").get_data(as_text=True)
    assert "经核对签到表，记录无误。" in html and stored.reference in html and "未采纳" in html
    assert "学习次数少记了两次" not in html  # the objection's own text stays private
    with pytest.raises(ValueError):
        objections.resolve(stored, accepted=True, reason="", actor="admin")


def test_resolve_accepted(client, noticed):
    client.post(f"/Q/{noticed['code']}/objection", data={"text": "学习次数少记了两次，请核实。"})
    stored = objections.resolve(Objection.get(), accepted=True, reason="已补记两次学习", actor="admin")
    assert stored.status == "accepted" and stored.resolved_by == "admin" and stored.resolved_at
    assert "已采纳" in client.get(f"/Q/{noticed['code']}").get_data(as_text=True)


def test_scans_counted_per_code_per_day_without_tracking(client, noticed):
    url = f"/Q/{noticed['code']}"
    first = client.get(url, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 12) MicroMessenger/8.0"})
    client.get(url, headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari"})
    client.get(url, headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    client.get(url, headers={"User-Agent": "Mozilla/5.0", "If-None-Match": first.headers["ETag"]})
    client.get(url + ".json")
    scans.flush()
    rows = list(ScanCount.select())
    assert [(r.day, r.count) for r in rows] == [(datetime.date.today(), 2)]
    columns = {f.name for f in ScanCount._meta.sorted_fields}
    assert columns == {"id", "plaque", "day", "count"}
    client.get(url, headers={"User-Agent": "Mozilla/5.0"})
    scans.flush()
    assert ScanCount.get().count == 3
