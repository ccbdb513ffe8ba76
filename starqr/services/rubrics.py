"""Rubric versions in the database, and which rubric rates which subject."""

from starqr import rating
from starqr.models import Member, RubricVersion


def sync_shipped():
    """Store every shipped rubric file as a version unless that version is already stored."""
    stored = {(r.key, r.version) for r in RubricVersion.select(RubricVersion.key, RubricVersion.version)}
    added = []
    for key, rubric in sorted(rating.shipped_rubrics().items()):
        if (rubric.key, rubric.version) not in stored:
            added.append(
                RubricVersion.create(
                    key=rubric.key,
                    version=rubric.version,
                    scope=rubric.scope,
                    name=rubric.name,
                    text=rubric.text,
                    uploaded_by="system",
                )
            )
    return added


def latest_version(key):
    row = RubricVersion.select().where(RubricVersion.key == key).order_by(RubricVersion.version.desc()).first()
    if row is None:
        raise LookupError(f"rubric {key!r} is not stored; run `starqr migrate`")
    return row


_parsed = {}


def parsed(version_row):
    """The engine's Rubric for a stored version, parsed once per process."""
    cache_key = (version_row.key, version_row.version)
    if cache_key not in _parsed:
        _parsed[cache_key] = rating.load_rubric_text(version_row.text)
    return _parsed[cache_key]


def organisation_rubric_key(organisation):
    return organisation.rubric_key or rating.DOMAIN_RUBRICS[organisation.domain]


def member_rubric_key(branch):
    # Assignments are materialised on the row (services.rubric_assignments.materialise).
    return getattr(branch, "member_rubric_key", None) or rating.MEMBER_RUBRIC_BY_DOMAIN[branch.domain]


def subject_rubric_key(subject):
    """The key of the rubric that rates SUBJECT: a member by its branch's member rubric, an
    organisation by its own."""
    return member_rubric_key(subject.branch) if isinstance(subject, Member) else organisation_rubric_key(subject)


def current_rubric(key):
    version = latest_version(key)
    return version, parsed(version)


def rating_category(category, opted_out):
    """The category the engine sees for a member.

    A rubric lists the categories that MAY opt out of rating (e.g. 'special': over 70 or
    long-term ill); a member is exempt only when in such a category AND opted out.
    """
    return category if opted_out else None


def rubric_keys():
    """[(key, latest RubricVersion)] for every stored rubric."""
    latest = {}
    for row in RubricVersion.select().order_by(RubricVersion.key, RubricVersion.version):
        latest[row.key] = row
    return sorted(latest.items())
