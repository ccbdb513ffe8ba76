"""gunicorn starqr.wsgi:app

A configuration production must not run with stops the start with one line on stderr, in the
operator's language (STARQR_LANG or the locale, as for the CLI), and exit code 3 (gunicorn's
"worker failed to boot": the master stops instead of retrying).
"""

import sys

from starqr import create_app
from starqr.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # Only on this path: the CLI's language module comes with the whole command package.
    from starqr.cli.language import error_text

    sys.stderr.write(f"starqr: {error_text(error)}\n")
    sys.stderr.flush()
    raise SystemExit(3) from None
