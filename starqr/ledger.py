"""The points ledger (积分台账): append-only and hash-chained.

This module is the only writer of LedgerEntry. Nothing here updates or deletes an entry:
a correction is a new entry that names the one it corrects. Each entry's hash covers its
content and the previous entry's hash, so `verify` finds any entry altered, deleted or
reordered directly in the database.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from starqr.errors import N_, Invalid
from starqr.db import database
from starqr.models import LedgerEntry, LedgerHead, utcnow
from starqr import phrases, validation

GENESIS = "0" * 64


class LedgerError(Invalid):
    """Refused by the ledger's rules (code "invalid")."""


@dataclass
class NewEntry:
    subject_kind: str
    subject_id: int
    period_id: int
    item: str
    points: Decimal
    reason: str
    recorded_by: str
    quantity: int = 1
    public_reason: bool = True
    evidence: str | None = None
    occurred_on: str | None = None
    corrects_id: int | None = None
    source: str | None = None
    recorded_at: object = field(default_factory=utcnow)


def _points_text(points):
    # Normalised (-0 is "0.00"): the same text is hashed and stored, so verify agrees with the database.
    return validation.points_text(points)


class _NegativeZero:
    """What entries written before the -0 fix hashed: "-0.00"."""


_LEGACY_NEGATIVE_ZERO = _NegativeZero()


def entry_digest(previous_hash, row):
    """The hash of one entry (a row as entry_row makes it) given the hash before it."""
    return _chain_digest(previous_hash, row, row[10].isoformat(timespec="microseconds"))


def stored_digest(entry, previous_hash=None, points=None):
    """The hash of a stored LedgerEntry: after PREVIOUS_HASH (default: the one it stored), as
    if its points were POINTS (default: its own; _LEGACY_NEGATIVE_ZERO hashes "-0.00")."""
    row = entry_row(entry)
    if points is not None:
        row = (*row[:4], "-0.00" if points is _LEGACY_NEGATIVE_ZERO else _points_text(points), *row[5:])
    return entry_digest(entry.previous_hash if previous_hash is None else previous_hash, row)


