"""Run by test_wheel_install inside the fresh venv: every page kind answers from the installed wheel.

Usage: python wheel_probe.py CODE...   (codes printed by `starqr demo`)
"""

import os
import re
import sys

import starqr

site_root = os.path.dirname(os.path.dirname(starqr.__file__))
assert "site-packages" in starqr.__file__, starqr.__file__
app = starqr.create_app()
assert app.instance_path == os.path.join(os.getcwd(), "instance"), app.instance_path
assert app.template_folder.startswith(site_root), app.template_folder
client = app.test_client()
failures = []


def expect(path, status, contains=None, **kwargs):
    response = client.get(path, **kwargs)
    body = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
    wanted = status if isinstance(status, tuple) else (status,)
    if response.status_code not in wanted or (contains and contains not in body):
        failures.append(f"{path}: {response.status_code} (wanted {status}{', ' + contains if contains else ''})")
    print(f"{path} -> {response.status_code}")
    return response


expect("/", (200, 404))  # the landing page (issue 10) may not exist yet; never a 500
for code in sys.argv[1:]:
    expect(f"/Q/{code}", 200, code[:5])
    expect(f"/Q/{code}?lang=mn", 200)
    expect(f"/Q/{code}?lang=en", 200)
expect("/Q/ZZZZZZZZZZ", 404)
expect("/static/console.css", 200)
expect("/static/fonts/NotoSansMongolian-subset.woff2", 200)
expect("/static/no-such-file.css", 404)
login = expect("/console/login", 200)
token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login.get_data(as_text=True))
form = {"username": "admin", "password": os.environ["STARQR_DEMO_PASSWORD"]}
if token:
    form["csrf_token"] = token.group(1)
response = client.post("/console/login", data=form)
if response.status_code != 302:
    failures.append(f"log-in: {response.status_code}")
expect("/console/", 200)
expect("/healthz", 200)
if failures:
    print("FAILED:", *failures, sep="\n  ")
    sys.exit(1)
print("every page served")
