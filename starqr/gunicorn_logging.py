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


def _redact_record(record):
    """A logging filter: the record's message, redacted (its arguments are gunicorn's own)."""
    record.msg = redact(record.msg)
    return True


class AddressFreeLogger(Logger):
    """gunicorn's Logger with client addresses removed from error-log messages."""

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(_redact_record)  # the same filter once, however often set up
