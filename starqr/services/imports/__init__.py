"""Bulk imports from CSV and XLSX files, one small module per job.

All three imports (tree, roster, points) run through one pipeline (pipeline.py): read →
parse rows (row-and-column errors) → check across rows → plan (the preview: new, changed,
moved/transferred, missing, unchanged; tabular.ImportPlan) → apply in one transaction.

- pipeline: the driver and the Importer shape; tabular: columns, reading a table, errors, the plan
- tree (tree_columns, tree_check, tree_apply); roster, roster_apply: the tree and roster importers
- reading / xlsx: files to numbered rows of cells (xlsx: the XLSX reader alone)
- columns: the points file's headers; cells: numbers, dates and text from cells
- directory: codes to subjects and rubrics; validation: every row checked first
- entries: ledger rows with content-derived sources; preview: star moves
- points: the points importer (run); result: its ImportPlan; batches: stored uploads and
  background runs of every kind (the progress page reads them)
- templates / writing: template files and import files written from rows

The names callers use are re-exported here: `from starqr.services import imports`.
"""

from starqr.services.imports.batches import (
    batch_file,
    create_batch,
    imports_folder,
    load_upload,
    run_batch,
    store_upload,
)
from starqr.services.imports.cells import parse_date, parse_number
from starqr.services.imports.columns import (
    CODE,
    COLUMNS,
    DATE,
    HEADER_ALIASES,
    ITEM,
    NAME,
    POINTS,
    QUANTITY,
    REASON,
    REQUIRED_COLUMNS,
    read_rows,
)
from starqr.services.imports.errors import MAX_ERRORS, ImportFileError, RowError
from starqr.services.imports.points import check_period, run
from starqr.services.imports.preview import StarMove, compute_with, star_moves
from starqr.services.imports.reading import decode_csv, is_xlsx, read_csv, sha256
from starqr.services.imports.result import ImportResult
from starqr.services.imports.templates import template_csv, template_rows, template_xlsx
from starqr.services.imports.writing import by_columns, write_csv, write_xlsx
from starqr.services.imports.xlsx import read_xlsx

__all__ = [
    "CODE",
    "COLUMNS",
    "DATE",
    "HEADER_ALIASES",
    "ITEM",
    "MAX_ERRORS",
    "NAME",
    "POINTS",
    "QUANTITY",
    "REASON",
    "REQUIRED_COLUMNS",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "StarMove",
    "batch_file",
    "by_columns",
    "check_period",
    "compute_with",
    "create_batch",
    "decode_csv",
    "imports_folder",
    "is_xlsx",
    "load_upload",
    "parse_date",
    "parse_number",
    "read_csv",
    "read_rows",
    "read_xlsx",
    "run",
    "run_batch",
    "sha256",
    "star_moves",
    "store_upload",
    "template_csv",
    "template_rows",
    "template_xlsx",
    "write_csv",
    "write_xlsx",
]
