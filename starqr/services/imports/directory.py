"""Codes → subjects and each subject's rubric, fetched once for a whole file."""

from collections import Counter
from dataclasses import dataclass

from starqr.db import database
from starqr.models import MEMBER, ORGANISATION, Organisation, PlaqueCode
from starqr.services import period_rules, rating_inputs, rubrics

CHUNK = 900  # IN (...) chunk size: under SQLite's 999-parameter limit on old builds


@dataclass
class Subject:
    kind: str
    id: int
    name_zh: str
    name_mn: str
    rubric_key: str
    organisation_path: str  # branch path, for scope checks


def _active_replacements(plaque_ids, hops=20):
    """plaque id -> the code to suggest instead: the end of its replacement chain, if that is active.

    A replacement may itself have been revoked and replaced (or revoked for good): suggesting it
    would send the secretary to another dead code.
    """
    rows = {}
    wanted = set(plaque_ids)
    for _ in range(hops):
        wanted -= set(rows)
        if not wanted:
            break
        ordered = sorted(wanted)
        for start in range(0, len(ordered), CHUNK):
            rows.update(
                (row[0], row[1:])
                for row in PlaqueCode.select(PlaqueCode.id, PlaqueCode.code, PlaqueCode.status, PlaqueCode.replaced_by)
                .where(PlaqueCode.id.in_(ordered[start : start + CHUNK]))
                .tuples()
            )
        wanted = {rows[i][2] for i in wanted if i in rows and rows[i][1] != "active" and rows[i][2]}
    found = {}
    for plaque_id in plaque_ids:
        current, seen = plaque_id, set()
        while current in rows and rows[current][1] != "active" and current not in seen:
            seen.add(current)
            current = rows[current][2]
        if current in rows and rows[current][1] == "active":
            found[plaque_id] = rows[current][0]
    return found


class Directory:
    """Codes → subjects and each subject's rubric, fetched once for a whole file."""

    def __init__(self, codes, period=None):
        self.period = period  # a scheduled period keeps the rubric assignments pinned with it
        self.by_code = {}  # code -> Subject
        self.revoked = {}  # code -> replacement code or None
        self.not_rated = {}  # code -> name of an organisation that is not a branch
        self.rubric = {}  # key -> (RubricVersion, Rubric)
        self._load(sorted(set(codes)))

    def _load(self, codes):
        plaques = select_in(
            'SELECT "code", "subject_kind", "subject_id", "status", "replaced_by_id" '
            'FROM "plaque_code" WHERE "code" IN ({})',
            codes,
        )
        replaced_ids = [r for (_, _, _, status, r) in plaques if status != "active" and r]
        replacement_codes = _active_replacements(replaced_ids)
        member_ids = sorted({sid for (_, kind, sid, status, _) in plaques if kind == MEMBER and status == "active"})
        members = {
            row[0]: row
            for row in select_in(
                'SELECT "id", "name_zh", "name_mn", "branch_id", "active" FROM "member" WHERE "id" IN ({})', member_ids
            )
        }
        organisations = {
            row[0]: row
            for row in Organisation.select(
                Organisation.id,
                Organisation.name_zh,
                Organisation.name_mn,
                Organisation.level,
                Organisation.domain,
                Organisation.rubric_key,
                Organisation.path,
            ).tuples()
        }

        keys = rating_inputs.current_assignments()  # archived branches are left out
        if self.period is not None:
            keys.update({k: v for k, v in period_rules.assignments(self.period).items() if k in keys})
        organisation_keys = {int(k): v[0] for k, v in keys.items()}
        member_keys = {int(k): v[1] for k, v in keys.items()}
        for code, kind, subject_id, status, replaced_by in plaques:
            if status != "active":
                self.revoked[code] = replacement_codes.get(replaced_by)
                continue
            if kind == MEMBER:
                member = members.get(subject_id)
                if member is None or not member[4]:
                    continue  # a member no longer on the roll: treated as unknown
                branch = organisations[member[3]]
                key = member_keys.get(member[3])
                if key is None:
                    continue  # an archived branch
                self.by_code[code] = Subject(MEMBER, subject_id, member[1], member[2] or "", key, branch[6])
            else:
                org = organisations.get(subject_id)
                if org is None:
                    continue
                if org[3] != "branch":
                    self.not_rated[code] = org[1]
                    continue
                key = organisation_keys.get(subject_id)
                if key is None:
                    continue  # archived
                self.by_code[code] = Subject(ORGANISATION, subject_id, org[1], org[2] or "", key, org[6])
        for key in {s.rubric_key for s in self.by_code.values()}:
            self.rubric[key] = rubrics.current_rubric(key)


def select_in(sql, values, size=500):
    """Rows of SQL (with one IN ({}) placeholder) for VALUES in chunks, as plain tuples."""

    db = database.obj
    # No stored text holds a NUL (PostgreSQL can't take one in a literal): such a cell matches
    # nothing, and its row gets the ordinary "unknown code" error instead of a driver crash.
    values = [v for v in values if not (isinstance(v, str) and "\x00" in v)]
    rows = []
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        rows.extend(tuple(r) for r in db.execute_sql(sql.format(", ".join([db.param] * len(chunk))), chunk).fetchall())
    return rows


def item_lookup(rubric):
    """{id or Chinese name: Item} for one rubric (names that two items share are left out)."""
    lookup = {}
    names = Counter(item.name for item in rubric.items)
    for item in rubric.items:
        lookup[item.id] = item
        lookup[item.id.lower()] = item
        if names[item.name] == 1:
            lookup.setdefault(item.name, item)
    return lookup
