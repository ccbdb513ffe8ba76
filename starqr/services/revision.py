"""The public revision stamp: bumped by every write that changes a public page."""
from starqr.models import Revision


def current():
    row = Revision.get_or_none(Revision.id == 1)
    return row.value if row else 0


def bump():
    """Call inside the writing transaction, so readers see data and stamp together."""
    updated = Revision.update(value=Revision.value + 1).where(Revision.id == 1).execute()
    if not updated:
        Revision.insert(id=1, value=1).on_conflict_ignore().execute()
