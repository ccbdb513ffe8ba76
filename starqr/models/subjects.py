"""A rated subject named by kind and id (ledger entries, plaques, commitments, ratings): the one lookup."""

from starqr.models.base import MEMBER, ORGANISATION
from starqr.models.members import Member
from starqr.models.organisations import Organisation

SUBJECT_MODELS = {MEMBER: Member, ORGANISATION: Organisation}


def subject_model(kind):
    """Member or Organisation for a subject kind; ValueError for anything else."""
    try:
        return SUBJECT_MODELS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown subject kind {kind!r}") from None


def subject_kind(subject):
    """MEMBER for a Member, ORGANISATION for an Organisation (what subject_model undoes)."""
    return MEMBER if isinstance(subject, Member) else ORGANISATION


def get_subject(kind, subject_id):
    """The member or organisation, or None when there is no such row."""
    model = subject_model(kind)
    return model.get_or_none(model.id == subject_id)
