"""Log-in that cannot be turned against users (issue 14, failures 6 and 7).

6: five anonymous wrong passwords locked `admin` for 15 minutes, and only known names were
ever "locked". 7: a session cookie saved before log-out still opened /console/; sessions
never expired.
"""

import datetime
import time

import pytest

from starqr.models import LoginThrottle, User, utcnow
from starqr.services import accounts, login_guard
from tests.helpers import PASSWORD, login, make_tree, make_user


@pytest.fixture
def users(app):
    tree = make_tree()
    return {"admin": make_user("admin", "admin"), "sec": make_user("sec", "secretary", tree["branch"])}


def _attempts(client, username, count, address):
    answers = []
    for _ in range(count):
        response = client.post(
            "/console/login",
            data={"username": username, "password": "wrong-password!"},
            environ_base={"REMOTE_ADDR": address},
        )
        text = response.get_data(as_text=True)
        answers.append((response.status_code, "用户名或密码不正确" in text, "秒后再试" in text))
    return answers


def test_known_and_unknown_names_get_the_same_answers(client, users):
    known = _attempts(client, "admin", 8, "10.0.0.1")
    unknown = _attempts(client, "no-such-user", 8, "10.0.0.2")
    assert known == unknown
    assert known[0] == (401, True, False) and known[-1][0] == 429


def test_nobody_can_lock_an_account_its_owner_waits_seconds_at_most(users):
    now = utcnow()
    for i in range(30):  # an attacker from many addresses
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate("admin", "wrong", now=now, address=f"10.1.{i}.1")
    wait = login_guard.wait_seconds("admin", "192.0.2.7", now)
    assert 0 < wait <= login_guard.ACCOUNT_MAX_WAIT
    later = now + datetime.timedelta(seconds=wait)
    assert accounts.authenticate("admin", PASSWORD, now=later, address="192.0.2.7").username == "admin"


def test_waits_grow_per_address_and_fade(users):
    now = utcnow()
    waits = []
    for i in range(12):
        try:
            accounts.authenticate(f"guess{i}", "wrong", now=now, address="198.51.100.9")
        except accounts.LoginRefused:
            pass
        waits.append(login_guard.wait_seconds(f"other{i}", "198.51.100.9", now))
        now += datetime.timedelta(seconds=waits[-1])
    assert waits[:5] == [0] * 5 and waits[5:] == sorted(waits[5:]) and waits[-1] > waits[5] >= 1
    assert login_guard.wait_seconds("x", "198.51.100.9", now + login_guard.FORGET_AFTER * 2) == 0
    assert login_guard.forget_old(now + login_guard.FORGET_AFTER * 2) > 0


def test_unknown_names_are_stored_hashed():
    key = login_guard.account_key("身份证里的名字")
    assert key.startswith("account:") and "名字" not in key


def test_a_cookie_saved_before_log_out_no_longer_opens_the_console(client, users, app):
    login(client, "sec")
    assert client.get("/console/password").status_code == 200
    saved = client.get_cookie("session").value
    client.post("/console/logout", data={})
    assert client.get("/console/password").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", saved)
    response = thief.get("/console/password")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_logging_out_ends_the_users_other_sessions_too(app, users):
    first, second = app.test_client(), app.test_client()
    login(first, "sec")
    login(second, "sec")
    first.post("/console/logout", data={})
    assert second.get("/console/password").status_code == 302


def test_a_password_change_ends_the_other_sessions(app, users):
    mine, other = app.test_client(), app.test_client()
    login(mine, "sec")
    login(other, "sec")
    response = mine.post(
        "/console/password",
        data={"old_password": PASSWORD, "new_password": "a-new-long-secret", "confirm": "a-new-long-secret"},
    )
    assert response.status_code == 302
    assert mine.get("/console/password").status_code == 200  # the one that changed it carries on
    assert other.get("/console/password").status_code == 302  # the others log in again


@pytest.mark.parametrize("field, age", [("seen_at", 8 * 3600 + 5), ("login_at", 24 * 3600 + 5)])
def test_idle_and_absolute_timeouts(client, users, field, age):
    login(client, "sec")
    assert client.get("/console/password").status_code == 200
    with client.session_transaction() as session:
        session[field] = int(time.time()) - age
        if field == "login_at":
            session["seen_at"] = int(time.time())
    response = client.get("/console/password")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    assert client.get("/console/password").status_code == 302  # and it stays ended


def test_a_session_without_an_age_is_ended(client, users):
    login(client, "sec")
    with client.session_transaction() as session:
        del session["login_at"]
    assert client.get("/console/password").status_code == 302


def test_an_active_session_stays(client, users):
    login(client, "sec")
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 7 * 3600
    assert client.get("/console/password").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session["seen_at"] < 60


def test_inactive_users_are_refused_like_unknown_ones(client, users):
    User.update(active=False).where(User.username == "sec").execute()
    response = login(client, "sec")
    assert response.status_code == 401 and "用户名或密码不正确" in response.get_data(as_text=True)
    assert LoginThrottle.select().count() >= 1
