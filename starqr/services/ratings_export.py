"""The ratings record (评星台账) of a period as a workbook (or two CSV files).

One row per rated subject: organisation path, subject, rubric and version, total, stars,
榜, designations, veto, status and publish date. One sheet for organisations, one for
members; Chinese headers, numbers as numbers, dates as dates, a frozen header row and
column widths that fit.
"""

import csv
import io
import os

from starqr.models import MEMBER, ORGANISATION, Member, Organisation, Rating, RubricVersion
from starqr.plaque.export import spreadsheet_safe
from starqr.services.vocabulary import CATEGORY_NAMES, LEVEL_NAMES

RESULT_HEADERS = ["评星标准", "标准版本", "总分", "星级", "榜单", "称号", "一票否决", "状态", "公布日期"]
ORGANISATION_HEADERS = ["组织路径", "组织编码", "组织名称", "层级", *RESULT_HEADERS]
MEMBER_HEADERS = ["组织路径", "党员编号", "姓名", "党员类别", *RESULT_HEADERS]
STATUS_NAMES = {"draft": "草稿", "scheduled": "草稿(已排期)", "notice": "公示中", "final": "已确定"}


def _latest(period, kind, organisation_ids):
    """{subject id: Rating}: the newest published rating of each subject, else its draft."""
    query = (
        Rating.select(Rating, RubricVersion)
        .join(RubricVersion)
        .where(Rating.period == period, Rating.subject_kind == kind)
        .order_by(Rating.id)
    )
    chosen = {}
    for row in query:
        current = chosen.get(row.subject_id)
        if current is None or row.published or not current.published:
            chosen[row.subject_id] = row
    return chosen


def _path_names(organisations):
    by_id = {o.id: o for o in organisations}

    def names(org):
        ids = [int(p) for p in org.path.strip("/").split("/") if p]
        return " / ".join(by_id[i].name_zh for i in ids if i in by_id)

    return names


def rows(period, under=None):
    """(organisation rows, member rows) of PERIOD (UNDER: an organisation whose subtree only)."""
    organisations = list(Organisation.select())
    path_of = _path_names(organisations)
    in_scope = {o.id: o for o in organisations if under is None or o.path.startswith(under.path)}
    status = STATUS_NAMES.get(period.state, period.state)

    def common(rating):
        published = rating.published_at.date() if rating.published_at else None
        return [
            rating.rubric.name,
            rating.rubric.version,
            float(rating.total),
            None if rating.exempt else rating.stars,
            rating.listing or "",
            "、".join(rating.designations or []),
            "是" if rating.vetoed else "",
            status if rating.published else "草稿",
            published,
        ]

    organisation_rows = []
    for subject_id, rating in sorted(
        _latest(period, ORGANISATION, in_scope).items(),
        key=lambda item: in_scope[item[0]].path if item[0] in in_scope else "",
    ):
        org = in_scope.get(subject_id)
        if org is None:
            continue
        organisation_rows.append(
            [path_of(org), org.code or "", org.name_zh, LEVEL_NAMES.get(org.level, org.level)] + common(rating)
        )
    member_rows = []
    latest = _latest(period, MEMBER, None)
    ids = list(latest)
    members = {}
    for start in range(0, len(ids), 900):
        for member in Member.select().where(Member.id.in_(ids[start : start + 900])):
            members[member.id] = member
    for subject_id, rating in sorted(
        latest.items(),
        key=lambda item: (
            in_scope[members[item[0]].branch_id].path
            if item[0] in members and members[item[0]].branch_id in in_scope
            else "",
            item[0],
        ),
    ):
        member = members.get(subject_id)
        if member is None or member.branch_id not in in_scope:
            continue
        member_rows.append(
            [
                path_of(in_scope[member.branch_id]),
                member.member_number or "",
                member.name_zh,
                CATEGORY_NAMES.get(member.category, member.category),
            ]
            + common(rating)
        )
    return organisation_rows, member_rows


def xlsx(period, under=None):
    # openpyxl loads only when a workbook is written (a heavy import the web app rarely needs)
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    organisation_rows, member_rows = rows(period, under)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, data in (
        ("党组织", ORGANISATION_HEADERS, organisation_rows),
        ("党员", MEMBER_HEADERS, member_rows),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in data:
            sheet.append([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers):
            values = [header] + [row[index] for row in data[:2000]]
            width = max(_width(v) for v in values)
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(60, width + 2)
        date_column = get_column_letter(len(headers))
        for cell in sheet[date_column][1:]:
            cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), len(organisation_rows), len(member_rows)


def _width(value):
    if value is None:
        return 4
    if hasattr(value, "isoformat"):
        return 10
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def csv_files(period, under=None):
    """(organisations CSV bytes, members CSV bytes), UTF-8 with BOM so Excel and WPS read Chinese."""
    organisation_rows, member_rows = rows(period, under)
    files = []
    for headers, data in ((ORGANISATION_HEADERS, organisation_rows), (MEMBER_HEADERS, member_rows)):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        for row in data:
            writer.writerow(
                [
                    ""
                    if v is None
                    else (
                        v.isoformat() if hasattr(v, "isoformat") else spreadsheet_safe(v) if isinstance(v, str) else v
                    )
                    for v in row
                ]
            )
        files.append(("\ufeff" + out.getvalue()).encode("utf-8"))
    return files[0], files[1], len(organisation_rows), len(member_rows)


def write(period, fmt, output, under=None):
    """Write the export to OUTPUT (CSV: OUTPUT's name with -组织 and -党员). Returns counts and files."""
    if fmt == "xlsx":
        data, organisations, members = xlsx(period, under)
        with open(output, "wb") as handle:
            handle.write(data)
        return {"organisations": organisations, "members": members, "files": [output]}
    organisation_data, member_data, organisations, members = csv_files(period, under)
    stem, extension = os.path.splitext(output)
    files = [f"{stem}-组织{extension or '.csv'}", f"{stem}-党员{extension or '.csv'}"]
    for path, data in zip(files, (organisation_data, member_data)):
        with open(path, "wb") as handle:
            handle.write(data)
    return {"organisations": organisations, "members": members, "files": files}
