"""gunicorn's own log lines without client addresses (deploy/gunicorn.conf.py: logger_class).

gunicorn writes "Invalid request from ip=203.0.113.7: ..." for malformed requests; the
access log is already address-free (scan statistics must not track people), and so must the
error log be. Every message passes through `redact`, which replaces IP addresses.
"""

import re

from gunicorn.glogging import Logger

_ADDRESS = re.compile(r"(?:ip=)?(?:\b\d{1,3}(?:\.\d{1,3}){3}\b|\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b)")


def redact(message):
    return _ADDRESS.sub("ip=-" if "ip=" in str(message) else "-", str(message)) if message else message


class AddressFreeLogger(Logger):
    """gunicorn's Logger with client addresses removed from error-log messages."""

    def critical(self, msg, *args, **kwargs):
        super().critical(redact(msg), *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        super().error(redact(msg), *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(redact(msg), *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        super().info(redact(msg), *args, **kwargs)

    def debug(self, msg, *args, **kwargs):
        super().debug(redact(msg), *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(redact(msg), *args, **kwargs)
