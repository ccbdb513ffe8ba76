"""Use cases shared by the views, the API and the CLI."""

# Public pages follow every ledger write, whichever door wrote it: the ledger calls back here.
from starqr.services import revision as _revision  # noqa: E402,F401
