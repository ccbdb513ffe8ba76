"""The demo's points, year by year, through the points import (积分导入) like a secretary's file.

Each subject has a latent quality that drifts a little every year, so stars move. For each
period a points file (编码, 姓名, 项目, 分值, 次数, 日期, 事由) is generated in memory as CSV
and imported by `imports.run` as the administrator: the ledger gets exactly what an
imported file gives it. The live year and the year under notice are recorded event by
event; the older, final years as one tallied row per item (次数 = events), as a county
bringing in last years' paper records would.
"""

import datetime

from starqr.models import MEMBER, ORGANISATION, Organisation
from starqr.services import imports, rubrics

PRIVATE_ITEMS = ("gambling", "breach_village_rules")  # the reason on the page stays generic


class Subject:
    __slots__ = ("kind", "id", "code", "name", "rubric_key", "joined_on", "quality")

    def __init__(self, kind, subject_id, code, name, rubric_key, joined_on, quality):
        self.kind, self.id, self.code, self.name = kind, subject_id, code, name
        self.rubric_key, self.joined_on, self.quality = rubric_key, joined_on, quality


def subjects(rng, branches, people, code_of):
    """[Subject]: every branch, then every member, each with its rubric's key (as the imported
    tree assigns it) and a starting quality."""
    rows = {o.id: o for o in Organisation.select().where(Organisation.level == "branch")}
    found = []
    for b in branches:
        key = rubrics.organisation_rubric_key(rows[b.id])
        found.append(Subject(ORGANISATION, b.id, code_of[(ORGANISATION, b.id)], b.name_zh, key, None, 0.0))
    for p in people:
        key = rubrics.member_rubric_key(rows[p.branch.id])
        found.append(Subject(MEMBER, p.id, code_of[(MEMBER, p.id)], p.name_zh, key, p.joined_on, 0.0))
    for subject in found:
        subject.quality = min(0.98, max(0.05, rng.betavariate(5, 2)))
    return found


class Rubrics:
    def __init__(self):
        self.cache = {}

    def of(self, subject):
        if subject.rubric_key not in self.cache:
            self.cache[subject.rubric_key] = rubrics.current_rubric(subject.rubric_key)[1]
        return self.cache[subject.rubric_key]


def _amount(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def year_rows(rng, subject_list, rubric_of, period, last_day, live, tallied):
    """The rows of one period's points file."""
    year = period.year
    first_day = period.starts_on
    span = (last_day - first_day).days
    year_share = span / 365.0
    rows = []
    for subject in subject_list:
        subject.quality = min(0.99, max(0.02, subject.quality + rng.uniform(-0.08, 0.08)))
        if subject.joined_on is not None and subject.joined_on > last_day:
            continue  # not a member yet: nothing to record
        q = subject.quality
        code, name = subject.code, subject.name

        def day():
            return (first_day + datetime.timedelta(days=rng.randrange(0, max(1, span)))).isoformat()

        for item in rubric_of.of(subject).items:
            if item.kind in ("event", "bonus"):
                points = item.points
                if not points:
                    continue
                if points > 0:
                    chance = q if item.kind == "event" else q * 0.15
                    most = int((item.cap or abs(points) * 6) / abs(points)) + (1 if item.kind == "event" else 0)
                    count = int(most * chance * year_share + rng.random())
                else:
                    count = int(4 * (1 - q) * 0.35 * year_share + rng.random() * 0.9)
                if not count:
                    continue
                reason = "经核实,按规定计分" if item.id in PRIVATE_ITEMS else item.name
                if tallied:
                    rows.append(
                        (
                            code,
                            name,
                            item.id,
                            _amount(points * count),
                            count,
                            last_day.isoformat(),
                            f"{reason}(共{count}次)",
                        )
                    )
                else:
                    text = _amount(points)
                    rows.extend((code, name, item.id, text, 1, day(), reason) for _ in range(count))
            elif item.kind == "value" and not live:
                low, high = item.min, item.max
                value = low + (high - low) * min(1.0, max(0.0, q + rng.uniform(-0.12, 0.12)))
                value = round(value, 2) if high <= 1 else round(value, 1)
                rows.append((code, name, item.id, _amount(value), 1, f"{year}-12-20", f"{year}年度{item.name}"))
            elif item.kind == "gate" and not live:
                if rng.random() < 0.97:
                    rows.append((code, name, item.id, "1", 1, f"{year}-12-20", f"{year}年度{item.name}达标"))
            elif item.kind == "veto" and rng.random() < 0.002:
                rows.append((code, name, item.id, "1", 1, day(), item.name))
    return rows


def load(period, rows, admin, fail):
    """Import ROWS into PERIOD as ADMIN. Returns how many ledger entries were written."""
    data = imports.write_csv(rows)
    result = imports.run(period, data, f"演示积分{period.year}.csv", admin, dry_run=False, preview=False)
    if not result.ok:
        fail(f"points import {period.name}", result.error_lines())
    return result.written
