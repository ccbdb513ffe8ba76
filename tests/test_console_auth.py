"""Accounts: log-in, lock-out, rate limit, password change, log-out, CSRF, cookies."""

import datetime

import pytest

from starqr import create_app
from starqr.models import AuditLog, User
from starqr.services import accounts
from tests.helpers import PASSWORD, login, make_tree, make_user


@pytest.fixture
def secretary(app):
    tree = make_tree()
    return make_user("sec", "secretary", tree["branch"])


def test_login_and_logout(client, secretary):
    assert client.get("/console/").status_code == 302
    response = login(client, "sec")
    assert response.status_code == 302
    assert client.get("/console/", follow_redirects=True).status_code == 200
    assert client.get("/console/logout").status_code == 405  # log-out only by POST
    assert client.post("/console/logout").status_code == 302
    assert client.get("/console/").location.startswith("/console/login")
    assert "account.login" in [a.action for a in AuditLog.select()]


def test_password_hashes_are_strong(app):
    from starqr import config

    assert config.defaults("/tmp")["PASSWORD_METHOD"] == "scrypt"
    accounts.configure({"PASSWORD_METHOD": "scrypt"})  # the production default
    try:
        user = make_user("h", "admin")
    finally:
        accounts.configure(app.config)
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert accounts.password_matches(user, PASSWORD)


def test_wrong_password_and_unknown_user_give_the_same_answer(client, secretary):
    wrong = login(client, "sec", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert "用户名或密码不正确" in unknown.get_data(as_text=True)


def test_repeated_failures_earn_a_wait_not_a_lock(client, secretary):
    # Issue 14: five anonymous wrong passwords locked the account for 15 minutes. Now: waits.
    for _ in range(accounts.MAX_FAILED_LOGINS + 1):
        login(client, "sec", "wrong-password!")
    user = User.get(User.username == "sec")
    assert user.locked_until is None
    response = login(client, "sec")  # during the wait even the right password waits
    assert response.status_code == 429 and "秒后再试" in response.get_data(as_text=True)
    from starqr.models import LoginThrottle

    LoginThrottle.update(wait_until=datetime.datetime(2000, 1, 1)).execute()
    assert login(client, "sec").status_code == 302  # the wait is over
    assert User.get_by_id(user.id).failed_logins == 0
    assert "account.locked" not in [a.action for a in AuditLog.select()]


def test_login_post_is_rate_limited(client, secretary):
    statuses = [login(client, "nobody", "x" * 12).status_code for _ in range(12)]
    assert statuses[0] == 401 and statuses[-1] == 429


def test_password_change(client, secretary):
    login(client, "sec")
    response = client.post(
        "/console/password",
        data={"old_password": "wrong", "new_password": "a-new-long-secret", "confirm": "a-new-long-secret"},
    )
    assert "当前密码不正确" in response.get_data(as_text=True)
    response = client.post(
        "/console/password", data={"old_password": PASSWORD, "new_password": "short", "confirm": "short"}
    )
    assert response.status_code == 200
    assert accounts.password_matches(User.get(User.username == "sec"), PASSWORD)
    response = client.post(
        "/console/password",
        data={"old_password": PASSWORD, "new_password": "a-new-long-secret", "confirm": "a-new-long-secret"},
    )
    assert response.status_code == 302
    assert accounts.password_matches(User.get(User.username == "sec"), "a-new-long-secret")
    assert client.get("/console/", follow_redirects=True).status_code == 200  # this session continues


def test_password_change_ends_other_sessions(app, secretary):
    first, second = app.test_client(), app.test_client()
    login(first, "sec")
    login(second, "sec")
    first.post(
        "/console/password",
        data={"old_password": PASSWORD, "new_password": "a-new-long-secret", "confirm": "a-new-long-secret"},
    )
    assert second.get("/console/").status_code == 302  # back to the log-in page


def test_inactive_user_cannot_log_in_and_is_logged_out(client, secretary):
    login(client, "sec")
    User.update(active=False).where(User.username == "sec").execute()
    assert client.get("/console/").status_code == 302
    assert login(client, "sec").status_code == 401


def test_next_is_never_an_open_redirect(client, secretary):
    response = client.post(
        "/console/login", data={"username": "sec", "password": PASSWORD, "next": "https://evil.example/console"}
    )
    assert response.location == "/console/"
    client.post("/console/logout")
    response = client.post(
        "/console/login", data={"username": "sec", "password": PASSWORD, "next": "/console/password"}
    )
    assert response.location == "/console/password"


def test_session_cookie_flags(client, app, secretary):
    response = login(client, "sec")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(database_url):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "ENV_NAME": "production",
            "SECRET_KEY": "x" * 32,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
            "PUBLIC_BASE_URL": "https://dj.example.cn",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_csrf_refuses_posts_without_token(app, secretary):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/console/login", data={"username": "sec", "password": PASSWORD})
    assert response.status_code == 400
    # with the token from the form it works
    page = client.get("/console/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/console/login", data={"username": "sec", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    # a logged-in write without the token is refused too
    branch_id = User.get(User.username == "sec").organisation_id
    response = client.post(f"/console/branches/{branch_id}/edit", data={"secretary_name": "x"})
    assert response.status_code == 400
    assert client.post("/console/logout").status_code == 400


def test_password_rules():
    with pytest.raises(accounts.AccountError):
        accounts.create_user("u1", "short", "admin")
    with pytest.raises(accounts.AccountError):
        accounts.create_user("longusername", "longusername", "admin")


def test_secretary_must_belong_to_a_branch(app):
    tree = make_tree()
    with pytest.raises(accounts.AccountError):
        make_user("s2", "secretary", tree["town"])


def test_api_token_authenticates(app, secretary):
    row, token = accounts.create_api_token(secretary, "import script")
    assert accounts.user_for_api_token(token).id == secretary.id
    assert token not in row.token_hash
    row.revoked = True
    row.save()
    assert accounts.user_for_api_token(token) is None


def test_api_token_opens_the_api_but_not_the_console(client, secretary):
    _, token = accounts.create_api_token(secretary, "script")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/organisations", headers=headers).status_code == 200
    console = client.get("/console/", headers=headers)
    assert console.status_code == 302 and "/console/login" in console.headers["Location"]


@pytest.mark.parametrize(
    "query, headers, tag",
    [("", {}, "zh-CN"), ("?lang=mn", {}, "mn-Mong"), ("", {"Accept-Language": "en"}, "en")],
)
def test_console_pages_declare_the_language_they_are_in(client, secretary, query, headers, tag):
    """Screen readers and the browser's font choice follow <html lang>: a Mongolian console is not 'zh-CN'."""
    page = client.get(f"/console/login{query}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{tag}">' in page
