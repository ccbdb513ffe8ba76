"""The demo's life after onboarding, through the ordinary use cases with an explicit actor.

Rating periods (created, published, finalised, scheduled), commitments with their
progress and outcome, the public's objections and scans, and the other console logins.
Nothing here writes a model directly: each step is what the console, the scheduler or a
scan page would have done, with its audit entry and its page revision.
"""

import datetime

from starqr.db import database
from starqr.errors import N_, Term
from starqr.models import MEMBER, ORGANISATION, PlaqueCode, subject_model
from starqr.services import accounts, administration, objections, ratings, scans
from starqr.services import commitments as commitment_service
from starqr.services import demo_names as names

OBJECTIONS = [
    "该党员今年参加集体劳动次数与实际不符,请核实。",
    "承诺帮扶的事项我们村里都看到了,建议加分。",
    "评议得票情况希望再公布详细一些。",
]
PUBLIC_REASONS = {reason for reason in names.NOT_KEPT_REASONS if "病" not in reason}  # illness stays private


def create_periods(admin, today):
    """{year: RatingPeriod}: three settled years and the live current year, all drafts yet."""
    return {
        y: administration.create_period(
            admin, f"{y}年度", y, datetime.date(y, 1, 1), datetime.date(y, 12, 31), notice_days=5
        )
        for y in range(today.year - 3, today.year + 1)
    }


def publish(period, admin, published_at, final):
    """Publish PERIOD at PUBLISHED_AT as ADMIN and, if FINAL, end its notice. Returns ratings written."""
    written = ratings.publish(period, now=published_at, actor=admin.username)
    if final:
        ratings.finalise(period, now=published_at + datetime.timedelta(days=period.notice_days), actor=admin.username)
    return written


def schedule(period, admin, year):
    """The live year is published on 15 January at 09:00 Inner Mongolia time."""
    administration.schedule_period(admin, period, datetime.datetime(year + 1, 1, 15, 9, 0))


def commitments(rng, admin, subjects, year, today, live, per_subject):
    """Commitments of SUBJECTS [(Member or Organisation, quality)] for YEAR: made public, the
    mid-year review, and the outcome once the deadline has passed. Returns how many."""
    count = 0
    for start in range(0, len(subjects), 500):  # each use case its own savepoint, a commit per chunk
        with database.atomic():
            count += _commitments(rng, admin, subjects[start : start + 500], year, today, live, per_subject)
    return count


def _commitments(rng, admin, subjects, year, today, live, per_subject):
    count = 0
    for subject, quality in subjects:
        for text in rng.sample(names.COMMITMENTS, rng.randrange(*per_subject)):
            deadline = datetime.date(year, rng.choice([6, 9, 12]), 30 if rng.random() < 0.5 else 15)
            made = commitment_service.add_commitment(admin, subject, {"year": year, "text": text, "deadline": deadline})
            count += 1
            if live and deadline > today:
                if rng.random() < 0.8:
                    commitment_service.add_progress(admin, made, datetime.date(year, 6, 28), "年中检视:按计划推进")
            elif rng.random() < quality + 0.1:
                commitment_service.set_outcome(admin, made, "done", evaluation="群众满意")
            else:
                reason = rng.choice(names.NOT_KEPT_REASONS)
                commitment_service.set_outcome(
                    admin, made, "not_done", reason_not_kept=reason, reason_public=reason in PUBLIC_REASONS
                )
    return count


def subjects_of(ids, kind, quality):
    """[(model instance, quality)] of IDS, in id order."""
    model = subject_model(kind)
    found = {}
    for start in range(0, len(ids), 500):
        found.update((row.id, row) for row in model.select().where(model.id.in_(ids[start : start + 500])))
    return [(found[i], quality[(kind, i)]) for i in ids]


def objections_on(now):
    """Three objections from the public about members' ratings under notice."""
    plaques = PlaqueCode.select().where(PlaqueCode.subject_kind == MEMBER).order_by(PlaqueCode.id).limit(3)
    for n, (plaque, text) in enumerate(zip(plaques, OBJECTIONS)):
        objections.create(plaque, text, now=now - datetime.timedelta(hours=20 - n))


def scans_of(rng, today, limit=5000):
    """Scans over the last 60 days, counted as the scan pages count them."""
    scans.flush()
    for (plaque_id,) in PlaqueCode.select(PlaqueCode.id).order_by(PlaqueCode.id).limit(limit).tuples():
        for _ in range(rng.choice([0, 0, 1, 2, 4, 8])):
            day = today - datetime.timedelta(days=rng.randrange(0, 60))
            for _ in range(rng.randrange(1, 6)):
                scans.record(plaque_id, day)
    scans.flush()


def logins(admin, password, first_town, first_branch):
    """[(username, password, role, scope)]: the administrator from init and three more."""
    found = [(admin.username, password, admin.role, Term(N_("全部")))]
    for username, role, organisation in (
        ("town_admin", "org_admin", first_town),
        ("secretary", "secretary", first_branch),
        ("viewer", "viewer", first_town),
    ):
        accounts.create_user(username, password, role, organisation=organisation)
        found.append((username, password, role, organisation.name_zh))
    return found


def sample_codes(first_branch, people, code_of):
    """A branch and two members to scan: (kind, name, code)."""
    found = [(ORGANISATION, first_branch.name_zh, code_of[(ORGANISATION, first_branch.id)])]
    return found + [(MEMBER, p.name_zh, code_of[(MEMBER, p.id)]) for p in people[:2]]
