"""RFC 9162 tree heads and consistency proofs over ledger entry hashes."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from starqr import merkle


def reference_root(leaves):
    """MTH straight from RFC 9162's recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def leaves(n):
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


def test_roots_match_the_rfc_definition():
    for n in range(0, 40):
        assert merkle.root(leaves(n)) == reference_root(leaves(n)), n


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 70), st.data())
def test_consistency_proofs_verify(n, data):
    m = data.draw(st.integers(1, n))
    all_leaves = leaves(n)
    proof = merkle.consistency_proof(m, all_leaves)
    old, new = merkle.root(all_leaves[:m]), merkle.root(all_leaves)
    assert merkle.verify_consistency(m, n, old, new, proof)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 70), st.data())
def test_a_rewritten_prefix_fails_the_proof(n, data):
    m = data.draw(st.integers(1, n - 1))
    all_leaves = leaves(n)
    old = merkle.root(all_leaves[:m])
    changed = list(all_leaves)
    changed[data.draw(st.integers(0, m - 1))] = b"rewritten"
    proof = merkle.consistency_proof(m, changed)
    assert not merkle.verify_consistency(m, n, old, merkle.root(changed), proof)
    # and a proof for the true ledger does not fit a different new root
    good = merkle.consistency_proof(m, all_leaves)
    assert not merkle.verify_consistency(m, n, old, merkle.root(changed), good)
