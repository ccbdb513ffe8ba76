"""Photos evidencing points events: re-encoded (resized, EXIF and location gone), stored under
a random name outside the web root, private unless marked public. No Flask here."""

import os
import re
import secrets

from starqr.db import database
from starqr.models import EntryPhoto
from starqr.services import audit, revision
from starqr.services import commitments
from starqr.services import points_events

NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


def record_with_photo(actor, subject, period, item_id, reason, upload_folder, photo=None, photo_public=False, **points):
    """record_points, then attach PHOTO (bytes) to the first new entry. The photo is checked
    before anything is recorded, so a bad file leaves no entry behind."""
    clean = commitments.reencode_photo(photo) if photo else None
    entries = points_events.record_points(actor, subject, period, item_id, reason, **points)
    if clean is not None:
        attach(actor, entries[0], clean, upload_folder, public=photo_public)
    return entries


def attach(actor, entry, clean_jpeg, upload_folder, public=False):
    folder = commitments.evidence_folder(upload_folder)
    os.makedirs(folder, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    path = os.path.join(folder, name)
    with open(path, "xb") as handle:
        handle.write(clean_jpeg)
    try:
        with database.atomic():
            row = EntryPhoto.create(entry_id=entry.id, name=name, public=bool(public), added_by=audit.actor_name(actor))
            audit.record(actor, "ledger.photo", entry, None, {"photo": name, "public": bool(public)})
            if public:
                revision.bump()
    except Exception:
        os.remove(path)
        raise
    return row


def photos_for(entry_ids):
    """{entry id: [EntryPhoto]} for the given entries."""
    found = {}
    if entry_ids:
        for row in EntryPhoto.select().where(EntryPhoto.entry_id.in_(list(entry_ids))).order_by(EntryPhoto.id):
            found.setdefault(row.entry_id, []).append(row)
    return found


def photo_file(name, upload_folder, public_only=False):
    """(EntryPhoto, path) for a stored photo, or None; with PUBLIC_ONLY, only photos marked public."""
    if not NAME.match(name or ""):
        return None
    row = EntryPhoto.get_or_none(EntryPhoto.name == name)
    if row is None or (public_only and not row.public):
        return None
    path = os.path.join(commitments.evidence_folder(upload_folder), name)
    return (row, path) if os.path.isfile(path) else None
