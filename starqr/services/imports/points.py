"""Bulk import of points events and scores from CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX.
One row is one ledger entry for one subject, named by its plaque code (unambiguous) with
its name as a cross-check:

    编码 | 姓名 | 项目 | 分值 | 次数 | 日期 | 事由

- 项目: the rubric item's id or its Chinese name, from the subject's own rubric.
- 分值: for event and bonus items the points of the row (blank: the item's points × 次数);
  for value items (评议得票率, 十星级 criterion scores...) the value itself, which REPLACES
  the period's current value (the entry records the difference); veto / gate items 1 or 0.
- 次数: how many events the row counts (event and bonus items; default 1).
- 日期: when it happened (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or an Excel date), inside the period.

The import is all-or-nothing: every row is validated first and one bad row means nothing
is written. Each written entry carries a `source` derived from its content, so importing
the same file again (or a re-saved copy) writes nothing the second time.

The steps are the shared pipeline's (pipeline.py), as for the tree and the roster: the
same reading, row-and-column errors, preview (ImportResult is an ImportPlan), transaction
and progress reports.

Speed: no query per row. Codes, subjects and rubrics are fetched once per file in chunked
IN queries; validation is plain Python over tuples; the ledger appends in one transaction.
"""

from starqr import ledger
from starqr.errors import N_
from starqr.services import access, audit, ratings
from starqr.services.imports import pipeline
from starqr.services.imports.columns import POINTS_COLUMNS
from starqr.services.imports.entries import SOURCE, entry_rows
from starqr.services.imports.errors import ImportFileError
from starqr.services.imports.preview import LazyLabels, star_moves
from starqr.services.imports.result import ImportResult
from starqr.services.imports.tabular import Change
from starqr.services.imports.validation import VALUE_KINDS, _Validator


def check_period(period):
    if period.state == "final":
        raise ImportFileError(
            N_("评定期「%(period)s」已结束(final),不能再导入;请在控制台登记更正"),
            code="period_final",
            period=period.name,
        )


class PointsImporter(pipeline.Importer):
    kind = "points"
    columns = POINTS_COLUMNS

    def __init__(self, actor, period, preview=True):
        super().__init__(actor)
        self.period = period
        self.preview = preview  # star moves in a dry run (the console's and the API's preview)
        self.entries = []

    def new_plan(self, data, filename, dry_run):
        return ImportResult.for_file(self.kind, data, filename, dry_run, period_id=self.period.id)

    def parse(self, rows, found, labels, errors):
        parsed, self.directory = _Validator(self.period, self.actor, errors).run(found, rows)
        return parsed

    def plan(self, result, parsed, errors):
        dry_run = result.dry_run
        has_values = any(amount.item.kind in VALUE_KINDS for _, _, amount, _, _ in parsed)
        current = ratings.ledger_values(self.period) if (has_values or (dry_run and self.preview)) else {}
        kept = [] if dry_run else None
        self.entries, result.unchanged_values = entry_rows(
            self.period, parsed, self.actor.name, result.filename, current, kept
        )
        if not dry_run:
            return  # the ledger skips what it holds already, under its lock (apply)
        seen = ledger.existing_sources([e[SOURCE] for e in self.entries])  # the ledger's own query
        names = {(s.kind, s.id): (s.name_zh, code) for code, s in self.directory.by_code.items()}
        for entry, (number, subject, amount, _occurred, _reason) in zip(self.entries, kept):
            if entry[SOURCE] in seen:
                continue
            result.entries.append(entry)
            item = amount.item
            held = current.get((subject.kind, subject.id), {}).get(item.id) if item.kind in VALUE_KINDS else None
            code = names[(subject.kind, subject.id)][1]
            if held is None:
                result.created.append(Change(number, code, subject.name_zh, note=f"{item.name} {entry[4]}"))
            else:
                fields = {item.name: (f"{held:g}", f"{amount.points.normalize():f}")}
                result.updated.append(Change(number, code, subject.name_zh, fields, subject_id=subject.id))
        result.already_imported = len(self.entries) - len(result.entries)
        result.unchanged = result.already_imported + result.unchanged_values
        if self.preview:
            result.moves, result.totals_changed = star_moves(self.period, result.entries, current, LazyLabels(names))

    def has_work(self, result):
        return True  # even a file imported before is recorded (audit: written 0)

    def apply(self, result, parsed):
        # The ledger skips the sources it holds already, checked under its lock; the audit entry
        # is written here, in the same transaction, whichever door (console, API, CLI, job) imports.
        result.entries = ledger.append_rows(self.entries) if self.entries else []
        result.written = len(result.entries)
        result.already_imported = len(self.entries) - result.written
        result.unchanged = result.already_imported + result.unchanged_values
        audit.record(
            self.actor,
            "import",
            f"rating_period:{self.period.id}",
            after={
                "file": result.filename,
                "sha256": result.file_sha256,
                "rows": result.rows,
                "written": result.written,
                "already_imported": result.already_imported,
            },
        )


def run(period, data, filename, actor, dry_run=True, progress=None, preview=True):
    """Validate a file and, unless DRY_RUN, write it to the ledger all-or-nothing.

    ACTOR (an access.Actor, or a name for the system) is who imports: rows outside its
    scope are refused, and the ledger records its name.

    Returns an ImportResult. A file that cannot be read at all raises ImportFileError;
    row problems are reported in result.errors and nothing is written.
    PROGRESS, if given, is called as progress(rows checked, rows in the file, rows applied).
    """
    check_period(period)
    actor = access.as_actor(actor)
    return pipeline.run(PointsImporter(actor, period, preview), data, filename, dry_run, progress)
