"""Organisations below an organisation, as an index range of paths (not a LIKE prefix scan)."""

from starqr.db import database
from starqr.models import Organisation


def below(organisation):
    """ORGANISATION and every organisation below it, as a range of paths an index answers:
    paths are digits and slashes, so those below "/1/2/" are exactly "/1/2/" <= path < "/1/20"
    in byte order ("/" + 1 = "0"); on PostgreSQL in the "C" collation (index organisation_path_c, m0016_r).
    Organisation.path.startswith (ILIKE on PostgreSQL) scans every organisation of the region."""
    prefix = organisation.path
    path = Organisation.path if database.obj.param == "?" else Organisation.path.collate('"C"')
    return (path >= prefix) & (path < prefix[:-1] + "0")
