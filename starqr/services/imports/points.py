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

Speed: no query per row. Codes, subjects and rubrics are fetched once per file in chunked
IN queries; validation is plain Python over tuples; the ledger appends in one transaction.
"""

import logging

from starqr import ledger
from starqr.db import database
from starqr.services import access, audit, ratings
from starqr.services.imports.entries import SOURCE, _entries
from starqr.errors import N_
from starqr.services.imports.errors import ImportFileError
from starqr.services.imports.preview import _LazyLabels, star_moves
from starqr.services.imports.reading import read_rows, sha256
from starqr.services.imports.result import ImportResult
from starqr.services.imports.validation import VALUE_KINDS, _Validator

log = logging.getLogger("starqr.imports")


def check_period(period):
    if period.state == "final":
        raise ImportFileError(
            N_("评定期「%(period)s」已结束(final),不能再导入;请在控制台登记更正"),
            code="period_final",
            period=period.name,
        )


def run(period, data, filename, actor, dry_run=True, progress=None, preview=True):
    """Validate a file and, unless DRY_RUN, write it to the ledger all-or-nothing.

    ACTOR (an access.Actor, or a name for the system) is who imports: rows outside its
    scope are refused, and the ledger records its name.

    Returns an ImportResult. A file that cannot be read at all raises ImportFileError;
    row problems are reported in result.errors and nothing is written.
    PROGRESS, if given, is called as progress(rows done, rows total).
    """
    check_period(period)
    result = ImportResult(filename=filename, file_sha256=sha256(data), period_id=period.id, dry_run=dry_run)
    columns, rows = read_rows(data, filename)
    actor = access.as_actor(actor)
    validator = _Validator(period, actor)
    raw, parsed, directory = validator.run(columns, rows, progress)
    result.rows = len(raw)
    if not raw:
        validator.fail(2, "", "文件没有数据行")
    if validator.error_count:
        result.errors = validator.errors
        result.more_errors = validator.error_count - len(validator.errors)
        return result
    has_values = any(amount.item.kind in VALUE_KINDS for _, _, amount, _, _ in parsed)
    current = ratings.ledger_values(period) if (has_values or (dry_run and preview)) else {}
    entries, result.unchanged_values = _entries(period, parsed, actor.name, filename, current)
    if dry_run:
        seen = ledger.existing_sources([e[SOURCE] for e in entries])  # the ledger's own query
        result.entries = [e for e in entries if e[SOURCE] not in seen]
        result.already_imported = len(entries) - len(result.entries)
        if preview:
            names = {(s.kind, s.id): (s.name_zh, code) for code, s in directory.by_code.items()}
            result.moves, result.totals_changed = star_moves(period, result.entries, current, _LazyLabels(names))
        return result
    # The ledger skips the sources it holds already, checked under its lock; the audit entry
    # is written here, in the same transaction, whichever door (console, API, CLI, job) imports.
    with database.atomic():
        result.entries = ledger.append_rows(entries) if entries else []
        result.written = len(result.entries)
        result.already_imported = len(entries) - result.written
        audit.record(
            actor,
            "import",
            f"rating_period:{period.id}",
            after={
                "file": filename,
                "sha256": result.file_sha256,
                "rows": result.rows,
                "written": result.written,
                "already_imported": result.already_imported,
            },
        )
    log.info(
        "import %s into %s: %s rows, %s written by %s",
        filename,
        period.name,
        result.rows,
        result.written,
        actor.name,
        extra={
            "event": "import.written",
            "period": period.id,
            "rows": result.rows,
            "written": result.written,
            "actor": actor.name,
        },
    )
    if progress:
        progress(result.rows, result.rows, result.rows)
    return result
