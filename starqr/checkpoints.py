"""Signed checkpoints of the points ledger: a chain an insider cannot rewrite unseen.

The hash chain (starqr.ledger) finds an entry changed behind StarQR's back, but anyone
who can write the database can also recompute every hash. A checkpoint closes that gap,
in the manner of Certificate Transparency's signed tree heads (RFC 9162): the chain head
(how many entries, the newest entry's id and hash, the time) signed with an Ed25519 key
kept OUTSIDE the database:

- ``STARQR_LEDGER_SIGNING_KEY``: the 32-byte seed as 64 hex digits, or
- a key file (``LEDGER_KEY_FILE``, default ``<instance>/ledger_signing.key``, mode 0600),
  created by :func:`ensure_key` (``starqr migrate``/``init``) when missing.

A checkpoint is written at every publication and on ``starqr ledger checkpoint``; it is
stored, shown on notice pages and in the public JSON, and can be exported as a small JSON
file. Verification (starqr.checkpoint_verification) checks every stored checkpoint's signature against
the trusted public key and that the chain still holds the head each one signed; given an
exported file it proves the current ledger extends the ledger that file describes, so
deleting the newest entries or rebuilding the chain is caught by anyone who kept one.
"""

import json
import os

from nacl.signing import SigningKey

from starqr.errors import N_, StarQRError
from starqr import merkle
from starqr.db import database
from starqr.models import LedgerCheckpoint, LedgerEntry, LedgerHead, utcnow

FORMAT = "starqr-ledger-checkpoint/v1"
KEY_ENV = "STARQR_LEDGER_SIGNING_KEY"
KEY_FILE_ENV = "STARQR_LEDGER_KEY_FILE"
_settings = {"key_file": None}


class CheckpointError(StarQRError):
    """A checkpoint cannot be made or read (no key, unreadable file...): one plain sentence."""

    code = "checkpoint_error"


def init_app(app):
    """Remember where this app keeps its signing key (nothing is created here)."""
    _settings["key_file"] = (
        app.config.get("LEDGER_KEY_FILE")
        or os.environ.get(KEY_FILE_ENV)
        or os.path.join(app.instance_path, "ledger_signing.key")
    )


def key_file():
    return _settings["key_file"] or os.environ.get(KEY_FILE_ENV) or os.path.join("instance", "ledger_signing.key")


# ---- the key ----------------------------------------------------------------------------------


def ensure_key(path=None):
    """Create the signing key file if there is no key yet. Returns (path or 'env', created)."""
    if os.environ.get(KEY_ENV):
        return "env", False
    path = path or key_file()
    if os.path.exists(path):
        return path, False
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    seed = SigningKey.generate().encode().hex()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by a concurrent process a moment ago
        return path, False
    with os.fdopen(descriptor, "w") as handle:
        handle.write(seed + "\n")
    return path, True


def signing_key(create=False):
    """The Ed25519 signing key from the environment or the key file (CheckpointError if none)."""
    text = os.environ.get(KEY_ENV)
    if not text:
        path = key_file()
        if create:
            ensure_key(path)
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError:
            raise CheckpointError(
                N_("没有台账签名密钥:请设置 %(variable)s,或运行 starqr migrate 生成 %(path)s"),
                code="no_signing_key",
                variable=KEY_ENV,
                path=str(path),
            ) from None
    try:
        seed = bytes.fromhex(text.strip())
        if len(seed) != 32:
            raise ValueError
    except ValueError:
        raise CheckpointError(N_("台账签名密钥不是 64 位十六进制数")) from None
    return SigningKey(seed)


def public_key_hex(create=False):
    return signing_key(create).verify_key.encode().hex()


# ---- making checkpoints -----------------------------------------------------------------------


