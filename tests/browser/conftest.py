"""A live StarQR server on 127.0.0.1 with the demo banner, and a headless Chromium at 360×640."""
import os
import threading

import pytest
from werkzeug.serving import make_server

from starqr import create_app
from starqr.db import database, open_database
from starqr.migrations import migrate

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "test-artifacts")
CHROMIUM = os.environ.get("STARQR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from starqr.services import demo, plaques
    from starqr.models import MEMBER, PlaqueCode
    path = tmp_path_factory.mktemp("browser") / "starqr.db"
    url = f"sqlite:///{path}"
    db = open_database(url)
    migrate(db)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "browser-tests",
                      "PUBLIC_BASE_URL": "http://127.0.0.1"})
    with app.app_context():
        database.connect(reuse_if_open=True)
        report = demo.build(members=300, seed=7)
        member_codes = list(PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER).order_by(PlaqueCode.id)
                            .limit(6))
        revoked = member_codes[-1].code
        replacement = plaques.reissue(revoked, actor="tester", reason="牌子丢失").code
        database.close()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    branch_code = [code for kind, name, code in report.codes if kind == "organisation"][0]
    yield {"base": f"http://127.0.0.1:{server.server_port}", "branch": branch_code,
           "member": member_codes[0].code, "revoked": revoked, "replacement": replacement}
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                                  java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def shot(page, name, full_page=True):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    page.screenshot(path=path, full_page=full_page)
    return path
