"""Labels of rubric keys in every language: the rubric file's Chinese name, translated by the catalogue.

A rubric names its items, components, vetoes, gate, bonus, designations and listings in
Chinese; pages show those names through :func:`label`, which looks them up in the
Mongolian and English catalogues like any other message. ``pybabel extract`` finds the
names with :func:`extract_rubric_names` (see babel.cfg), so re-extracting the catalogue
keeps them. No Flask at import time: the extractor runs without an app.
"""

from flask_babel import gettext

from starqr.rating import load_rubric_text


def rubric_names(rubric):
    """Every name a rubric can put on a page, in file order."""
    names = [rubric.name, rubric.bonus_name]
    names += [component.name for component in rubric.components]
    names += [item.name for item in rubric.items]
    if rubric.gate is not None:
        names.append(rubric.gate.name)
    names += [designation.name for designation in rubric.designations]
    names += list(rubric.listing.values())
    seen, result = set(), []
    for name in names:
        if name and name not in seen:
            seen.add(name)
            result.append(name)
    return result


def extract_rubric_names(fileobj, keywords, comment_tags, options):
    """Babel extraction method for rubric YAML files: yields every name the pages may show."""

    text = fileobj.read().decode("utf-8")
    rubric = load_rubric_text(text)
    lines = text.splitlines()
    for name in rubric_names(rubric):
        lineno = next(
            (number for number, line in enumerate(lines, 1) if name in line and not line.lstrip().startswith("#")), 1
        )
        yield lineno, None, name, ["rubric " + rubric.key]


def label(name):
    """A rubric name (or any catalogue message) in the page's language; no %-formatting."""
    if not name:
        return name

    return gettext(name)
