"""deploy/: the systemd units agree on one layout; the nginx test variant is made from nginx.conf."""

import pathlib
import shutil
import subprocess
import sys

import pytest

DEPLOY = pathlib.Path(__file__).resolve().parent.parent / "deploy"


def _directives(path):
    found = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize("unit", sorted(p.name for p in DEPLOY.glob("*.service")))
def test_units_share_one_layout(unit):
    directives = _directives(DEPLOY / unit)
    assert directives["EnvironmentFile"] == ["/etc/starqr/starqr.env"]
    assert directives["WorkingDirectory"] == ["/var/lib/starqr"]
    assert directives["User"] == ["starqr"]
    for command in directives.get("ExecStart", []) + directives.get("ExecStartPre", []):
        assert command.startswith("/opt/starqr/bin/"), command
    assert "/srv/" not in (DEPLOY / unit).read_text()


def test_every_timer_has_its_service():
    for timer in DEPLOY.glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer.name


def test_nginx_http_variant(tmp_path):
    sys.path.insert(0, str(DEPLOY))
    try:
        import nginx_http_variant
    finally:
        sys.path.remove(str(DEPLOY))
    text = nginx_http_variant.variant(
        (DEPLOY / "nginx.conf").read_text(), 18555, "127.0.0.1:18556", str(tmp_path / "static"), str(tmp_path)
    )
    assert "listen 127.0.0.1:18555;" in text and "server 127.0.0.1:18556 max_fails=0;" in text
    # the temporary directory's own name may contain "443" (pytest-443); leave it out
    directives = "\n".join(line.split("#", 1)[0] for line in text.replace(str(tmp_path), "TMP").splitlines())
    assert "ssl" not in directives and "443" not in directives
    assert "limit_req zone=" not in text and "location = /metrics" in text
    if shutil.which("nginx"):
        config = tmp_path / "nginx.conf"
        config.write_text(text)
        result = subprocess.run(
            ["nginx", "-t", "-q", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
