"""The batch page builder: every missing or stale page, a chunk of codes at a time.

The scan view renders one page with ~13 queries (services/profile_loader.Loader). Here a
chunk of codes is read in ONE statement together with the versions its pages are rendered
under (read before any page data, as pages.resolve does, so a write committing meanwhile
leaves the pages stale rather than wrong), then BatchLoader loads the rows of every page of
the chunk in a few set-based queries and hands each page the very rows the view's loader
would have read, in the same order; the one shaping code (profiles.py) and the one template
make the page, so it is byte-identical to the view's (tests/test_page_batch.py). Pages are
compressed and stored in one statement per chunk (pages.store_many: the same "never replace
a newer page" guard).

Several processes: `build(..., workers=N)` forks N builders, each taking the codes whose id
is ≡ k (mod N), walking them by id (keyset, never rescanning what it built).

Rendering is passed in (no Flask here): RENDER_SESSION(lang) is a context manager giving
render(profile) -> bytes, made in each worker (views/page_builder.py).
"""

import datetime
import json
import multiprocessing
import queue as queue_module
from collections import defaultdict

from starqr.db import database
from starqr.models import MEMBER, ORGANISATION, Member, Organisation, Post
from starqr.models import Commitment, LedgerEntry, Objection, PlaqueCode, RubricVersion
from starqr.services import pages
from starqr.services.profile_loader import (
    CHILD_ORDER,
    COMMITMENT_ORDER,
    LEDGER_FIELDS,
    MEMBER_LIST_FIELDS,
    MEMBER_ORDER,
    OBJECTION_FIELDS,
    OBJECTION_ORDER,
    OBJECTIONS_SHOWN,
    Loader,
    chain_ids,
    codes_query,
    published_ratings,
    stars_of,
    stars_query,
)
from starqr.services.profiles import profile_for

CHUNK = 500  # pages per chunk
IN_LIST = 900  # ids per IN (...) (under SQLite's parameter limit)


