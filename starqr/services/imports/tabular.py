"""The shared pipeline of the tree and roster imports: columns, reading, errors, the plan.

A table import reads a CSV or XLSX file into rows of named cells, checks every row (each
problem names its row and column), and builds an ImportPlan: what would be created,
changed or moved. Nothing is written unless the whole file is valid; applying the same
file twice changes nothing the second time.
"""

from dataclasses import dataclass, field

from starqr.errors import N_, Term
from starqr.services.imports.errors import (
    MAX_ERRORS,
    MISSING_COLUMNS,
    ROW_COLUMN,
    ImportFileError,
    RowError,
    fill,
    more_errors,
)
from starqr.services.imports.reading import blank_row, is_xlsx, read_csv, sha256
from starqr.services.imports.xlsx import read_xlsx


@dataclass(frozen=True)
class Column:
    name: str  # the Chinese header, as in the template
    aliases: tuple = ()
    required: bool = False
    explanation: str = ""  # shown in the template's explanation sheet
    choices: tuple = ()  # the template's data-validation list
    example: object = ""
    record_field: str = ""  # the parsed record's field it fills, where a change names the column


def field_labels(columns, **derived):
    """{record field: column name} of COLUMNS, and DERIVED labels of fields no one column fills."""
    return {column.record_field: column.name for column in columns if column.record_field} | derived


def _label(cell):
    label = str(cell).strip().lstrip("\ufeff").rstrip("*＊").strip()
    for bracket in ("(", "（"):  # "入党日期（YYYY-MM-DD）" counts as 入党日期
        label = label.split(bracket, 1)[0].strip()
    return label


def read_table(data, filename, columns, refuse_header=None):
    """({column name: index}, header labels, iterator of (row number, cells)) for a table file.

    REFUSE_HEADER(label) may return a message that refuses the whole file (private data).
    """
    if not data:
        raise ImportFileError(N_("文件是空的"), code="empty_file")
    rows = read_xlsx(data) if is_xlsx(data, filename) else read_csv(data)
    lookup = {}
    for column in columns:
        for alias in (column.name,) + tuple(column.aliases):
            lookup.setdefault(alias.lower(), column.name)
    for _number, cells in rows:
        if blank_row(cells):
            continue
        found, labels = {}, []
        for index, cell in enumerate(cells):
            label = "" if cell is None else _label(cell)
            labels.append(label)
            if refuse_header and label:
                message = refuse_header(label)
                if message:
                    raise ImportFileError(ROW_COLUMN, code="refused_column", row=1, column=label, message=Term(message))
            name = lookup.get(label.lower())
            if name and name not in found:
                found[name] = index
        missing = [c.name for c in columns if c.required and c.name not in found]
        if missing:
            raise ImportFileError(
                MISSING_COLUMNS,
                code="missing_columns",
                missing="、".join(missing),
                columns="、".join(c.name for c in columns),
            )
        return found, labels, rows
    raise ImportFileError(N_("文件是空的"), code="empty_file")


class Errors:
    """Row-and-column errors of one file: the first MAX_ERRORS kept, the rest counted."""

    def __init__(self):
        self.kept = []
        self.count = 0

    def add(self, row, column, template, **params):
        """Record a problem at ROW and COLUMN: TEMPLATE (a catalogue msgid) filled with PARAMS."""
        self.count += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(RowError(row, column, template, params))

    def not_a_choice(self, row, column, template, value, names):
        """VALUE in COLUMN is none of NAMES (a vocabulary's {key: name}): TEMPLATE fills in
        %(value)s and %(choices)s, the names listed."""
        self.add(row, column, template, value=value, choices="、".join(names.values()))

    def __bool__(self):
        return bool(self.count)


