"""Downloadable templates for the points import (CSV and XLSX)."""

import csv
import io

from starqr.services import rubrics
from starqr.services.imports.columns import COLUMNS
from starqr.services.imports.writing import workbook_bytes


TEMPLATE_NOTE = (
    "每行一条记录。编码:牌匾或胸牌上的编码;姓名:用于核对;项目:下表中的项目编号或名称;"
    "分值:事件类项目可空(按每次分值×次数),取值类项目填写数值(将替换当前值);"
    "次数:默认1;日期:评定期内,如 2025-06-30;事由:公开显示的原因。"
)


def template_rows(rubric_key):
    """(rubric, example rows, item rows) for a rubric's import template."""
    version, rubric = rubrics.current_rubric(rubric_key)
    examples = []
    for item in rubric.items:
        if item.kind in ("event", "bonus"):
            examples.append(["ABCD234567", "张三", item.name, "", 1, "2025-06-30", item.name])
        elif item.kind == "value":
            examples.append(["ABCD234567", "张三", item.name, f"{item.max:g}", 1, "2025-12-20", item.name])
        if len(examples) == 2:
            break
    kinds = {"event": "事件(加减分)", "bonus": "加分", "value": "取值", "veto": "否决(1/0)", "gate": "基本条件(1/0)"}
    items = [
        [
            item.id,
            item.name,
            kinds.get(item.kind, item.kind),
            "" if item.points is None else f"{item.points:g}",
            "" if item.cap is None else f"{item.cap:g}",
            f"{item.min:g}–{item.max:g}",
        ]
        for item in rubric.items
    ]
    return rubric, examples, items


ITEM_HEADERS = ["项目编号", "项目名称", "类型", "每次分值", "上限", "每条范围"]


def template_csv(rubric_key):
    """UTF-8 CSV with BOM (Excel and WPS open it as Chinese) holding the header and examples."""
    _, examples, _ = template_rows(rubric_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(examples)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(rubric_key):
    """An XLSX template: sheet 导入 (header and examples), sheet 项目 (the rubric's items)."""
    # openpyxl loads only when a workbook is written (a heavy import the web app rarely needs)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rubric, examples, items = template_rows(rubric_key)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in examples:
        sheet.append(row)
    for column, width in zip("ABCDEFG", (14, 10, 26, 8, 6, 12, 30)):
        sheet.column_dimensions[column].width = width
    add_item_sheet(workbook, rubric, items, note=TEMPLATE_NOTE)
    return workbook_bytes(workbook)


def add_item_sheet(workbook, rubric, items, note=None):
    """Sheet 项目 of an import template: the rubric's name and version, NOTE, then its ITEMS
    (template_rows' item rows) under ITEM_HEADERS."""
    item_sheet = workbook.create_sheet("项目")
    item_sheet.append([f"{rubric.name}(v{rubric.version})"])
    if note is not None:
        item_sheet.append([note])
    item_sheet.append(ITEM_HEADERS)
    for row in items:
        item_sheet.append(row)
