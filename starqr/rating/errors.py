"""The one exception the rubric engine raises."""


class RubricError(ValueError):
    """A rubric file, or the input given to a rubric, is not valid.

    The message always starts with the rubric key and then names the bad field
    (``member_points: components[2].max: must be a positive number``) or the bad
    subject input (``member_points: subject 17: unknown item 'stduy'``), so that an
    administrator editing a file or an importer reading a spreadsheet can fix it
    without reading Python.
    """
