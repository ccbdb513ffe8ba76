"""Structured log lines: one per job, import, publication and failure.

    log_event(log, "import.applied", kind="tree", rows=120, actor="admin")

writes `event=import.applied kind=tree rows=120 actor=admin` (readable in a terminal, grep-able
as key=value) and puts the same fields on the log record, so the JSON formatter
(monitoring.JsonFormatter, production) emits them as fields of the line's object. No Flask here:
every layer may log events.
"""

import logging

# LogRecord's own attributes: a field with one of these names is renamed (kept, not lost).
RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def _text(value):
    text = str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def fields_of(event, fields):
    """The record attributes for EVENT and FIELDS (reserved names get a trailing underscore)."""
    extra = {"event": event}
    for key, value in fields.items():
        extra[f"{key}_" if key in RESERVED else key] = value
    return extra


def log_event(logger, event, level=logging.INFO, exc_info=False, **fields):
    """Log EVENT with FIELDS as one key=value line (and as record attributes for JSON)."""
    text = " ".join([f"event={event}"] + [f"{key}={_text(value)}" for key, value in fields.items()])
    logger.log(level, "%s", text, extra=fields_of(event, fields), exc_info=exc_info)


def log_failure(logger, event, error, level=logging.ERROR, **fields):
    """Log EVENT for ERROR: FIELDS, then the error's class, its code (a StarQRError's, else None)
    and the start of its text; at ERROR and above with the traceback."""
    log_event(
        logger,
        event,
        level,
        exc_info=level >= logging.ERROR,
        **fields,
        error=type(error).__name__,
        code=getattr(error, "code", None),
        reason=str(error)[:200],
    )


def record_fields(record):
    """The structured fields a record carries beyond the standard ones (for the JSON formatter)."""
    return {key: value for key, value in record.__dict__.items() if key not in RESERVED}
