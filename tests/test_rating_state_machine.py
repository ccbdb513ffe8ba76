"""A state machine over the rating services: whatever happens, the period rules hold.

Random sequences of ledger entries of every item kind through every door (the console's
and API's service, the importer, objection corrections, corrections), transfers, new
members, rubric edits and re-assignments, objections, schedule, publish and finalise.
After every step: rating and publication did not raise; every public page and JSON
answers 200/404/410; no published snapshot ever changed; no value in use exceeds its
item's range and no score its component's maximum; a period with open objections is never
final; the ledger's chain and signed checkpoints verify.
"""

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from starqr import checkpoint_verification, ledger
from starqr.db import database
from starqr.models import (
    ALL_MODELS,
    MEMBER,
    ORGANISATION,
    LedgerEntry,
    Member,
    Objection,
    PlaqueCode,
    Rating,
    RatingPeriod,
)
from starqr.services import (
    administration,
    imports,
    member_rules,
    objections,
    points_events,
    rating_inputs,
    ratings,
    rubric_uploads,
    rubrics,
)
from tests.helpers import issue_code, make_member, make_org, make_period, make_tree, make_user

START = datetime.datetime(2026, 1, 10, 1, 0)
MEMBER_EVENTS = ["study", "theme_party_day", "post_duty", "miss_meeting", "late_meeting", "county_honour"]
MEMBER_VALUES = [("appraisal_percent", 0, 100), ("commitments_fulfilled", 0, 1)]
SOE_ITEMS = None  # filled from the rubric at start


def _empty_database():
    tables = [m._meta.table_name for m in ALL_MODELS] + ["import_batch"]
    if "postgres" in type(database.obj).__name__.lower():
        existing = set(database.get_tables())
        database.execute_sql(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables if t in existing) + " RESTART IDENTITY CASCADE"
        )
        return
    database.execute_sql("PRAGMA foreign_keys = OFF")
    for table in tables:
        if table in database.get_tables():
            database.execute_sql(f'DELETE FROM "{table}"')
    if "sqlite_sequence" in [
        r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    ]:
        database.execute_sql("DELETE FROM sqlite_sequence")
    database.execute_sql("PRAGMA foreign_keys = ON")