def _each(ids, query):
    """Rows of QUERY(ids_part) for IN_LIST ids at a time (a subject's rows all in one part)."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), IN_LIST):
        yield from query(ids[start : start + IN_LIST])


class BatchLoader(Loader):
    """A chunk's rows, loaded up front; answers profile_loader.Loader's questions from them."""

    def __init__(self, plaques, today):
        self._memo = {}
        members = [p.subject_id for p in plaques if p.subject_kind == MEMBER]
        own_orgs = [p.subject_id for p in plaques if p.subject_kind == ORGANISATION]
        self._members = {m.id: m for m in _each(members, lambda ids: Member.select().where(Member.id.in_(ids)))}
        self._orgs = {}
        self._load_orgs(own_orgs + [m.branch_id for m in self._members.values()])
        self._load_orgs([i for o in list(self._orgs.values()) for i in chain_ids(o)])
        pages_orgs = [i for i in own_orgs if i in self._orgs]
        branches = [i for i in pages_orgs if self._orgs[i].level == "branch"]
        self._children = defaultdict(list)
        for child in _each(
            pages_orgs,
            lambda ids: Organisation.select().where(Organisation.parent.in_(ids)).order_by(*CHILD_ORDER),
        ):
            self._children[child.parent_id].append(child)
        self._roll = defaultdict(list)
        for m in _each(
            branches,
            lambda ids: (
                Member.select(*MEMBER_LIST_FIELDS, Member.branch)
                .where(Member.branch.in_(ids), Member.active == True)  # noqa: E712
                .order_by(*MEMBER_ORDER)
            ),
        ):
            self._roll[m.branch_id].append(m)
        listed = [m.id for roll in self._roll.values() for m in roll]
        children = [c.id for kids in self._children.values() for c in kids]
        chain_orgs = list(self._orgs)
        self._codes = {
            (kind, sid): code
            for kind, sid, code in (
                *_each(chain_orgs + children, lambda ids: codes_query(organisation_ids=ids)),
                *_each(listed, lambda ids: codes_query(member_ids=ids)),
            )
        }
        _, published, live = self.periods()
        latest = published[-1] if published else None
        self._stars = {MEMBER: {}, ORGANISATION: {}}
        if latest is not None:
            for kind, ids in ((MEMBER, listed), (ORGANISATION, children)):
                self._stars[kind] = stars_of(_each(ids, lambda part, kind=kind: stars_query(kind, part, latest)))
        subjects = {MEMBER: list(self._members), ORGANISATION: pages_orgs}
        on_roll = [m.id for m in self._members.values() if m.active]
        self._posts = defaultdict(list)
        for post in _each(
            on_roll,
            lambda ids: Post.select().where(Post.member.in_(ids), Post.active == True).order_by(Post.id),  # noqa: E712
        ):
            self._posts[post.member_id].append(post)
        self._ratings = self._group(
            {MEMBER: list(self._members), ORGANISATION: branches},
            lambda kind, ids: published_ratings(kind, ids, [p.id for p in published]),
            lambda r: r.subject_id,
        )
        versions = {r.rubric_id for rows in self._ratings.values() for r in rows}
        if versions:
            by_id = {v.id: v for v in RubricVersion.select().where(RubricVersion.id.in_(sorted(versions)))}
            for rows in self._ratings.values():
                for r in rows:
                    r.rubric = by_id[r.rubric_id]
        self._ledger = {}
        if live is not None:
            self._ledger = self._group(
                {MEMBER: on_roll, ORGANISATION: branches},
                lambda kind, ids: (
                    LedgerEntry.select(*LEDGER_FIELDS, LedgerEntry.subject_id)
                    .where(
                        LedgerEntry.period == live, LedgerEntry.subject_kind == kind, LedgerEntry.subject_id.in_(ids)
                    )
                    .order_by(LedgerEntry.id.desc())
                    .tuples()
                ),
                lambda row: row[-1],
                lambda row: row[:-1],
            )
        years = sorted({today.year, today.year - 1} | ({live.year} if live else set()))
        self._commitments = self._group(
            {MEMBER: on_roll, ORGANISATION: pages_orgs},
            lambda kind, ids: (
                Commitment.select()
                .where(Commitment.subject_kind == kind, Commitment.subject_id.in_(ids), Commitment.year.in_(years))
                .order_by(*COMMITMENT_ORDER)
            ),
            lambda c: c.subject_id,
        )
        self._objections = self._group(
            subjects,
            lambda kind, ids: (
                Objection.select(*OBJECTION_FIELDS, PlaqueCode.subject_id)
                .join(PlaqueCode)
                .where(PlaqueCode.subject_kind == kind, PlaqueCode.subject_id.in_(ids))
                .order_by(*OBJECTION_ORDER)
                .tuples()
            ),
            lambda row: row[-1],
            lambda row: row[:-1],
        )

    def _load_orgs(self, ids):
        wanted = [i for i in set(ids) if i not in self._orgs]
        for o in _each(wanted, lambda part: Organisation.select().where(Organisation.id.in_(part))):
            self._orgs[o.id] = o

    @staticmethod
    def _group(subjects, query, subject_of, value=lambda row: row):
        """{(kind, id): [rows in the query's order]} for every kind's subjects."""
        grouped = defaultdict(list)
        for kind, ids in subjects.items():
            for row in _each(ids, lambda part, kind=kind: query(kind, part)):
                grouped[(kind, subject_of(row))].append(value(row))
        return grouped

    def _once(self, key, load):
        """A value shared by every page of the chunk, read once (errors too: raised again)."""
        if key not in self._memo:
            try:
                self._memo[key] = (load(), None)
            except Exception as error:  # noqa: BLE001 - kept and raised for every page that asks
                self._memo[key] = (None, error)
        value, error = self._memo[key]
        if error is not None:
            raise error
        return value

    # ---- the questions (profile_loader.Loader)

    def member(self, member_id):
        return self._members.get(member_id)

    def organisation(self, organisation_id):
        return self._orgs.get(organisation_id)

    def branch_of(self, member):
        return self._orgs[member.branch_id]

    def chain(self, organisation):
        return [
            organisation if i == organisation.id else self._orgs[i] for i in chain_ids(organisation) if i in self._orgs
        ]

    def periods(self):
        return self._once("periods", super().periods)

    def codes(self, organisation_ids=(), member_ids=()):
        return self._codes

    def current_rubric(self, key):
        return self._once(("rubric", key), lambda: super(BatchLoader, self).current_rubric(key))

    def latest_version(self, key):
        return self._once(("version", key), lambda: super(BatchLoader, self).latest_version(key))

    def checkpoint(self):
        return self._once("checkpoint", super().checkpoint)

    def posts(self, member):
        return self._posts.get(member.id, [])

    def ratings(self, kind, subject_id, period_ids):
        return self._ratings.get((kind, subject_id), [])

    def ledger(self, kind, subject_id, period):
        return self._ledger.get((kind, subject_id), [])

    def commitments(self, kind, subject_id, years):
        return self._commitments.get((kind, subject_id), [])

    def objections(self, kind, subject_id):
        return self._objections.get((kind, subject_id), [])[:OBJECTIONS_SHOWN]

    def children(self, organisation):
        return self._children.get(organisation.id, [])

    def branch_members(self, organisation):
        return self._roll.get(organisation.id, [])

    def latest_stars(self, kind, subject_ids, period):
        if period is None or not subject_ids:
            return {}
        found = self._stars[kind]
        return {i: found[i] for i in subject_ids if i in found}


# ---------------------------------------------------------------- chunks of codes


class _Plaque:
    __slots__ = ("id", "code", "subject_kind", "subject_id", "status")

    def __init__(self, plaque_id, code, kind, subject_id, status):
        self.id, self.code, self.subject_kind, self.subject_id, self.status = plaque_id, code, kind, subject_id, status


def _select(where, params, lang, today, limit=None):
    """[(plaque, (rev, sver))] of active codes, the versions read in the same statement."""
    p = database.obj.param
    sql = (
        'SELECT c."id", c."code", c."subject_kind", c."subject_id", c."status", '
        'COALESCE(r."value", 0), COALESCE(s."version", 0) FROM "plaque_code" c '
        'LEFT JOIN "revision" r ON r."id" = 1 '
        'LEFT JOIN "page_subject" s ON s."subject_kind" = c."subject_kind" AND s."subject_id" = c."subject_id" '
        f'LEFT JOIN "public_page" pg ON pg."code" = c."code" AND pg."lang" = {p} '
        f'WHERE c."status" = \'active\' AND {where} ORDER BY c."id"'
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = database.execute_sql(sql, (lang, *params)).fetchall()
    return [(_Plaque(*row[:5]), (row[5], row[6])) for row in rows]


def stale_chunk(lang, after_id=0, limit=CHUNK, workers=1, worker=0, today=None):
    """The next LIMIT active codes after AFTER_ID whose LANG page is missing or stale (worker's share)."""
    today = today or datetime.date.today()
    p = database.obj.param
    where = (
        f'c."id" > {p} AND (pg."code" IS NULL OR pg."rev" <> COALESCE(r."value", 0) '
        f'OR pg."sver" <> COALESCE(s."version", 0) OR pg."day" <> {p})'
    )
    params = [after_id, today]
    if workers > 1:
        n = int(workers)  # c.id mod n, in SQL both databases read alike (psycopg2 takes % for a parameter)
        where += f' AND c."id" - (c."id" / {n}) * {n} = {int(worker)}'
    return _select(where, params, lang, today, limit)


def chunk_of_codes(codes, lang):
    p = database.obj.param
    return _select(f'c."code" IN ({", ".join([p] * len(codes))})', list(codes), lang, None)


def build_chunk(chunk, lang, render, today=None):
    """Render and store the pages of CHUNK ([(plaque, stamp)]). Returns how many were stored."""

    today = today or datetime.date.today()
    loader = BatchLoader([plaque for plaque, _ in chunk], today)
    items = []
    for plaque, stamp in chunk:
        profile = profile_for(plaque, today, loader)
        if profile is None:  # the subject is gone: nothing stored (the view answers 404)
            continue
        if lang == "json":
            body = json.dumps(profile, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            body = render(profile)
        page = pages.make(body, lang, plaque.id, plaque.subject_kind, plaque.subject_id)
        items.append((plaque.code, lang, page, len(body), stamp))
    pages.store_many(items, today)
    return len(items)


def build_codes(render_session, codes, lang="zh", today=None):
    """Build the pages of CODES (any state; inactive ones are skipped)."""
    done = 0
    with render_session(lang) as render:
        for start in range(0, len(codes), CHUNK):
            done += build_chunk(chunk_of_codes(codes[start : start + CHUNK], lang), lang, render, today)
    return done


def _build_share(render_session, lang, limit, workers, worker, today):
    done, after = 0, 0
    with render_session(lang) as render:
        while limit is None or done < limit:
            size = CHUNK if limit is None else min(CHUNK, limit - done)
            chunk = stale_chunk(lang, after, size, workers, worker, today)
            if not chunk:
                break
            after = chunk[-1][0].id
            done += build_chunk(chunk, lang, render, today)
    return done


def _child(queue, render_session, lang, limit, workers, worker, today):
    try:
        database.connect(reuse_if_open=True)
        queue.put((worker, _build_share(render_session, lang, limit, workers, worker, today), None))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
        queue.put((worker, 0, repr(error)))
    finally:
        if not database.is_closed():
            database.close()


def build(render_session, lang="zh", limit=None, workers=1, today=None):
    """Render and store every missing or stale LANG page; WORKERS processes. Returns how many."""
    today = today or datetime.date.today()
    if workers <= 1:
        return _build_share(render_session, lang, limit, 1, 0, today)
    shares = [None if limit is None else limit // workers + (k < limit % workers) for k in range(workers)]
    if not database.is_closed():
        database.close()  # no connection crosses a fork
    if hasattr(database.obj, "close_all"):
        database.obj.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [
        context.Process(target=_child, args=(queue, render_session, lang, shares[k], workers, k, today))
        for k in range(workers)
    ]
    for child in children:
        child.start()
    results = []
    while len(results) < len(children):
        try:
            results.append(queue.get(timeout=1))
        except queue_module.Empty:
            if not any(child.is_alive() for child in children) and queue.empty():
                break  # a worker died without reporting (killed): don't wait for it forever
    for child in children:
        child.join()
    errors = [error for _, _, error in results if error]
    errors += [f"worker {k} ended with code {c.exitcode}" for k, c in enumerate(children) if c.exitcode]
    if errors:
        raise RuntimeError("page builder failed: " + "; ".join(errors))
    return sum(done for _, done, _ in results)
