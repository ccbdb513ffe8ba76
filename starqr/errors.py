"""One error base for every layer: a code, parameters, and a message template.

Raise (in a service, the ledger, the importer...):

    from starqr.errors import N_, NotFound, StarQRError

    class MemberError(StarQRError):          # an area's errors stay one subclass
        code = "member_invalid"

    raise MemberError(N_("党员 %(name)s 已调出"), name=member.name_zh)
    raise NotFound(N_("没有编号为 %(id)s 的党员"), code="member_not_found", id=member_id)

The template is a catalogue msgid (Chinese, like every source string; `N_` marks it for
extraction without translating); the parameters fill it. The edge translates:
console `flash(error_text(error))`, API `{"error": code, "message": ..., "params": ...}`,
CLI one line on stderr. `str(error)` is the untranslated text (logs, tests).

This module imports nothing from Flask or the database: every layer may raise these.
"""


def N_(text):
    """Mark TEXT as a catalogue msgid; translated later, at the edge."""
    return text


class Term(str):
    """A parameter that is itself a catalogue msgid (a field's label, a level's name): the edge
    translates it along with the template. Mark its text with N_ where it is written."""


def fill(template, params, translate=None):
    """TEMPLATE through TRANSLATE (a gettext; None: the Chinese msgid) with PARAMS filled in: the one
    way a StarQR sentence is made. A parameter that is a Term, a StarQRError or anything with a
    text(gettext) method (a Phrase, an import's RowError) is translated along with it; a bad
    translation must not hide the sentence, so it falls back to the Chinese."""
    text = translate(template) if translate is not None else template
    if not params:
        return text
    try:
        return text % {name: _shown(value, translate) for name, value in params.items()}
    except (KeyError, ValueError, TypeError):
        return template % params


def _shown(value, translate):
    if translate is None:
        return value
    if isinstance(value, StarQRError):
        return value.message(translate)
    if isinstance(value, Term):
        return translate(value)
    return value.text(translate) if hasattr(value, "text") else value


class StarQRError(Exception):
    """The base of every expected failure: something a person can read and act on."""

    code = "error"  # stable, machine-readable (API `error`, logs)
    status = 400  # the HTTP status the API answers with
    template = N_("操作失败")

    def __init__(self, template=None, code=None, status=None, **params):
        if template is not None:
            self.template = str(template)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.params = params
        super().__init__(self.message())

    def __init_subclass__(cls, code=None, status=None, template=None, **kwargs):
        """A kind of failure in its class line: ``class NotFound(StarQRError, code="not_found",
        status=404, template=N_("未找到"))``; a subclass may set them as class attributes instead."""
        super().__init_subclass__(**kwargs)
        for name, value in (("code", code), ("status", status), ("template", template)):
            if value is not None:
                setattr(cls, name, value)

    @classmethod
    def wrapping(cls, error):
        """This area's error saying what ERROR (a StarQRError, e.g. a ValidationError) says:
        its template, parameters (its label as a Term), code and field, translated at the edge."""
        params = dict(error.params)
        if getattr(error, "label", None) is not None:
            params["label"] = Term(error.label)
        wrapped = cls(error.template, code=error.code, **params)
        wrapped.field = getattr(error, "field", None)
        return wrapped

    def message(self, translate=None):
        """The message, through TRANSLATE (a gettext) when given, with the parameters filled in."""
        return fill(self.template, self.params, translate)

    def to_dict(self, translate=None):
        return {
            "error": self.code,
            "message": self.message(translate),
            "params": {k: plain(v) for k, v in self.params.items()},
        }


def plain(value):
    """VALUE as JSON carries it: None, text, numbers and booleans as they are, anything else as text."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


class Invalid(StarQRError, code="invalid", status=422, template=N_("输入有误")):
    """The request is understood but its content is refused (a bad value, a rule broken)."""


class NotFound(StarQRError, code="not_found", status=404, template=N_("未找到")):
    """No such thing, or the actor may not see it (the two are indistinguishable on purpose)."""


class Forbidden(StarQRError, code="forbidden", status=403, template=N_("您无权执行此操作")):
    """The actor may see the thing but not do this to it."""


class Conflict(StarQRError, code="conflict", status=409, template=N_("当前状态不允许此操作")):
    """The state of the data does not allow this now (already published, already revoked...)."""
