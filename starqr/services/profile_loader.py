"""Where a public profile's rows come from: the questions profiles.py asks of the database.

`Loader` answers each question with its own query, for one page at a time (the scan view:
a fixed number of queries per page, tests/test_public_queries.py). services/page_batch.py
answers the same questions for a whole chunk of pages from a few set-based queries. Both
hand the very same rows, in the same order, to the one shaping code (profiles.py and
profile_records.py), so a page built in bulk is byte-identical to the view's.

Only public fields are read (never MemberPrivate, never an objection's text or contact).
"""

from peewee import fn

from starqr import checkpoints
from starqr.models import MEMBER, ORGANISATION, BranchMemberCount, Member, Organisation, Post
from starqr.models import Commitment, LedgerEntry, Objection, PlaqueCode, Rating, RatingPeriod, RubricVersion
from starqr.services import contest_results, period_rules, rubrics, town_designation
from starqr.services.org_paths import below

OBJECTIONS_SHOWN = 20
MEMBER_LIST_FIELDS = (Member.id, Member.name_zh, Member.name_mn, Member.party_post, Member.category)
LEDGER_FIELDS = (
    LedgerEntry.id,
    LedgerEntry.item,
    LedgerEntry.points,
    LedgerEntry.quantity,
    LedgerEntry.reason,
    LedgerEntry.public_reason,
    LedgerEntry.occurred_on,
    LedgerEntry.recorded_at,
    LedgerEntry.corrects,
)
OBJECTION_FIELDS = (
    Objection.reference,
    Objection.status,
    Objection.resolution,
    Objection.resolved_at,
    Objection.created_at,
    Objection.period,
)
# a stable order for every list a page shows (ties broken by id: a batch groups the same rows alike)
COMMITMENT_ORDER = (Commitment.year.desc(), Commitment.deadline, Commitment.id)
OBJECTION_ORDER = (Objection.created_at.desc(), Objection.id.desc())
CHILD_ORDER = (Organisation.sort_order, Organisation.id)
MEMBER_ORDER = (Member.party_post.is_null(), Member.id)


def split_periods(periods):
    """(all periods oldest first, published ones, the live one or None)."""
    published = [p for p in periods if p.state in period_rules.PUBLISHED]
    live = [
        p for p in periods if p.state in period_rules.TAKING_POINTS and (not published or p.year >= published[-1].year)
    ]
    return periods, published, (live[-1] if live else None)


def chain_ids(organisation):
    ids = [int(part) for part in (organisation.path or "").strip("/").split("/") if part]
    if organisation.id not in ids:
        ids.append(organisation.id)
    return ids


def codes_query(organisation_ids=(), member_ids=()):
    clauses = []
    if organisation_ids:
        clauses.append((PlaqueCode.subject_kind == ORGANISATION) & PlaqueCode.subject_id.in_(list(organisation_ids)))
    if member_ids:
        clauses.append((PlaqueCode.subject_kind == MEMBER) & PlaqueCode.subject_id.in_(list(member_ids)))
    if not clauses:
        return None
    where = clauses[0] if len(clauses) == 1 else clauses[0] | clauses[1]
    return (
        PlaqueCode.select(PlaqueCode.subject_kind, PlaqueCode.subject_id, PlaqueCode.code)
        .where(where, PlaqueCode.status == "active")
        .tuples()
    )


def published_ratings(kind, subject_ids, period_ids, *fields):
    """FIELDS (default: the whole row) of the published ratings of those subjects in those
    periods, oldest first."""
    return (
        Rating.select(*fields)
        .where(
            Rating.subject_kind == kind,
            Rating.subject_id.in_(list(subject_ids)),
            Rating.published == True,  # noqa: E712
            Rating.period.in_(list(period_ids)),
        )
        .order_by(Rating.id)
    )


def stars_query(kind, subject_ids, period):
    fields = (Rating.subject_id, Rating.stars, Rating.max_stars, Rating.vetoed, Rating.exempt)
    return published_ratings(kind, subject_ids, [period], *fields).tuples()


def stars_of(rows):
    return {sid: (stars, max_stars, bool(vetoed), bool(exempt)) for sid, stars, max_stars, vetoed, exempt in rows}


