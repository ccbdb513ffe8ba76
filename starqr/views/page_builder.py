"""Rendering for the batch page builder (services/page_batch.py): the view's template, compiled
once, with the template context of a request for the language made once, not per page.

The page is the one render_page() makes (same template, same context, same data), so a page
built in bulk is byte-identical to the one a scan renders (tests/test_page_batch.py).
"""

import contextlib

from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup

from starqr.services import page_batch
from starqr.views.public import needs_mongolian


def bound_gettext(translations):
    """The templates' _() over TRANSLATIONS, as Jinja's new-style i18n makes it (translated, then
    marked safe in an autoescaped template, then filled: parameters are escaped), from Jinja's
    public API. (ngettext and pgettext, which the public templates do not use, stay flask-babel's.)"""

    @pass_context
    def gettext(__context, __string, **variables):  # dunder names: no clash with a template's parameters
        text = translations.ugettext(__string)
        if __context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext


def render_session(app):
    """RENDER_SESSION for page_batch: render_session(app)(lang) -> context manager of render(profile)."""

    @contextlib.contextmanager
    def session(lang):
        with app.app_context(), app.test_request_context(f"/Q/?lang={lang}" if lang != "json" else "/Q/"):
            template = app.jinja_env.get_or_select_template("public/profile.html")
            base = {}
            app.update_template_context(base)
            # The template's _() as flask-babel installs it, bound to this language's catalogue once:
            # flask-babel looks the catalogue up on every call (half of a page's render time).
            translations = get_translations()
            base["gettext"] = bound_gettext(translations)

            def render(profile):
                context = dict(base, p=profile, lang=lang, needs_mongolian=needs_mongolian(profile, lang))
                return template.render(context).encode()

            yield render

    return session


def build_pages(app, lang="zh", limit=None, workers=1):
    """Every missing or stale LANG page, built in bulk by WORKERS processes. Returns how many."""
    return page_batch.build(render_session(app), lang, limit, workers)


def build_codes(app, codes, lang="zh"):
    """The pages of CODES, built in bulk (the benchmarks' sample)."""
    return page_batch.build_codes(render_session(app), codes, lang)
