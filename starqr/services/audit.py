"""The audit log: who did what to which record, when, with the values before and after.

Every console (and API) write calls `record` inside the same transaction as the change,
so the log and the data cannot disagree.
"""

import datetime
import decimal

from starqr.models import AuditLog


def actor_name(actor):
    """What the log (and the ledger, plaque events...) records for ACTOR: a User, an
    access.Actor, a name, or None (the system)."""
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


_actor_name = actor_name  # older callers (other lanes' code in flight)


def target_name(target):
    """'member:42' for a model row, the string itself otherwise."""
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    table = type(target)._meta.table_name
    return f"{table}:{target.get_id()}"


def json_safe(value):
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "get_id"):
        return value.get_id()
    return str(value)


# Fields never copied into the log: secrets, and private data kept out of a widely read table.
SECRET_FIELDS = {"password_hash", "token_hash"}


def snapshot(row, fields=None):
    """A JSON-safe dict of a model row's stored values (foreign keys as ids)."""
    if row is None:
        return None
    names = fields or [f.name for f in row._meta.sorted_fields]
    data = {}
    for name in names:
        if name in SECRET_FIELDS:
            continue
        field = row._meta.fields.get(name)
        if field is not None and hasattr(field, "rel_model"):
            data[name] = row.__data__.get(name)
        else:
            data[name] = getattr(row, name)
    return json_safe(data)


def record(actor, action, target, before=None, after=None):
    """Write one audit entry. ACTOR is a User or a name; TARGET a model row or a string."""
    return AuditLog.create(
        actor=actor_name(actor)[:60],
        action=action[:60],
        target=target_name(target)[:120],
        before=json_safe(before),
        after=json_safe(after),
    )


def changes(before, after):
    """Only the keys that differ, as (before, after) dicts, for compact log entries."""
    before = before or {}
    after = after or {}
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


_json_safe = json_safe  # older callers (other lanes' code in flight)
