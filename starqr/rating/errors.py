"""The exceptions the rubric engine raises: catalogue templates with a code and parameters."""

from starqr.errors import N_, StarQRError, Term

# The rubric's key before the file has given a valid one.
UNNAMED = Term(N_("<评分标准>"))


class RubricError(StarQRError, ValueError):
    """A rubric file, or the input given to a rubric, is not valid.

    The message always starts with the rubric key and then names the bad field
    (``member_points: components[2].max: 应为正数``) or the bad subject input
    (``member_points: 对象 17:台账中有评分标准不认识的项目“stduy”``), so that an
    administrator editing a file or an importer reading a spreadsheet can fix it
    without reading Python. The key and the field path are written as in the file, in
    every language; the rest is a catalogue template, translated at the edge.
    """

    code = "rubric_invalid"
    template = N_("评分标准有误")


class RubricFieldError(RubricError):
    """One place in a rubric file is wrong: ``<key>: <path>: <problem>``.

    KEY (the rubric's key, or UNNAMED) and PATH (``components[2].max``; None for the
    file as a whole) stay as written; TEMPLATE is the problem, a catalogue msgid filled
    with PARAMS. ``params`` holds key and path too, for the API's error body.
    """

    def __init__(self, key, path, template, code, **params):
        super().__init__(template, code=code, key=key, path=path, **params)

    def message(self, translate=None):
        problem = super().message(translate)
        key = self.params.get("key")
        if translate is not None and isinstance(key, Term):
            key = translate(key)
        return ": ".join(str(part) for part in (key, self.params.get("path"), problem) if part)


class SubjectInputError(RubricError):
    """One subject's values cannot be rated by this rubric (the rubric itself is fine).

    ``code`` names the problem for people (``unknown_item``, ``value_out_of_range``,
    ``not_a_number``) and ``params`` its details, so a service can hold that subject
    alone, say why in the reader's language, and rate everyone else. The template
    names the rubric (``key``) and the subject (``subject``) too.
    """

    def __init__(self, template, subject_id=None, code="invalid_input", **params):
        super().__init__(template, code=code, subject=subject_id, **params)
        self.subject_id = subject_id