def message(entry_count, last_entry_id, head_hash, signed_at, tree_root=None):
    """The exact bytes a checkpoint signs. Field order is part of the format; the Merkle
    tree root (RFC 9162 tree head over the entry hashes) is signed when present."""
    text = f"{FORMAT}\n{entry_count}\n{last_entry_id}\n{head_hash}\n{signed_at}"
    return (text + (f"\n{tree_root}" if tree_root else "")).encode("ascii")


def _leaf_stream(last_entry_id, chunk=50000, after=0):
    """The entry hashes (bytes) in id order after AFTER up to LAST_ENTRY_ID, read in chunks."""
    while True:
        rows = (
            LedgerEntry.select(LedgerEntry.id, LedgerEntry.entry_hash)
            .where(LedgerEntry.id > after, LedgerEntry.id <= last_entry_id)
            .order_by(LedgerEntry.id)
            .limit(chunk)
            .tuples()
        )
        sql, params = rows.sql()
        batch = database.execute_sql(sql, params).fetchall()
        if not batch:
            return
        for _, digest in batch:
            yield bytes.fromhex(digest)
        after = batch[-1][0]


def tree_roots(last_entry_id, sizes):
    """{size: Merkle root hex} of the first SIZE entries, for each of SIZES, in one pass."""
    return {size: digest.hex() for size, digest in merkle.prefix_roots(_leaf_stream(last_entry_id), sizes).items()}


def leaves(last_entry_id):
    return list(_leaf_stream(last_entry_id))


def chain_head():
    """(entry count, newest entry id, newest entry hash) of the ledger as it is now."""
    head = LedgerHead.get_or_none(LedgerHead.id == 1)
    if head is None or not head.last_entry_id:
        return 0, 0, "0" * 64
    count = LedgerEntry.select().where(LedgerEntry.id <= head.last_entry_id).count()
    return count, head.last_entry_id, head.last_hash


def write(reason="manual", period=None, now=None, create_key=True):
    """Sign the current chain head and store it. Returns the LedgerCheckpoint."""
    key = signing_key(create=create_key)
    count, last_id, head_hash = chain_head()
    stack = _tree_frontier(count, last_id)
    tree_root = merkle.fold(stack).hex()
    signed_at = (now or utcnow()).replace(microsecond=0).isoformat() + "Z"
    signature = key.sign(message(count, last_id, head_hash, signed_at, tree_root)).signature.hex()
    return LedgerCheckpoint.create(
        entry_count=count,
        last_entry_id=last_id,
        head_hash=head_hash,
        tree_root=tree_root,
        tree_frontier=merkle.frontier_text(stack),
        signed_at=signed_at,
        public_key=key.verify_key.encode().hex(),
        signature=signature,
        reason=reason,
        period=period.id if period is not None else None,
    )


def _tree_frontier(count, last_id):
    """The Merkle compact range of the ledger's first COUNT entries (up to LAST_ID).

    Continues from the newest earlier checkpoint whose signed head the ledger still holds
    (so its prefix is unchanged), reading only the entries since; else from the start.
    """
    base = (
        LedgerCheckpoint.select()
        .where(LedgerCheckpoint.tree_frontier.is_null(False), LedgerCheckpoint.last_entry_id <= last_id)
        .order_by(LedgerCheckpoint.last_entry_id.desc(), LedgerCheckpoint.id.desc())
        .first()
    )
    stack, after = [], 0
    if base is not None and head_holds(as_dict(base)) is None:
        try:
            stack, after = merkle.frontier_of(base.tree_frontier), base.last_entry_id
        except ValueError:
            stack, after = [], 0
        if sum(size for size, _ in stack) != base.entry_count:
            stack, after = [], 0
    merkle.extend(stack, _leaf_stream(last_id, after=after))
    if sum(size for size, _ in stack) != count:  # entries below the base were deleted: start over
        stack = merkle.extend([], _leaf_stream(last_id))
    return stack


