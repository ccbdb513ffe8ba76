"""Configuration: environment settings, and refusing an unsafe production set-up."""

import pytest

from starqr import create_app


def production(monkeypatch, **settings):
    """STARQR_ENV_NAME=production, and STARQR_<NAME> set to each of SETTINGS' values (None: unset)."""
    monkeypatch.setenv("STARQR_ENV_NAME", "production")
    for name, value in settings.items():
        if value is None:
            monkeypatch.delenv(f"STARQR_{name}", raising=False)
        else:
            monkeypatch.setenv(f"STARQR_{name}", value)


def app_in(tmp_path, **config):
    """An app on a SQLite file in TMP_PATH, with CONFIG."""
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", **config})


def test_production_requires_a_secret_key(monkeypatch, tmp_path):
    production(monkeypatch, SECRET_KEY=None)
    with pytest.raises(RuntimeError, match="STARQR_SECRET_KEY"):
        app_in(tmp_path)


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    production(
        monkeypatch,
        SECRET_KEY="a" * 64,
        PUBLIC_BASE_URL="https://dj.example.cn/",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/1",
    )
    app = app_in(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PUBLIC_BASE_URL"] == "https://dj.example.cn"  # no trailing slash in QR URLs


def test_database_url_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STARQR_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"].endswith("env.db")


def test_safe_headers_on_every_response(client):
    response = client.get("/Q/NOSUCHCODE")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_production_refuses_per_worker_rate_limits(monkeypatch, tmp_path):
    production(monkeypatch, SECRET_KEY="a" * 64, PUBLIC_BASE_URL="https://dj.example.cn", RATELIMIT_STORAGE_URI=None)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        app_in(tmp_path)


def test_proxy_trust_is_a_real_boolean(monkeypatch, tmp_path):
    monkeypatch.setenv("STARQR_BEHIND_PROXY", "0")
    assert app_in(tmp_path, TESTING=True).config["BEHIND_PROXY"] is False
    monkeypatch.setenv("STARQR_BEHIND_PROXY", "yes")
    assert app_in(tmp_path, TESTING=True).config["BEHIND_PROXY"] is True


def test_development_secret_is_random_per_instance_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("STARQR_SECRET_KEY", raising=False)
    monkeypatch.setenv("STARQR_INSTANCE_PATH", str(tmp_path / "one"))
    first = app_in(tmp_path).config["SECRET_KEY"]
    again = app_in(tmp_path).config["SECRET_KEY"]
    monkeypatch.setenv("STARQR_INSTANCE_PATH", str(tmp_path / "two"))
    other = app_in(tmp_path).config["SECRET_KEY"]
    assert first == again != other and len(first) == 64


def test_console_pages_are_never_cached(client):
    response = client.get("/console/login")
    assert response.headers["Cache-Control"] == "no-store"


def test_nul_characters_are_refused_with_a_reason(client):
    response = client.get("/api/v1/organisations", query_string={"q": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.get_json()["message"]
    response = client.get("/Q/ABC", query_string={"lang": "\x00"})
    assert response.status_code == 400
