"""Production refuses weak settings with one line, no traceback (issue 14, failure 11)."""

import os
import subprocess
import sys

import pytest

from starqr import create_app
from starqr.config import ConfigError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD = {
    "STARQR_ENV_NAME": "production",
    "STARQR_SECRET_KEY": "k" * 64,
    "STARQR_DATABASE_URL": "postgresql://starqr@127.0.0.1:5432/starqr",
    "STARQR_PUBLIC_BASE_URL": "https://dj.example.gov.cn",
    "STARQR_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
}


@pytest.fixture
def production(monkeypatch, tmp_path):
    for key in list(os.environ):
        if key.startswith("STARQR_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("STARQR_INSTANCE_PATH", str(tmp_path / "instance"))
    for key, value in GOOD.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_good_production_settings_start(production):
    assert create_app().config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("STARQR_SECRET_KEY", "x", "太短"),
        ("STARQR_SECRET_KEY", "s" * 31, "至少 32 字节"),
        ("STARQR_SECRET_KEY", None, "必须设置 STARQR_SECRET_KEY"),
        ("STARQR_DATABASE_URL", None, "开发用数据库"),
        ("STARQR_DATABASE_URL", "sqlite:///:memory:", "开发用数据库"),
        ("STARQR_PUBLIC_BASE_URL", None, "必须设置 STARQR_PUBLIC_BASE_URL"),
        ("STARQR_PUBLIC_BASE_URL", "dj.example.gov.cn", "必须设置 STARQR_PUBLIC_BASE_URL"),
    ],
)
def test_weak_production_settings_are_refused(production, tmp_path, key, value, words):
    if value is None:
        production.delenv(key)
    else:
        production.setenv(key, value)
    with pytest.raises(ConfigError, match=words):
        create_app()


def test_sqlite_inside_the_instance_folder_is_refused(production, tmp_path):
    production.setenv("STARQR_DATABASE_URL", f"sqlite:///{tmp_path}/instance/starqr.db")
    with pytest.raises(ConfigError, match="开发用数据库"):
        create_app()


@pytest.mark.parametrize("entry", ["starqr.wsgi", "cli"])
def test_the_refusal_is_one_line_without_a_traceback(tmp_path, entry):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": ROOT,
        "HOME": str(tmp_path),
        **GOOD,
        "STARQR_SECRET_KEY": "x",
        "STARQR_INSTANCE_PATH": str(tmp_path / "instance"),
        "STARQR_LANG": "en",  # the operator's language, as for every CLI line
    }
    command = (
        [sys.executable, "-c", "import starqr.wsgi"]
        if entry == "starqr.wsgi"
        else [sys.executable, "-m", "starqr.cli", "migrate"]
    )
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert completed.returncode in ((3,) if entry == "starqr.wsgi" else (1,)), completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "too short" in lines[0] and "Traceback" not in completed.stderr, completed.stderr