class Loader:
    """One page's rows, one query per question."""

    def member(self, member_id):
        return Member.get_or_none(Member.id == member_id)

    def organisation(self, organisation_id):
        return Organisation.get_or_none(Organisation.id == organisation_id)

    def branch_of(self, member):
        return member.branch

    def chain(self, organisation):
        """The organisation's ancestors from the top, then itself (one query on the path)."""
        ids = chain_ids(organisation)
        found = {o.id: o for o in Organisation.select().where(Organisation.id.in_(ids))}
        found[organisation.id] = organisation
        return [found[i] for i in ids if i in found]

    def periods(self):
        return split_periods(
            list(
                RatingPeriod.select().order_by(RatingPeriod.year, fn.COALESCE(RatingPeriod.quarter, 0), RatingPeriod.id)
            )
        )

    def codes(self, organisation_ids=(), member_ids=()):
        """Active plaque codes {(kind, id): code} for the given subjects, in one query."""
        query = codes_query(organisation_ids, member_ids)
        return {} if query is None else {(kind, subject_id): code for kind, subject_id, code in query}

    def current_rubric(self, key):
        return rubrics.current_rubric(key)

    def latest_version(self, key):
        return rubrics.latest_version(key)

    def checkpoint(self):
        return checkpoints.latest_public()

    def posts(self, member):
        return list(Post.select().where(Post.member == member, Post.active == True).order_by(Post.id))  # noqa: E712

    def ratings(self, kind, subject_id, period_ids):
        """Published ratings of the subject in those periods (with their rubric), oldest first."""
        return list(published_ratings(kind, [subject_id], period_ids, Rating, RubricVersion).join(RubricVersion))

    def ledger(self, kind, subject_id, period):
        """The period's ledger entries of the subject as tuples (LEDGER_FIELDS), newest first."""
        return list(
            LedgerEntry.select(*LEDGER_FIELDS)
            .where(LedgerEntry.period == period, LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject_id)
            .order_by(LedgerEntry.id.desc())
            .tuples()
        )

    def commitments(self, kind, subject_id, years):
        return list(
            Commitment.select()
            .where(Commitment.subject_kind == kind, Commitment.subject_id == subject_id, Commitment.year.in_(years))
            .order_by(*COMMITMENT_ORDER)
        )

    def objections(self, kind, subject_id):
        """The newest objections about the subject (through any of its plaques), OBJECTION_FIELDS tuples."""
        plaques = PlaqueCode.select(PlaqueCode.id).where(
            PlaqueCode.subject_kind == kind, PlaqueCode.subject_id == subject_id
        )
        return list(
            Objection.select(*OBJECTION_FIELDS)
            .where(Objection.plaque.in_(plaques))
            .order_by(*OBJECTION_ORDER)
            .limit(OBJECTIONS_SHOWN)
            .tuples()
        )

    def children(self, organisation):
        return list(Organisation.select().where(Organisation.parent == organisation).order_by(*CHILD_ORDER))

    def branch_members(self, organisation):
        return list(
            Member.select(*MEMBER_LIST_FIELDS)
            .where(Member.branch == organisation, Member.active == True)  # noqa: E712
            .order_by(*MEMBER_ORDER)
        )

    def member_count(self, organisation):
        """Active members below a higher-level organisation: the maintained per-branch counts (m0015_b)."""
        return int(
            BranchMemberCount.select(fn.COALESCE(fn.SUM(BranchMemberCount.members), 0))
            .join(Organisation, on=(Organisation.id == BranchMemberCount.branch_id))
            .where(below(organisation))
            .scalar()
            or 0
        )

    def latest_stars(self, kind, subject_ids, period):
        """{subject id: (stars, max_stars, vetoed, exempt)} in PERIOD, one query."""
        if period is None or not subject_ids:
            return {}
        return stars_of(stars_query(kind, subject_ids, period))

    def distribution(self, organisation, period):
        """[(stars, max_stars, count)] of every branch below ORGANISATION in PERIOD."""
        branch_ids = Organisation.select(Organisation.id).where(below(organisation), Organisation.level == "branch")
        return list(
            Rating.select(Rating.stars, Rating.max_stars, fn.COUNT(Rating.id))
            .where(
                Rating.period == period,
                Rating.subject_kind == ORGANISATION,
                Rating.published == True,
                Rating.supersedes.is_null(),  # noqa: E712
                Rating.subject_id.in_(branch_ids),
            )
            .group_by(Rating.stars, Rating.max_stars)
            .order_by(Rating.max_stars.desc(), Rating.stars.desc())
            .tuples()
        )

    def contests(self, organisation_id):
        return contest_results.public_results(organisation_id)

    def town_designation(self, organisation):
        return town_designation.town_designation(organisation)


DIRECT = Loader()
