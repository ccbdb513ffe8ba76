"""Live StarQR servers on 127.0.0.1 and a headless Chromium at 360×640.

Servers are module-scoped: the models' database proxy is process-wide, so each module
binds it to its own database while its tests run (`./dev test` keeps a file's tests on
one worker with --dist loadfile).
"""

import contextlib
import os
import threading

import pytest
from werkzeug.serving import make_server

from starqr import create_app
from starqr.db import database, open_database
from starqr.migrations import migrate

PHONE_PASSWORD = "phone-secret-2025"  # the secretaries' in the phone tests
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "test-artifacts")
CHROMIUM = os.environ.get("STARQR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_app(folder, **config):
    """An app on a fresh migrated SQLite database in FOLDER (CSRF on, as in production)."""
    url = f"sqlite:///{folder / 'starqr.db'}"
    migrate(open_database(url))
    settings = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": f"browser-{folder.name}",
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "UPLOAD_FOLDER": str(folder / "uploads"),
        "PASSWORD_METHOD": "pbkdf2:sha256:1000",
    }
    settings.update(config)
    return create_app(settings)


@contextlib.contextmanager
def serving(app):
    """Serve APP from a thread on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def live_site(folder, build, **config):
    """A module's live server: an app on a fresh database in FOLDER (its instance folder inside),
    filled by BUILD(app) in the app's context, then served from a thread. Yields {"base": its
    URL, **what BUILD returned}; a module-scoped fixture ends with `yield from live_site(...)`."""
    app = browser_app(folder, **config)
    app.instance_path = str(folder / "instance")
    with app.app_context():
        database.connect(reuse_if_open=True)
        built = build(app)
        database.close()
    with serving(app) as base:
        yield {"base": base, **built}


def branch_with_secretary(username, display_name):
    """A fresh tree whose branch has the secretary USERNAME (password PHONE_PASSWORD): the tree."""
    from starqr.services import accounts
    from tests.helpers import make_tree

    tree = make_tree()
    accounts.create_user(username, PHONE_PASSWORD, "secretary", tree["branch"], display_name=display_name)
    return tree


def phone_page(browser, **options):
    """A page of its own 360×640 zh-CN context with OPTIONS, closed after: `yield from` it in a fixture."""
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN", **options)
    yield context.new_page()
    context.close()


def log_in(page, base, username, password):
    """Log in through the console's form and wait for the page it leads to."""
    page.goto(base + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The demo banner (300 members), with one reissued plaque."""
    from starqr.services import demo, plaques
    from starqr.models import MEMBER, PlaqueCode

    def build(app):
        report = demo.build(members=300, seed=7)
        member_codes = list(
            PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER).order_by(PlaqueCode.id).limit(6)
        )
        revoked = member_codes[-1].code
        return {
            "branch": [code for kind, name, code in report.codes if kind == "organisation"][0],
            "member": member_codes[0].code,
            "revoked": revoked,
            "replacement": plaques.reissue(revoked, actor="tester", reason="牌子丢失").code,
        }

    yield from live_site(tmp_path_factory.mktemp("browser"), build)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    yield from phone_page(browser, device_scale_factor=2, java_script_enabled=False)


def shot(page, name, full_page=True):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    page.screenshot(path=path, full_page=full_page)
    return path