def write_if_possible(reason="publication", period=None, now=None):
    """write(), creating the key if needed; a publication never fails for want of a checkpoint."""
    try:
        return write(reason, period, now)
    except (CheckpointError, OSError):
        return None


def as_dict(checkpoint):
    """The public, exportable form of a checkpoint (what a copy kept elsewhere holds)."""
    return {
        "format": FORMAT,
        "entry_count": checkpoint.entry_count,
        "last_entry_id": checkpoint.last_entry_id,
        "head_hash": checkpoint.head_hash,
        "tree_root": checkpoint.tree_root,
        "signed_at": checkpoint.signed_at,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
    }


def latest():
    return LedgerCheckpoint.select().order_by(LedgerCheckpoint.id.desc()).first()


def latest_public():
    """The newest checkpoint as a dict for pages and JSON, or None."""
    newest = latest()
    return None if newest is None else as_dict(newest)


def export(path, checkpoint=None, since=None):
    """Write CHECKPOINT (default: the newest) to PATH; with SINCE (an older read_file dict),
    with a consistency proof from it, so two files alone prove the ledger only grew."""
    checkpoint = checkpoint or latest()
    if checkpoint is None:
        raise CheckpointError(N_("还没有检查点:请运行 starqr ledger checkpoint"), code="no_checkpoint")
    data = as_dict(checkpoint)
    if since is not None:
        data["consistency"] = consistency(since, checkpoint)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    return checkpoint


def read_file(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as error:
        raise CheckpointError(N_("无法读取检查点文件 %(path)s:%(reason)s"), path=str(path), reason=str(error)) from None
    needed = ("format", "entry_count", "last_entry_id", "head_hash", "signed_at", "public_key", "signature")
    if not isinstance(data, dict) or any(name not in data for name in needed) or data["format"] != FORMAT:
        raise CheckpointError(N_("%(path)s 不是 StarQR 台账检查点(%(format)s)"), path=str(path), format=FORMAT)
    if not isinstance(data["entry_count"], int) or not isinstance(data["last_entry_id"], int):
        raise CheckpointError(N_("%(path)s:entry_count 和 last_entry_id 应为整数"), path=str(path))
    return data


# ---- what the ledger still holds, and proofs for exported files -----------------------------


def head_holds(data):
    """None if the ledger still holds the head DATA signed, else what is wrong."""
    last_id = data["last_entry_id"]
    if last_id == 0:
        return None
    entry = LedgerEntry.select(LedgerEntry.entry_hash).where(LedgerEntry.id == last_id).first()
    if entry is None:
        return f"entry {last_id} it signed is missing (the newest entries were deleted)"
    if entry.entry_hash != data["head_hash"]:
        return f"entry {last_id} no longer has the hash it signed (the chain was rewritten)"
    count = LedgerEntry.select().where(LedgerEntry.id <= last_id).count()
    if count != data["entry_count"]:
        return f"it signed {data['entry_count']} entries up to entry {last_id}; the ledger now has {count}"
    return None


def consistency(old, new_checkpoint=None):
    """{from_size, from_root, proof} proving the ledger at NEW_CHECKPOINT (default: the newest)
    extends the one OLD (a read_file dict) describes; CheckpointError if it does not."""
    new_checkpoint = new_checkpoint or latest()
    if new_checkpoint is None or not new_checkpoint.tree_root or not old.get("tree_root"):
        raise CheckpointError(N_("两个检查点都需要默克尔树根"))
    m, n = old["entry_count"], new_checkpoint.entry_count
    all_leaves = leaves(new_checkpoint.last_entry_id)
    if not 0 < m <= n == len(all_leaves) or merkle.root(all_leaves[:m]).hex() != old["tree_root"]:
        raise CheckpointError(N_("台账不是较早检查点的延续:不存在一致性证明"), code="not_consistent")
    return {
        "from_size": m,
        "from_root": old["tree_root"],
        "proof": [node.hex() for node in merkle.consistency_proof(m, all_leaves)],
    }
