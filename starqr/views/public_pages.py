"""The public site around the scan pages: `/`, our own error pages, and label filters.

Every 4xx/5xx answered outside the console and the API is one of our pages, in the
visitor's language, with a way onward (the code box); never a bare framework page.
"""

from flask import Blueprint, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from starqr.i18n import select_locale
from starqr.i18n_labels import label
from starqr.plaque import words

blueprint = Blueprint("public_pages", __name__)

# Paths whose errors other doors answer in their own way (JSON for the API, the console's pages).
OTHER_DOORS = ("/api/", "/console")


@blueprint.app_template_filter("label")
def label_filter(name):
    """A rubric name (item, veto, gate, designation, listing...) in the page's language."""
    return label(name)


@blueprint.app_template_filter("words")
def words_filter(name, personal=False):
    """A Chinese name that wraps only between words (the plaque's rule): each word an inline block."""

    if not name:
        return name
    cuts = () if personal else words.break_points(name)
    return Markup("").join(Markup('<span class="w">%s</span>') % escape(part) for part in words.lines_at(name, cuts))


@blueprint.route("/")
def home():
    """A short Chinese page with the code box, for someone who typed the bare address."""
    return render_template("public/home.html", lang=_safe_lang())


def _safe_lang():
    try:
        return select_locale()
    except Exception:  # an error page must render even when the request itself is broken
        return "zh"


def error_page(status, lang=None):
    """Our page for an HTTP error STATUS on a public route."""
    response = render_template("public/error.html", status=status, lang=lang or _safe_lang())
    return response, status, {"Cache-Control": "no-store"}


def _handle_http_error(error):
    if request.path.startswith(OTHER_DOORS):
        return error
    if error.code is None or error.code < 400:
        return error
    if error.response is not None:  # a page already made for this error (the objection limit's)
        return error.response
    if error.code == 404:
        return render_template("public/not_found.html", code="", lang=_safe_lang()), 404, {"Cache-Control": "no-cache"}
    return error_page(error.code)


def _handle_server_error(error):
    if request.path.startswith(OTHER_DOORS):
        return error
    return error_page(500)


def init_app(app):
    app.register_blueprint(blueprint)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(500, _handle_server_error)
