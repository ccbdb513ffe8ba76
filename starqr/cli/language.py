"""The CLI's language: the catalogue the web uses, chosen from the operator's environment.

STARQR_LANG (zh, mn or en) wins; else the locale (LC_ALL, LC_MESSAGES, LANG: `mn_MN.UTF-8`
reads Mongolian, `en_US.UTF-8` English); else Chinese, the source language (C/POSIX too).
Service errors (StarQRError) reach the operator as their catalogue template in that language,
parameters filled in, the same sentence the console flashes and the API answers.
"""

import functools
import os

from babel.support import NullTranslations, Translations

from starqr.errors import StarQRError

LANGUAGES = ("zh", "mn", "en")
DEFAULT = "zh"
TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")


def language(environ=None):
    """zh, mn or en for this process (see the module docstring)."""
    environ = os.environ if environ is None else environ
    asked = (environ.get("STARQR_LANG") or "").strip().lower()
    if asked[:2] in LANGUAGES:
        return asked[:2]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(name) or "").strip().lower()
        if value:  # the first one set decides, as for any POSIX program
            return value[:2] if value[:2] in LANGUAGES else DEFAULT
    return DEFAULT


@functools.lru_cache(maxsize=len(LANGUAGES))
def _catalogue(lang):
    if lang == DEFAULT:
        return NullTranslations()
    return Translations.load(TRANSLATIONS, [lang], domain="messages")


def gettext(text):
    """TEXT (a catalogue msgid) in the operator's language; the Chinese text when none is compiled."""
    return _catalogue(language()).gettext(text)


def say(template, **params):
    """A catalogue TEMPLATE (marked with N_) in the operator's language, PARAMS filled in."""
    text = gettext(template)
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):  # a bad translation must not hide the line
        return template % params


def error_text(error):
    """An exception as the operator reads it: a StarQRError through the catalogue, else its text."""
    if isinstance(error, StarQRError):
        return error.message(gettext)
    return str(error)
