"""The one pipeline of every import (organisation tree, member roster, points):

    read   the file into rows of named cells (tabular.read_table); a file that cannot be read
           at all raises ImportFileError and nothing else happens
    parse  every row into a typed record; each problem is a RowError naming its row and column
    check  problems across rows (duplicate keys, unknown parents, cycles): row errors too
    plan   compare with the database: new, changed, moved/transferred, missing, unchanged —
           the preview; the same ImportPlan for all three imports
    apply  only when the whole file is valid and this is not a dry run: one transaction, all
           or nothing; applying the same file again finds nothing to change (idempotent)

An importer holds the kind-specific parts of the steps (Importer below); `run` drives them
the same way for all three, with the same progress reports: progress(rows checked, rows in
the file (0 while unknown), rows applied).
"""

import abc
import logging

from starqr.db import database
from starqr.log_events import log_event
from starqr.errors import N_, Forbidden
from starqr.services import access, audit
from starqr.services.imports.reading import blank_row, is_xlsx
from starqr.services.imports.tabular import Errors, ImportPlan, read_table

PROGRESS_EVERY = 2000  # rows between two progress reports while checking
NO_ROWS = N_("文件没有数据行")


def administrator(who):
    """The Actor of WHO if it may change the tree or the roster (an administrator or a town administrator)."""
    actor = access.as_actor(who)
    if not actor.active or actor.role not in access.ADMINISTRATORS:
        raise Forbidden(N_("只有管理员可以导入组织树和党员花名册"), code="import_forbidden")
    return actor


class Importer(abc.ABC):
    """The kind-specific parts of an import; `run` calls them in order."""

    kind = ""
    columns = ()  # tabular.Column

    def __init__(self, actor):
        self.actor = actor

    def refuse_header(self, label):
        """A message refusing the whole file for a header LABEL (private data), or None."""
        return None

    def new_plan(self, data, filename, dry_run):
        return ImportPlan.for_file(self.kind, data, filename, dry_run)

    @abc.abstractmethod
    def parse(self, rows, found, labels, errors):
        """Typed records of ROWS ((row number, cells), blank rows left out); problems go to ERRORS."""

    def check(self, records, errors):
        """Problems across rows, reported even when some rows failed to parse."""

    @abc.abstractmethod
    def plan(self, plan, records, errors):
        """Fill PLAN (created, updated, moved, missing, unchanged); only for a file without errors."""

    def has_work(self, plan):
        return bool(plan.changes or plan.missing)

    @abc.abstractmethod
    def apply(self, plan, records):
        """Write PLAN, inside the pipeline's transaction; audited here, whichever door imports."""


class _Counted:
    """The file's non-blank rows, counted, with a progress report every PROGRESS_EVERY rows."""

    def __init__(self, rows, progress, estimate):
        self.rows, self.progress, self.estimate = rows, progress, estimate
        self.count = 0

    def __iter__(self):
        progress, count = self.progress, 0
        for number, cells in self.rows:
            if blank_row(cells):
                continue
            count += 1
            self.count = count
            if progress and not count % PROGRESS_EVERY:
                progress(count, max(self.estimate, count) if self.estimate else 0)
            yield number, cells


def _estimate(data, filename):
    """Data rows in a CSV (line breaks less the header), 0 for XLSX: the bar's length while checking."""
    return 0 if is_xlsx(data, filename) else max(data.count(b"\n") - 1, 0)


def run(importer, data, filename, dry_run=True, progress=None):
    """Read, parse, check and plan DATA with IMPORTER; unless DRY_RUN or in error, apply it in one
    transaction. Returns the ImportPlan (errors in plan.errors, nothing written if any)."""
    plan = importer.new_plan(data, filename, dry_run)
    found, labels, rows = read_table(data, filename, importer.columns, refuse_header=importer.refuse_header)
    errors = Errors()
    counted = _Counted(rows, progress, _estimate(data, filename))
    records = importer.parse(counted, found, labels, errors)
    plan.rows = counted.count
    if not plan.rows:
        errors.add(2, "", NO_ROWS)
    importer.check(records, errors)
    if not errors:
        importer.plan(plan, records, errors)
    if progress:
        progress(plan.rows, plan.rows, 0)
    if errors:
        if not dry_run:
            _log(importer, "import.refused", filename, plan, logging.WARNING, errors=errors.count)
        return plan.fail_with(errors)
    if dry_run or not importer.has_work(plan):
        return plan
    with database.atomic():
        importer.apply(plan, records)
    plan.applied = True
    _log(importer, "import.applied", filename, plan)
    if progress:
        progress(plan.rows, plan.rows, plan.rows)
    return plan


log = logging.getLogger("starqr.imports")


def _log(importer, event, filename, plan, level=logging.INFO, **fields):
    """One structured line per import that writes, or is refused when it meant to write."""
    period = getattr(importer, "period", None)
    log_event(
        log,
        event,
        level,
        kind=importer.kind,
        file=filename,
        rows=plan.rows,
        period=period.id if period is not None else None,
        written=getattr(plan, "written", None),
        actor=audit.actor_name(importer.actor),
        **fields,
    )
