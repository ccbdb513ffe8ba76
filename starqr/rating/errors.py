"""The one exception the rubric engine raises."""

from starqr.errors import StarQRError


class RubricError(StarQRError, ValueError):
    """A rubric file, or the input given to a rubric, is not valid.

    The message always starts with the rubric key and then names the bad field
    (``member_points: components[2].max: must be a positive number``) or the bad
    subject input (``member_points: subject 17: unknown item 'stduy'``), so that an
    administrator editing a file or an importer reading a spreadsheet can fix it
    without reading Python.
    """


class SubjectInputError(RubricError):
    """One subject's values cannot be rated by this rubric (the rubric itself is fine).

    ``code`` names the problem for people (``unknown_item``, ``value_out_of_range``,
    ``not_a_number``, ``rated_twice``) and ``params`` its details, so a service can hold
    that subject alone, say why in the reader's language, and rate everyone else.
    """

    def __init__(self, message, subject_id=None, code="invalid_input", **params):
        super().__init__(message, code=code)
        self.subject_id = subject_id
        self.params = params
