"""Peewee models, split by area; import them from here."""

from starqr.models.base import MEMBER, ORGANISATION, SUBJECT_KINDS, BaseModel, JSONField, utcnow
from starqr.models.organisations import DOMAINS, LEVELS, UNIT_KINDS, Organisation, RubricAssignment
from starqr.models.members import (
    CATEGORIES,
    COMMITMENT_STATUSES,
    OCCUPATIONS,
    STATUSES,
    Commitment,
    Member,
    MemberPrivate,
    Post,
)
from starqr.models.ratings import PERIOD_STATES, PeriodRubric, Rating, RatingHold, RatingPeriod, RubricVersion
from starqr.models.ledger import LedgerEntry, LedgerHead
from starqr.models.plaques import PlaqueCode, PlaqueEvent
from starqr.models.accounts import ROLES, ApiToken, AuditLog, User
from starqr.models.public import Objection, Revision, ScanCount
from starqr.models.imports import ImportBatch
from starqr.models.subjects import get_subject, subject_kind, subject_model
from starqr.models.jobs import JobLease, WorkerHeartbeat
from starqr.models.login import LoginThrottle
from starqr.models.contests import CONTEST_STATES, Contest, ContestEntrant, ContestJudge, ContestScore, EntryPhoto
from starqr.models.pages import PageSubject, PublicPage
from starqr.models.aggregates import BranchMemberCount
from starqr.models.checkpoints import LedgerCheckpoint

# In creation order (foreign keys point backwards).
ALL_MODELS = [
    Organisation,
    Member,
    MemberPrivate,
    Post,
    Commitment,
    RubricVersion,
    RatingPeriod,
    Rating,
    LedgerEntry,
    LedgerHead,
    PlaqueCode,
    PlaqueEvent,
    User,
    ApiToken,
    AuditLog,
    Objection,
    ScanCount,
    Revision,
    ImportBatch,
    WorkerHeartbeat,
    JobLease,
    LoginThrottle,
    EntryPhoto,
    Contest,
    ContestEntrant,
    ContestJudge,
    ContestScore,
    PublicPage,
    PageSubject,
    BranchMemberCount,
    RatingHold,
    PeriodRubric,
    LedgerCheckpoint,
    RubricAssignment,
]
