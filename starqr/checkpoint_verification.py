"""Checking signed ledger checkpoints: signatures, that the ledger still holds each signed
head and Merkle tree root, and offline consistency between two exported checkpoint files.

Making, storing and exporting checkpoints is starqr.checkpoints; this module only reads.
"""

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from starqr import merkle
from starqr.checkpoints import CheckpointError, as_dict, head_holds, message, public_key_hex, tree_roots
from starqr.models import LedgerCheckpoint


def signature_ok(data, trusted_keys):
    """True when DATA (as_dict form) is signed by one of TRUSTED_KEYS (hex public keys)."""
    if data["public_key"] not in trusted_keys:
        return False
    try:
        VerifyKey(bytes.fromhex(data["public_key"])).verify(
            message(
                data["entry_count"], data["last_entry_id"], data["head_hash"], data["signed_at"], data.get("tree_root")
            ),
            bytes.fromhex(data["signature"]),
        )
    except (BadSignatureError, ValueError):
        return False
    return True


def verify(trusted_keys=None, outside=None):
    """Problems with the stored checkpoints and, given OUTSIDE (a read_file dict), with that one.

    Returns a list of (kind, detail) with kind in bad_signature | untrusted_key | head_mismatch
    | outside_checkpoint.
    """
    if trusted_keys is None:
        try:
            trusted_keys = {public_key_hex()}
        except CheckpointError as error:
            if outside is None and not LedgerCheckpoint.select().exists():
                return []  # nothing signed yet and no key: the chain alone is what there is to check
            return [("no_key", f"cannot check the signatures: {error}")]
    problems, checked_heads = [], []
    for checkpoint in LedgerCheckpoint.select().order_by(LedgerCheckpoint.id).iterator():
        data = as_dict(checkpoint)
        label = f"checkpoint {checkpoint.id} ({checkpoint.signed_at})"
        if data["public_key"] not in trusted_keys:
            problems.append(("untrusted_key", f"{label} is signed by a key that is not this ledger's signing key"))
            continue
        if not signature_ok(data, trusted_keys):
            problems.append(("bad_signature", f"{label} has a wrong signature (it was altered or forged)"))
            continue
        wrong = head_holds(data)
        if wrong:
            problems.append(("head_mismatch", f"{label}: {wrong}"))
        elif data.get("tree_root"):
            checked_heads.append((label, data))
    problems += _tree_problems(checked_heads, outside)
    if outside is not None:
        if not signature_ok(outside, trusted_keys):
            problems.append(
                ("outside_checkpoint", "the checkpoint file's signature does not verify with this ledger's signing key")
            )
        else:
            wrong = head_holds(outside)
            if wrong:
                problems.append(
                    (
                        "outside_checkpoint",
                        f"the ledger does not extend the checkpoint file ({outside['signed_at']}): {wrong}",
                    )
                )
    return problems


def _tree_problems(checked_heads, outside):
    """Each signed Merkle tree root must be the root of the ledger's first entry_count entries."""
    heads = list(checked_heads)
    if outside is not None and outside.get("tree_root") and head_holds(outside) is None:
        heads.append(("the checkpoint file", outside))
    if not heads:
        return []
    newest = max(data["last_entry_id"] for _, data in heads)
    roots = tree_roots(newest, [data["entry_count"] for _, data in heads])
    return [
        (
            "tree_mismatch",
            f"{label}: the Merkle tree root it signed is not the root of the ledger's "
            f"first {data['entry_count']} entries",
        )
        for label, data in heads
        if roots.get(data["entry_count"]) != data["tree_root"]
    ]


def check_consistency(old, new, trusted_keys=None):
    """Offline: problems proving checkpoint file NEW (with its "consistency" proof) extends OLD."""
    keys = trusted_keys or {old["public_key"]}
    problems = [
        f"{name} checkpoint: signature does not verify"
        for name, data in (("old", old), ("new", new))
        if not signature_ok(data, keys)
    ]
    proof = new.get("consistency") or {}
    if problems:
        return problems
    if proof.get("from_size") != old["entry_count"] or proof.get("from_root") != old.get("tree_root"):
        return ["the new checkpoint carries no consistency proof from the old one (export it with --since)"]
    try:
        nodes = [bytes.fromhex(node) for node in proof.get("proof", [])]
        ok = merkle.verify_consistency(
            old["entry_count"],
            new["entry_count"],
            bytes.fromhex(old["tree_root"]),
            bytes.fromhex(new["tree_root"]),
            nodes,
        )
    except (TypeError, ValueError):
        ok = False
    return [] if ok else ["the consistency proof fails: the newer ledger does not contain the older one unchanged"]
