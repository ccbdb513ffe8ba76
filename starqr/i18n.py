"""Translation layer: Chinese first, Mongolian and English alongside."""

import os

from flask import current_app, request
from flask_babel import Babel, get_locale, gettext

from starqr.phrases import Phrase

babel = Babel()

LANGUAGE_NAMES = {"zh": "中文", "mn": "ᠮᠣᠩᠭᠣᠯ", "en": "English"}
HTML_LANGS = {"zh": "zh-CN", "mn": "mn-Mong", "en": "en"}  # a page's <html lang> tag, by language


def current_html_lang():
    """The <html lang> tag of a page in the request's language (the console follows the locale)."""
    return HTML_LANGS[str(get_locale())]


def select_locale():
    supported = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in supported:
        return asked
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _finalize(value):
    """What a template prints: a Phrase (a sentence a service kept as template and parameters) in
    the page's language; anything else as it is."""
    return value.text(gettext) if isinstance(value, Phrase) else value


def init_app(app):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(os.path.dirname(__file__), "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.finalize = _finalize
    app.jinja_env.globals.update(HTML_LANGS=HTML_LANGS, current_html_lang=current_html_lang)
