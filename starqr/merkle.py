"""Merkle tree hashes and consistency proofs over the ledger's entries (RFC 9162, section 2.1).

Leaves are the entries' chain hashes in id order. A checkpoint signs the tree head (size
and root) besides the chain head; a consistency proof then shows, to someone holding only
two checkpoints, that the newer ledger contains the older one unchanged as its prefix:
nothing was rewritten or deleted in between, without access to the ledger itself.

Plain data in, plain data out: bytes, no database.
"""

import hashlib

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n):
    """The largest power of two smaller than N (N > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def _push(stack, data):
    """Add one leaf to STACK, the perfect subtrees (size, hash) of the tree so far, merged as
    they complete (the tree's "compact range")."""
    size, digest = 1, leaf_hash(data)
    while stack and stack[-1][0] == size:
        left_size, left = stack.pop()
        size, digest = left_size + size, node_hash(left, digest)
    stack.append((size, digest))


def _fold(stack):
    """The root of the tree whose compact range is STACK (RFC 9162's split rule from the right)."""
    if not stack:
        return EMPTY_ROOT
    digest = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        digest = node_hash(left, digest)
    return digest


def extend(stack, leaves):
    """Push LEAVES onto STACK (a compact range, e.g. from frontier_of) and return it."""
    for data in leaves:
        _push(stack, data)
    return stack


def fold(stack):
    """The tree root of a compact range."""
    return _fold(stack)


def frontier_text(stack):
    """A compact range as text to store: "size:hexhash" per subtree, comma-separated."""
    return ",".join(f"{size}:{digest.hex()}" for size, digest in stack)


def frontier_of(text):
    """The compact range stored by frontier_text (ValueError if it is not one)."""
    stack = []
    for part in filter(None, (text or "").split(",")):
        size, digest = part.split(":")
        stack.append((int(size), bytes.fromhex(digest)))
    if any(size <= 0 or size & (size - 1) for size, _ in stack):
        raise ValueError("not a compact range")
    return stack


def root(leaves):
    """MTH(D[n]) of LEAVES (bytes), in O(n) hashes and O(log n) memory."""
    stack = []
    for data in leaves:
        _push(stack, data)
    return _fold(stack)


def prefix_roots(leaves, sizes):
    """{size: MTH(D[size])} for each of SIZES, in one pass over the LEAVES stream."""
    wanted = sorted({size for size in sizes if size >= 0})
    found = {}
    if wanted and wanted[0] == 0:
        found[0] = EMPTY_ROOT
    stack, count, index = [], 0, 0
    pending = [size for size in wanted if size > 0]
    for data in leaves:
        if index >= len(pending):
            break
        _push(stack, data)
        count += 1
        while index < len(pending) and pending[index] == count:
            found[count] = _fold(stack)
            index += 1
    return found


def consistency_proof(m, leaves):
    """PROOF(m, D[n]) for LEAVES = D[n] (RFC 9162 2.1.4.1): hashes proving D[m] is a prefix."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from {m} to {n} entries")
    return _subproof(m, leaves, True)


def _subproof(m, leaves, complete):
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(m, leaves[:k], complete) + [root(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [root(leaves[:k])]


def verify_consistency(m, n, first_root, second_root, proof):
    """True when PROOF shows a tree of size N and SECOND_ROOT extends one of size M and FIRST_ROOT
    (RFC 9162 2.1.4.2)."""
    if m > n or m <= 0:
        return False
    if m == n:
        return not proof and first_root == second_root
    proof = list(proof)
    if (m & (m - 1)) == 0:  # m a power of two: the old root is the first node of the path
        proof.insert(0, first_root)
    if not proof:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
