"""Objections during the public notice, and anonymous scan counts."""

import datetime

import pytest

from starqr.models import Objection, ScanCount
from starqr.security import limiter
from starqr.services import objections, ratings, scans
from tests.helpers import issue_code, make_member, make_period, make_tree, record


@pytest.fixture(autouse=True)
def _clean(app, fresh_pages):
    limiter.reset()


@pytest.fixture
def noticed(app):
    tree = make_tree()
    member = make_member(tree["branch"], name_zh="乌云")
    period = make_period(datetime.date.today().year - 1)
    record(member, period, "study", 2)
    ratings.publish(period)
    return {"member": member, "code": issue_code(member).code, "period": period}


def test_objection_gets_a_reference(client, noticed):
    response = client.post(
        f"/Q/{noticed['code']}/objection", data={"text": "集体劳动次数与实际不符，请核实。", "contact": "13800001111"}
    )
    assert response.status_code == 200
    stored = Objection.get()
    assert stored.reference in response.get_data(as_text=True)
    assert stored.contact == "13800001111" and stored.period_id == noticed["period"].id
    # the contact never reaches the public page
    assert "13800001111" not in client.get(f"/Q/{noticed['code']}").get_data(as_text=True)


def test_honeypot_stores_nothing(client, noticed):
    response = client.post(
        f"/Q/{noticed['code']}/objection", data={"text": "买便宜的药请点击链接", "website": "http://spam.example"}
    )
    assert response.status_code == 200 and "YY" in response.get_data(as_text=True)
    assert Objection.select().count() == 0


def test_too_short_and_outside_notice(client, noticed, app):
    assert client.post(f"/Q/{noticed['code']}/objection", data={"text": "差"}).status_code == 400
    ratings.finalise(type(noticed["period"]).get_by_id(noticed["period"].id))
    response = client.post(f"/Q/{noticed['code']}/objection", data={"text": "结果有问题，请核实。"})
    assert response.status_code == 400
    assert "不在公示期" in response.get_data(as_text=True)


def test_limit_counts_per_code_not_per_address(client, noticed):
    """One village address, two plaques: the first code fills its hour, the second still takes objections."""
    other = make_member(noticed["member"].branch, name_zh="其其格")
    other_code = issue_code(other).code
    statuses = [
        client.post(f"/Q/{noticed['code']}/objection", data={"text": f"第{n}条异议，请核实情况。"}).status_code
        for n in range(objections.PER_CODE_PER_HOUR)
    ]
    assert statuses == [200] * objections.PER_CODE_PER_HOUR
    limited = client.post(
        f"/Q/{noticed['code']}/objection", data={"text": "超出限额的这条异议请保留文字。", "contact": "村委会"}
    )
    assert limited.status_code == 429
    page = limited.get_data(as_text=True)
    assert "超出限额的这条异议请保留文字。" in page and 'value="村委会"' in page  # the typed text is kept
    assert "以后再提交" in page and int(limited.headers["Retry-After"]) > 3000
    assert "Too Many Requests" not in page
    # the same address, another code: accepted
    assert client.post(f"/Q/{other_code}/objection", data={"text": "另一块牌子的异议，请核实。"}).status_code == 200
    assert Objection.select().count() == objections.PER_CODE_PER_HOUR + 1


def test_limit_holds_across_senders_and_reopens_after_an_hour(client, noticed):
    for n in range(objections.PER_CODE_PER_HOUR + 2):
        client.post(
            f"/Q/{noticed['code']}/objection",
            data={"text": f"第{n}条异议，请核实情况。"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
        )
    assert Objection.select().count() == objections.PER_CODE_PER_HOUR
    plaque = issue_code(noticed["member"]).__class__.get(code=noticed["code"])
    later = max(o.created_at for o in Objection.select()) + datetime.timedelta(hours=1, seconds=1)
    objections.create(plaque, "一小时后再提交的异议。", now=later)
    assert Objection.select().count() == objections.PER_CODE_PER_HOUR + 1


def test_limited_page_in_the_visitors_language(client, noticed):
    for n in range(objections.PER_CODE_PER_HOUR):
        client.post(f"/Q/{noticed['code']}/objection", data={"text": f"第{n}条异议，请核实情况。"})
    for lang, word in (("mn", "ᠳᠠᠬᠢᠨ"), ("en", "Please")):
        page = client.post(f"/Q/{noticed['code']}/objection?lang={lang}", data={"text": "ᠲᠡᠰᠲ text kept"})
        assert page.status_code == 429
        html = page.get_data(as_text=True)
        assert "ᠲᠡᠰᠲ text kept" in html and word in html and "异议提交太频繁" not in html


def test_honeypot_does_not_use_up_the_codes_share(client, noticed):
    for n in range(10):
        client.post(f"/Q/{noticed['code']}/objection", data={"text": "买便宜的药请点击链接", "website": "x"})
    assert client.post(f"/Q/{noticed['code']}/objection", data={"text": "真实的异议，请核实。"}).status_code == 200


def test_per_address_flood_guard_is_our_page(client, noticed):
    statuses = []
    for n in range(32):
        response = client.post(f"/Q/{noticed['code']}/objection", data={"text": "买便宜的药请点击链接", "website": "x"})
        statuses.append(response.status_code)
    assert statuses.count(429) == 2
    assert "异议提交太频繁" in response.get_data(as_text=True)


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
