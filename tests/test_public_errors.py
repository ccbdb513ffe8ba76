"""Every public 4xx/5xx is one of our pages, in the visitor's language, with a way onward."""

import pytest

from starqr.services import profiles
from tests.helpers import issue_code, make_member, make_tree

FRAMEWORK_WORDS = (
    "Not Found</h1>",
    "Method Not Allowed",
    "Internal Server Error",
    "Too Many Requests",
    "The requested URL was not found",
)


def _ours(response, lang="zh"):
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert not any(word in page for word in FRAMEWORK_WORDS), page[:300]
    assert 'id="code"' in page or 'class="button"' in page  # a way onward
    assert {"zh": 'lang="zh-CN"', "mn": 'lang="mn-Mong"', "en": 'lang="en"'}[lang] in page
    return page


def test_root_is_a_short_chinese_page_with_the_code_box(client, app):
    response = client.get("/")
    assert response.status_code == 200
    page = _ours(response)
    assert "扫码查星级" in page and 'action="/q/"' in page.replace("/Q/", "/q/") and "编码" in page
    assert "ᠮᠣᠩᠭᠣᠯ" not in page or "StarQR Mongolian" in page


@pytest.mark.parametrize("lang", ("zh", "mn", "en"))
def test_unknown_address_and_wrong_method(client, app, lang):
    assert client.get(f"/no/such/page?lang={lang}").status_code == 404
    _ours(client.get(f"/no/such/page?lang={lang}"), lang)
    member = make_member(make_tree()["branch"], "乌云")
    code = issue_code(member).code
    response = client.post(f"/Q/{code}?lang={lang}")
    assert response.status_code == 405
    _ours(response, lang)
    response = client.get(f"/Q/{code}/objection?lang={lang}")
    assert response.status_code == 405
    _ours(response, lang)


def test_server_error_is_our_page(client, app, monkeypatch):
    member = make_member(make_tree()["branch"], "乌云")
    code = issue_code(member).code

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(profiles, "profile_for", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get(f"/Q/{code}?lang=mn")
    assert response.status_code == 500
    page = _ours(response, "mn")
    assert "database went away" not in page


def test_api_errors_stay_json(client, app):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code in (401, 404)
    assert "扫码查星级" not in response.get_data(as_text=True)


def test_refused_characters_get_our_page(client, app):
    response = client.get("/Q/ABC", query_string={"lang": "\x00"})
    assert response.status_code == 400
    _ours(response)
