"""The one error every validator raises: which field, what is wrong, in words a person reads."""

from starqr.errors import N_ as N_  # noqa: PLC0414 (one marker for the whole package)
from starqr.errors import Invalid


_translator = None


def use_translator(function):
    """The app registers its gettext here (services stay Flask-free); None: the Chinese text."""
    global _translator
    _translator = function


def translate(text):
    """TEXT in the current user's language when a translator is registered and usable."""
    if _translator is None:
        return text
    try:
        return _translator(text)
    except (RuntimeError, KeyError, AttributeError):  # outside a request or app: the Chinese text
        return text


class ValidationError(Invalid, ValueError):
    """FIELD (machine name) broke a rule. The message is TEMPLATE % params, the label included.

    The template and the field label are Chinese msgids; the edge translates them:
    `error.message(gettext)`. `str(error)` is the Chinese text (logs, the CLI, tests).
    """

    code = "invalid"
    status = 422

    def __init__(self, field, template, label=None, code=None, **params):
        self.field = field
        self.label = label or field
        self.template = template
        if code:
            self.code = code
        self.params = params
        Exception.__init__(self, self.message())  # not StarQRError's: the template here has a label

    def message(self, translate=None):
        """The message; TRANSLATE is a gettext, or True for the registered one (use_translator)."""
        if translate is True:
            translate = globals()["translate"]
        template = translate(self.template) if translate else self.template
        label = translate(self.label) if translate else self.label
        try:
            return template % dict(self.params, label=label)
        except (KeyError, ValueError, TypeError):  # a bad translation must not hide the error
            return self.template % dict(self.params, label=self.label)

    def to_dict(self, translate=None):
        return {
            "error": self.code,
            "field": self.field,
            "message": self.message(translate),
            "params": {
                k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in self.params.items()
            },
        }
