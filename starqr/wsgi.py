"""gunicorn starqr.wsgi:app

A configuration production must not run with stops the start with one line on stderr and
exit code 3 (gunicorn's "worker failed to boot": the master stops instead of retrying).
"""

import sys

from starqr import create_app
from starqr.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.stderr.write(f"starqr: {error}\n")
    sys.stderr.flush()
    raise SystemExit(3) from None