def _chain_digest(previous_hash, row, stamp_text):
    """An entry's hash (sha256, hex) over the hash before it, then ROW's fields (as entry_row
    makes them; the time as STAMP_TEXT, isoformat to the microsecond) joined by U+001F.
    Field order is part of the format; the one implementation, for append_rows and verify."""
    kind, subject_id, period_id, item, points, quantity, reason, public, evidence, by, _, occurred, corrects, source = (
        row
    )
    text = (
        f"{previous_hash}\x1f{kind}\x1f{subject_id}\x1f{period_id}\x1f{item}\x1f{points}\x1f{quantity}"
        f"\x1f{reason}\x1f{'1' if public else '0'}\x1f{evidence or ''}\x1f{by}"
        f"\x1f{stamp_text}\x1f{occurred or ''}\x1f{corrects or ''}\x1f{source or ''}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_head():
    """Take the chain's write lock (an UPDATE locks the row on PostgreSQL and the file on SQLite)."""
    locked = LedgerHead.update(last_entry_id=LedgerHead.last_entry_id).where(LedgerHead.id == 1).execute()
    if not locked:
        LedgerHead.insert(id=1, last_entry_id=0, last_hash=GENESIS).on_conflict_ignore().execute()
    return LedgerHead.get_by_id(1)


def existing_sources(sources, chunk=500):
    """Which of SOURCES the ledger already holds (plain SQL: this runs on every import row)."""
    db = database.obj
    seen = set()
    for start in range(0, len(sources), chunk):
        part = sources[start : start + chunk]
        sql = f"SELECT source FROM ledger_entry WHERE source IN ({', '.join([db.param] * len(part))})"
        seen.update(row[0] for row in db.execute_sql(sql, part).fetchall())
    return seen


# The columns append writes, in this order; the entry's hash and the previous hash follow.
_FIELDS = (
    LedgerEntry.subject_kind,
    LedgerEntry.subject_id,
    LedgerEntry.period,
    LedgerEntry.item,
    LedgerEntry.points,
    LedgerEntry.quantity,
    LedgerEntry.reason,
    LedgerEntry.public_reason,
    LedgerEntry.evidence,
    LedgerEntry.recorded_by,
    LedgerEntry.recorded_at,
    LedgerEntry.occurred_on,
    LedgerEntry.corrects,
    LedgerEntry.source,
    LedgerEntry.entry_hash,
    LedgerEntry.previous_hash,
)
_INSERT_CHUNK = 5000


def entry_row(e):
    """A NewEntry as the row append_rows takes (points as their text in cents, e.g. "2.00")."""
    return (
        e.subject_kind,
        e.subject_id,
        e.period_id,
        e.item,
        _points_text(e.points),
        e.quantity,
        e.reason,
        e.public_reason,
        e.evidence,
        e.recorded_by,
        e.recorded_at,
        e.occurred_on,
        e.corrects_id,
        e.source,
    )


# Called inside the writing transaction with the {(subject kind, id)} just written, unless
# bump_revision=False. services/revision.py registers the public pages' invalidation here, so
# the ledger (core) needs no import from the service layer above it.
_written_hooks = []


def on_written(hook):
    """Register HOOK(subjects) to run inside every append's transaction (used as a decorator too)."""
    if hook not in _written_hooks:
        _written_hooks.append(hook)
    return hook


def append(entries, bump_revision=True):
    """Append entries in order, atomically. Returns how many were written.

    Entries whose `source` is already in the ledger are skipped, so importing the same
    file twice changes nothing the second time.
    """
    return len(append_rows([entry_row(e) for e in entries], bump_revision))


def append_rows(rows, bump_revision=True):
    """append for rows as entry_row makes them (the bulk path: no NewEntry per row).

    POINTS must be the text of a decimal with exactly two places ("2.00", "-1.50"): that
    text is both what the hash covers and what is stored. Returns the rows written, in
    order (rows whose source the ledger holds already are left out).
    """
    if not rows:
        return []
    db = database.obj
    with database.atomic():
        head = _lock_head()
        sources = [row[13] for row in rows if row[13]]
        if sources:
            seen = existing_sources(sources)
            if seen:
                rows = [row for row in rows if not row[13] or row[13] not in seen]
        previous = head.last_hash
        values = []
        stamp = stamp_text = stored_stamp = None
        for row in rows:
            recorded_at = row[10]
            if recorded_at is not stamp:  # a bulk load shares one timestamp: format it once
                stamp, stamp_text = recorded_at, recorded_at.isoformat(timespec="microseconds")
                # A naive datetime as the text the drivers store (sqlite3's adapter: isoformat(" ")).
                stored_stamp = recorded_at.isoformat(" ") if recorded_at.tzinfo is None else recorded_at
            digest = _chain_digest(previous, row, stamp_text)
            values.append((*row[:10], stored_stamp, *row[11:], digest, previous))
            previous = digest
        columns = ", ".join(f'"{f.column_name}"' for f in _FIELDS)
        sql = (
            f'INSERT INTO "{LedgerEntry._meta.table_name}" ({columns}) VALUES ({", ".join([db.param] * len(_FIELDS))})'
        )
        cursor = db.cursor()
        for start in range(0, len(values), _INSERT_CHUNK):
            cursor.executemany(sql, values[start : start + _INSERT_CHUNK])
        if values:
            last_id = LedgerEntry.select(LedgerEntry.id).order_by(LedgerEntry.id.desc()).limit(1).scalar()
            LedgerHead.update(last_entry_id=last_id, last_hash=previous).where(LedgerHead.id == 1).execute()
            if bump_revision:
                written = {(row[0], row[1]) for row in values}
                for hook in _written_hooks:
                    hook(written)
    return rows


def record(subject_kind, subject_id, period_id, item, points, reason, recorded_by, **extra):
    """Append one entry and return it."""
    append([NewEntry(subject_kind, subject_id, period_id, item, points, reason, recorded_by, **extra)])
    return (
        LedgerEntry.select()
        .where(LedgerEntry.subject_kind == subject_kind, LedgerEntry.subject_id == subject_id)
        .order_by(LedgerEntry.id.desc())
        .first()
    )


def correct(entry, reason, recorded_by, new_points=None):
    """Reverse ENTRY with a linked entry and, if NEW_POINTS is given, record the right value.

    The original stays as it was; the ledger shows both and their sum is what counts.
    """
    if not reason:
        raise LedgerError(N_("请填写更正原因。"), code="reason_required")
    if entry.corrects_id is not None:
        raise LedgerError(N_("请更正原记录,而不是更正记录"), code="correction_of_correction")
    if LedgerEntry.select().where(LedgerEntry.corrects == entry.id).exists():
        raise LedgerError(N_("记录 %(entry)s 已更正过"), code="already_corrected", entry=entry.id)
    common = dict(
        subject_kind=entry.subject_kind,
        subject_id=entry.subject_id,
        period_id=entry.period_id,
        item=entry.item,
        recorded_by=recorded_by,
        corrects_id=entry.id,
        occurred_on=entry.occurred_on,
        public_reason=entry.public_reason,
    )
    new = [
        NewEntry(
            points=-entry.points,
            quantity=-entry.quantity,
            reason=phrases.stored("ledger_correction", reason=reason),
            **common,
        )
    ]
    if new_points is not None:
        new.append(NewEntry(points=Decimal(new_points), quantity=entry.quantity, reason=reason, **common))
    append(new)


@dataclass
class Problem:
    entry_id: int | None
    kind: str  # altered | broken_link | head_mismatch
    detail: str


def verify(batch=20000):
    """Walk the chain in id order. Returns (entries checked, problems found)."""
    problems = []
    previous = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = list(LedgerEntry.select().where(LedgerEntry.id > last_id).order_by(LedgerEntry.id).limit(batch))
        if not rows:
            break
        for row in rows:
            checked += 1
            if row.previous_hash != previous:
                problems.append(
                    Problem(
                        row.id,
                        "broken_link",
                        f"entry {row.id} does not follow the entry before it "
                        "(an entry was deleted, inserted or reordered)",
                    )
                )
            digest = stored_digest(row)
            if digest != row.entry_hash and row.points == 0:
                # Written before -0 was normalised: the hash covered "-0.00" while 0 was stored.
                digest = stored_digest(row, points=_LEGACY_NEGATIVE_ZERO)
            if digest != row.entry_hash:
                problems.append(Problem(row.id, "altered", f"entry {row.id} was changed after it was written"))
            previous = row.entry_hash
            last_id = row.id
    head = LedgerHead.get_or_none(LedgerHead.id == 1)
    if head is not None and checked and (head.last_hash != previous or head.last_entry_id != last_id):
        problems.append(
            Problem(None, "head_mismatch", "the newest entries were deleted (the chain ends before its recorded head)")
        )
    return checked, problems
