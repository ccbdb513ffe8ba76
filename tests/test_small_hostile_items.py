"""The smaller items of issue 14, each with its test: no-store downloads, no client addresses in
gunicorn's error log, a revoked code's suggested replacement that is itself revoked, and the
security headers on static files served by nginx."""

import logging
import os
import re

import pytest

from starqr.services import imports as importer
from starqr.services import plaques
from tests.helpers import issue_code, login, make_member, make_period, make_tree, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def branch(app):
    tree = make_tree()
    make_user("sec", "secretary", tree["branch"])
    member = make_member(tree["branch"], name_zh="巴特尔")
    issue_code(member)
    return tree["branch"], member


@pytest.mark.parametrize(
    "path", ["/console/branches/{id}/plaques/codes.csv", "/console/branches/{id}/plaques/sheet.pdf"]
)
def test_code_and_sheet_downloads_are_no_store(client, branch, path):
    login(client, "sec")
    response = client.get(path.format(id=branch[0].id))
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"


def test_gunicorn_error_log_names_no_client_address(caplog):
    from gunicorn.config import Config

    from starqr.gunicorn_logging import AddressFreeLogger, redact

    assert (
        redact("Invalid request from ip=203.0.113.7: Invalid HTTP method")
        == "Invalid request from ip=-: Invalid HTTP method"
    )
    assert "2001:db8::1" not in redact("Invalid request from ip=2001:db8:0:0:0:0:0:1: x")
    logger = AddressFreeLogger(Config())
    with caplog.at_level(logging.WARNING, logger="gunicorn.error"):
        logger.error_log.propagate = True
        logger.warning("Invalid request from ip={ip}: {error}".format(ip="198.51.100.23", error="bad"))
    assert "198.51.100.23" not in caplog.text and "Invalid request" in caplog.text


def test_the_gunicorn_config_uses_the_address_free_logger():
    with open(os.path.join(ROOT, "deploy", "gunicorn.conf.py"), encoding="utf-8") as handle:
        text = handle.read()
    assert 'logger_class = "starqr.gunicorn_logging.AddressFreeLogger"' in text


def test_a_revoked_codes_suggestion_is_never_itself_revoked(branch):
    _, member = branch
    period = make_period(year=2025)
    first = plaques.PlaqueCode.get(plaques.PlaqueCode.subject_id == member.id)
    second = plaques.reissue(first.code, "tester", "lost")
    third = plaques.reissue(second.code, "tester", "lost again")

    def message(code):
        data = importer.write_csv([[code, "巴特尔", "study", "", 1, "2025-05-01", "学习"]])
        return importer.run(period, data, "x.csv", "admin").errors[0].message

    assert third.code in message(first.code) and second.code not in message(first.code)
    assert third.code in message(second.code)
    plaques.revoke(third.code, "tester", "withdrawn")
    for old in (first.code, second.code, third.code):
        assert "已作废" in message(old) and "请改用" not in message(old)


def test_static_files_from_nginx_carry_the_apps_security_headers():
    from starqr.security import CONTENT_SECURITY_POLICY

    with open(os.path.join(ROOT, "deploy", "nginx.conf"), encoding="utf-8") as handle:
        text = handle.read()
    block = re.search(r"location /static/ \{(.*?)\n    \}", text, re.S).group(1)
    for header in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"):
        assert f"add_header {header}" in block, header
    assert CONTENT_SECURITY_POLICY in block  # the same policy as the app's