class RatingMachine(RuleBasedStateMachine):
    client = None

    @initialize()
    def start(self):
        _empty_database()
        rubrics._parsed.clear()
        self.now = START
        self.tree = make_tree()
        self.soe = make_org(self.tree["town"], "branch", "state_enterprise", "国企党支部")
        self.branches = [self.tree["branch"], self.soe]
        self.admin = make_user("admin", "admin")
        self.members = [make_member(self.tree["branch"], f"党员{n}") for n in range(3)]
        self.codes = {m.id: issue_code(m).code for m in self.members}
        self.codes_org = {b.id: issue_code(b).code for b in self.branches}
        self.period = make_period(2025)
        self.snapshots = {}

    # ---- ledger entries through every door -----------------------------------------------------

    def _member(self, index):
        return Member.get_by_id(self.members[index % len(self.members)].id)

    def _open(self):
        return RatingPeriod.get_by_id(self.period.id).state in ("draft", "scheduled")

    @rule(index=st.integers(0, 20), item=st.sampled_from(MEMBER_EVENTS), count=st.integers(1, 3))
    def console_event(self, index, item, count):
        member = self._member(index)
        _, rubric = points_events.subject_rubric(member)
        if not self._open() or item not in rubric._items_by_id:
            return
        points_events.record_points(self.admin, member, self.period, item, "事件", count=count)

    @rule(index=st.integers(0, 20), which=st.integers(0, 1), fraction=st.floats(0, 1))
    def console_value(self, index, which, fraction):
        member = self._member(index)
        item, low, high = MEMBER_VALUES[which]
        _, rubric = points_events.subject_rubric(member)
        if not self._open() or item not in rubric._items_by_id:
            return
        value = round(low + (high - low) * fraction, 2)
        points_events.record_points(self.admin, member, self.period, item, "评议", value=value)

    @rule(branch=st.integers(0, 1), fraction=st.floats(0, 1), pick=st.integers(0, 30))
    def branch_value(self, branch, fraction, pick):
        org = self.branches[branch]
        _, rubric = points_events.subject_rubric(org)
        values = [i for i in rubric.items if i.kind == "value"]
        if not self._open() or not values:
            return
        item = values[pick % len(values)]
        points_events.record_points(
            self.admin, org, self.period, item.id, "评分", value=round(item.min + (item.max - item.min) * fraction, 2)
        )

    @rule(index=st.integers(0, 20), value=st.integers(0, 100), event=st.booleans())
    def import_rows(self, index, value, event):
        member = self._member(index)
        if RatingPeriod.get_by_id(self.period.id).state == "final" or member.branch_id != self.tree["branch"].id:
            return
        row = (
            [self.codes[member.id], member.name_zh, "study", 2, 1, "", "导入学习"]
            if event
            else [self.codes[member.id], member.name_zh, "appraisal_percent", value, 1, "", "导入评议"]
        )
        imports.run(self.period, imports.write_csv([row]), "rows.csv", "admin", dry_run=False)

    @rule(pick=st.integers(0, 1000), fraction=st.floats(0, 1), replace=st.booleans())
    def correct(self, pick, fraction, replace):
        if not self._open():
            return
        originals = list(LedgerEntry.select().where(LedgerEntry.corrects.is_null()).order_by(LedgerEntry.id))
        originals = [e for e in originals if not LedgerEntry.select().where(LedgerEntry.corrects == e.id).exists()]
        if not originals:
            return
        entry = originals[pick % len(originals)]
        model = Member if entry.subject_kind == MEMBER else None
        new_points = None
        if replace and model is not None:
            subject = Member.get_by_id(entry.subject_id)
            _, rubric = points_events.subject_rubric(subject)
            item = rubric._items_by_id.get(entry.item)
            if item is None:
                return
            new_points = round(item.min + (item.max - item.min) * fraction, 2)
        try:
            points_events.correct_entry(self.admin, entry, "更正", new_points=new_points)
        except member_rules.MemberError:
            pass  # e.g. the entry's item is not in the subject's current rubric any more

    # ---- people and rubrics ------------------------------------------------------------------

    @rule(index=st.integers(0, 20))
    def transfer(self, index):
        member = self._member(index)
        other = [b for b in self.branches if b.id != member.branch_id][0]
        member.branch = other
        member.save()

    @rule(joined_after=st.booleans())
    def new_member(self, joined_after):
        joined = datetime.date(2026, 1, 5) if joined_after else datetime.date(2020, 5, 1)
        member = make_member(self.tree["branch"], joined_on=joined)
        self.members.append(member)
        self.codes[member.id] = issue_code(member).code

    @rule(factor=st.sampled_from(["0.1", "0.15", "0.2"]))
    def edit_rubric(self, factor):
        latest = rubrics.latest_version("member_points")
        text = latest.text.replace(f"version: {latest.version}", f"version: {latest.version + 1}")
        text = text.replace("factor: 0.2", f"factor: {factor}").replace("factor: 0.1\n", f"factor: {factor}\n")
        rubric_uploads.upload_rubric(self.admin, text)

    @rule(key=st.sampled_from([None, "branch_five_strong", "village_ten_star"]))
    def reassign(self, key):
        branch = self.tree["branch"]
        branch.rubric_key = key
        branch.save()

    # ---- the period ---------------------------------------------------------------------------

    @rule()
    def draft(self):
        if self._open():
            administration.compute_draft(self.admin, RatingPeriod.get_by_id(self.period.id))

    @rule(hours=st.integers(1, 72))
    def schedule(self, hours):
        period = RatingPeriod.get_by_id(self.period.id)
        if period.state in ("draft", "scheduled"):
            ratings.schedule(period, self.now + datetime.timedelta(hours=hours), notice_days=2)

    @rule(hours=st.integers(1, 96))
    def time_passes(self, hours):
        self.now += datetime.timedelta(hours=hours)
        ratings.publish_due(self.now)

    @rule()
    def publish_now(self):
        period = RatingPeriod.get_by_id(self.period.id)
        if period.state in ("draft", "scheduled"):
            ratings.publish(period, self.now)
        else:
            ratings.freeze(period, self.now, reason="更正")

    @rule(index=st.integers(0, 20))
    def object(self, index):
        member = self._member(index)
        plaque = PlaqueCode.get(PlaqueCode.code == self.codes[member.id])
        try:
            objections.create(plaque, "我对评议结果有异议,请核实", now=self.now)
        except objections.ObjectionError:
            pass

    @rule(pick=st.integers(0, 100), accept=st.booleans(), value=st.integers(0, 100))
    def answer(self, pick, accept, value):
        waiting = list(Objection.select().where(Objection.status == "open").order_by(Objection.id))
        if not waiting:
            return
        objection = waiting[pick % len(waiting)]
        item = "appraisal_percent" if accept and objection.plaque.subject_kind == MEMBER else None
        try:
            administration.resolve_objection(
                self.admin,
                objection,
                accept,
                "经核实" if not accept else "核实后更正",
                item=item,
                points=Decimal(value) if item else None,
                now=self.now,
            )
        except administration.AdminError:
            administration.resolve_objection(self.admin, objection, False, "经核实无误", now=self.now)

    # ---- invariants ---------------------------------------------------------------------------

    @invariant()
    def snapshots_never_change(self):
        if not hasattr(self, "snapshots"):
            return
        for row in Rating.select().where(Rating.published == True):  # noqa: E712
            seen = (str(row.total), row.stars, row.rubric_id, row.published_at)
            assert self.snapshots.setdefault(row.id, seen) == seen

    @invariant()
    def values_within_range(self):
        if not hasattr(self, "snapshots"):
            return
        for row in Rating.select():
            for part in row.breakdown:
                assert part["score"] <= part["max"] + 1e-9, (row.id, part)
        values = rating_inputs.ledger_values(self.period)
        for (kind, subject_id), items in values.items():
            subject = Member if kind == MEMBER else None
            if subject is None:
                continue
            _, rubric = points_events.subject_rubric(Member.get_by_id(subject_id))
            for item_id, value in items.items():
                item = rubric._items_by_id.get(item_id)
                if item is not None and item.kind == "value":
                    assert item.min <= value <= item.max, (subject_id, item_id, value)

    @invariant()
    def never_final_with_open_objections(self):
        for period in RatingPeriod.select().where(RatingPeriod.state == "final"):
            assert not Objection.select().where(Objection.period == period, Objection.status == "open").exists()

    @invariant()
    def pages_answer(self):
        if not hasattr(self, "codes"):
            return
        for code in list(self.codes.values())[:4] + list(self.codes_org.values()):
            for suffix in ("", ".json"):
                assert self.client.get(f"/Q/{code}{suffix}").status_code in (200, 404, 410)

    @invariant()
    def ledger_verifies(self):
        checked, problems = ledger.verify()
        assert problems == []
        assert checkpoint_verification.verify() == []


def test_rating_services_keep_their_rules(app, database_url):
    RatingMachine.client = app.test_client()
    # Kept under a minute per backend on a shared 2-core machine (PostgreSQL round trips cost more).
    examples = 4 if database_url.startswith("postgres") else 8
    run_state_machine_as_test(
        RatingMachine,
        settings=settings(
            max_examples=examples, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
    assert ORGANISATION  # both subject kinds were in play