@dataclass
class Change:
    """One planned change: a new record, changed fields, a move/transfer or a record missing from the file."""

    row: int  # the file's row (0 for a record missing from the file)
    key: str  # 组织编码 or 党员编号
    name: str
    fields: dict = field(default_factory=dict)  # field label -> (before, after)
    note: str = ""
    subject_id: int = 0  # the existing record's id

    def to_dict(self):
        return {
            "row": self.row,
            "key": self.key,
            "name": self.name,
            "note": self.note,
            "id": self.subject_id,
            "fields": {k: [_plain(a), _plain(b)] for k, (a, b) in self.fields.items()},
        }


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


PREVIEW_LIMIT = 500  # changes listed per section of a preview (the counts are whole)


@dataclass
class ImportPlan:
    """What an import file would do (dry run, the preview) or did (applied); the same for every kind."""

    kind: str  # "tree" | "roster" | "points"
    filename: str
    file_sha256: str
    rows: int = 0
    errors: list = field(default_factory=list)  # RowError
    more_errors: int = 0
    created: list = field(default_factory=list)  # Change
    updated: list = field(default_factory=list)  # Change: fields changed (not the parent/branch)
    moved: list = field(default_factory=list)  # Change: a new parent (tree) or branch (roster: a transfer)
    missing: list = field(default_factory=list)  # Change: roster only, members of the file's branches not in it
    unchanged: int = 0
    dry_run: bool = True
    applied: bool = False

    @property
    def ok(self):
        return not self.errors

    @property
    def changes(self):
        return len(self.created) + len(self.updated) + len(self.moved)

    @classmethod
    def for_file(cls, kind, data, filename, dry_run, **extra):
        return cls(kind=kind, filename=filename or "", file_sha256=sha256(data), dry_run=dry_run, **extra)

    def outcome(self):
        """What an applied import did, as counts (kept on its batch)."""
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "moved": len(self.moved),
            "missing": len(self.missing),
            "unchanged": self.unchanged,
            "written": self.changes,
        }

    def audit_entry(self, actor, at, **counts):
        """The audit log row (AuditLog's fields) of this plan applied: the file's name and sha256,
        how many were created and updated, then COUNTS (the kind's own)."""
        after = {"sha256": self.file_sha256, "created": len(self.created), "updated": len(self.updated), **counts}
        target = (self.filename or self.kind)[:120]
        return dict(actor=actor, action=f"import.{self.kind}", target=target, before=None, after=after, at=at)

    def fail_with(self, errors):
        self.errors = errors.kept
        self.more_errors = errors.count - len(errors.kept)
        return self

    def error_lines(self, translate=None):
        """Each error as a line (row, column, message) in the language of TRANSLATE (None: Chinese)."""
        lines = [e.text(translate) for e in self.errors]
        if self.more_errors:
            lines.append(more_errors(self.more_errors).text(translate))
        return lines

    def summary(self, translate=None):
        """One line of counts, in the language of TRANSLATE (a gettext; None: Chinese)."""
        params = {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "moved": len(self.moved),
            "unchanged": self.unchanged,
            "missing": len(self.missing),
        }
        if self.kind == "roster":
            template = N_(
                "%(rows)s 行:新增 %(created)s,修改 %(updated)s,转接 %(moved)s,未变 %(unchanged)s;名册中缺少 %(missing)s 人(不会自动删除)"
            )
        else:
            template = N_("%(rows)s 行:新增 %(created)s,修改 %(updated)s,调动 %(moved)s,未变 %(unchanged)s")
        return fill(template, params, translate)

    SECTIONS = ("created", "updated", "moved", "missing")

    def preview(self, limit=PREVIEW_LIMIT, translate=None):
        """The preview every import shows alike: each section's count and its first LIMIT changes."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "ok": self.ok,
            "errors": [e.to_dict(translate) for e in self.errors],
            "more_errors": self.more_errors,
            "sections": {
                name: {"count": len(getattr(self, name)), "first": [c.to_dict() for c in getattr(self, name)[:limit]]}
                for name in self.SECTIONS
            },
            "unchanged": self.unchanged,
        }

    def to_dict(self, translate=None):
        return dict(
            self.preview(translate=translate),
            filename=self.filename,
            file_sha256=self.file_sha256,
            dry_run=self.dry_run,
            applied=self.applied,
        )
