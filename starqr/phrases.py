"""Sentences kept as a catalogue template and its parameters until the reader's language is known.

A Phrase is a str: its text is the Chinese sentence (what logs, JSON and the database keep, what
tests read), and ``phrase.text(gettext)`` is the same sentence in a reader's language. Pages need
nothing more: the app's Jinja environment renders a Phrase through the page's gettext
(starqr.i18n). Its ``code`` says what the sentence is about, for logic and metrics, never the words.

Some sentences are written into the database by StarQR itself (a correction's reason, a revoked
plaque's note): ``STORED`` names their templates, used to write them, and :func:`read` turns a
stored text, old rows included, back into a Phrase where it matches one. No Flask, no database:
every layer may use this module.
"""

import re

from starqr.errors import N_, fill


class Phrase(str):
    """TEMPLATE (a catalogue msgid, marked with N_) filled with PARAMS; CODE names it.

    A parameter that is a Term, a StarQRError or another Phrase (anything with a text(gettext)
    method) is translated along with the sentence."""

    def __new__(cls, code, template, **params):
        phrase = super().__new__(cls, fill(template, params, None))
        phrase.code, phrase.template, phrase.params = code, template, params
        return phrase

    def text(self, gettext):
        return fill(self.template, self.params, gettext)

    def __reduce__(self):  # pickle and copy rebuild the phrase, not just its Chinese text
        return _rebuild, (type(self), self.code, self.template, self.params)


def _rebuild(cls, code, template, params):
    return cls(code, template, **params)


# ---------------------------------------------------------------- sentences StarQR stores

STORED = {
    "ledger_correction": N_("更正:%(reason)s"),
    "objection_correction": N_("异议 %(reference)s 核实后更正:%(reason)s"),
    "objection_rerated": N_("异议 %(reference)s 核实后更正"),
    "rerated": N_("更正后重新评定"),
    "contest_rank": N_("比武争星「%(contest)s」第%(rank)s名"),
    "contest_evidence": N_("比武争星 #%(id)s「%(contest)s」：%(judges)s位评委，平均分 %(score)s"),
    "organisation_dissolved": N_("组织已撤销"),
    "organisation_merged": N_("组织已并入「%(name)s」"),
    "private_changed": N_("(已修改)"),  # a private field's value in the audit log, never the value
}


def stored(code, **params):
    """The STORED sentence CODE with PARAMS: the Chinese text to write (read() gives the Phrase back)."""
    return fill(STORED[code], params, None)


def _pattern(template):
    parts = re.split(r"%\((\w+)\)s", template)
    pattern = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
    return re.compile(f"^{pattern}$", re.DOTALL)


_PATTERNS = [(code, _pattern(template)) for code, template in STORED.items()]
# Their literal beginnings: most stored texts (typed reasons) are ruled out by one startswith.
_BEGINNINGS = tuple({template.split("%(", 1)[0] for template in STORED.values()})


def read_fields(rows, *fields):
    """ROWS (model instances, for display only) with each of FIELDS read back by read(); returns ROWS."""
    for row in rows:
        for name in fields:
            setattr(row, name, read(getattr(row, name)))
    return rows


def read(text):
    """TEXT as stored, as a Phrase when it is one of the STORED sentences (else TEXT unchanged)."""
    if not text or not isinstance(text, str) or isinstance(text, Phrase) or not text.startswith(_BEGINNINGS):
        return text
    for code, pattern in _PATTERNS:
        found = pattern.match(text)
        if found:  # a reason may itself be a stored sentence (a correction of a correction)
            return Phrase(code, STORED[code], **{name: read(value) for name, value in found.groupdict().items()})
    return text
