"""Reads behind the import pages: the batches an actor may see (services/access.py), newest first."""

from starqr.models import ImportBatch
from starqr.services import access


def recent_batches(actor, kinds=None, limit=20):
    """The newest LIMIT batches ACTOR may see, of KINDS only when given (the onboarding page lists
    the tree and roster ones)."""
    query = access.import_batches(actor).order_by(ImportBatch.id.desc())
    if kinds is not None:
        query = query.where(ImportBatch.kind.in_(kinds))
    return list(query.limit(limit))
