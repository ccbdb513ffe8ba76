"""Import templates as workbooks: the header row, one example row, choice lists for the
enumerated columns, and a second sheet explaining each column in Chinese.

`starqr template tree|roster|points` and the console's download buttons write these.
"""

from starqr.services.imports import columns as points_columns
from starqr.services.imports import roster, tree
from starqr.services.imports.tabular import Column
from starqr.services.imports.templates import add_item_sheet, template_rows
from starqr.services.imports.writing import workbook_bytes

KINDS = ("tree", "roster", "points")
TITLES = {"tree": "组织树导入模板", "roster": "党员花名册导入模板", "points": "积分导入模板"}
INTRO = {
    "tree": "每行一个党组织。组织编码是导入的依据:同一文件再次导入不会重复创建;上级组织编码改变即为调整隶属关系。"
    "系统不会因为文件中缺少某个组织而删除它。",
    "roster": "每行一名党员。党员编号是导入的依据;所在支部编码改变即为组织关系转接(胸牌编码不变)。"
    "文件中缺少的党员只会被标记为“名册中缺少”,由管理员逐一确认。请勿填写身份证号码、手机号码:"
    "含有这类数据的文件会被整体拒绝。",
    "points": "每行一条积分记录。编码是牌匾或胸牌上的编码,姓名用于核对。整个文件全部正确才会写入;"
    "同一文件重复导入不会重复记分。",
}


def _points_columns(rubric_key):
    rubric, examples, items = template_rows(rubric_key)
    example = examples[0] if examples else ["ABCD234567", "张三", rubric.items[0].name, "", 1, "2025-06-30", ""]
    explain = {
        points_columns.CODE: "牌匾或胸牌上的10位编码",
        points_columns.NAME: "党员姓名或组织名称,用于核对编码",
        points_columns.ITEM: f"评分标准「{rubric.name}」中的项目名称或编号(见“项目”表)",
        points_columns.POINTS: "事件类项目可空(按每次分值×次数);取值类项目填写数值,替换当前值",
        points_columns.QUANTITY: "次数,默认 1",
        points_columns.DATE: "发生日期,须在评定期内,如 2025-06-30",
        points_columns.REASON: "事由,会在扫码页公开",
    }
    names = tuple(item.name for item in rubric.items)
    cols = tuple(
        Column(
            name,
            (),
            name in points_columns.REQUIRED_COLUMNS,
            explain[name],
            names if name == points_columns.ITEM else (),
            value,
        )
        for name, value in zip(points_columns.COLUMNS, example)
    )
    return cols, (rubric, items)


def template(kind, rubric_key="member_points"):
    """XLSX bytes of the KIND template ("tree", "roster" or "points")."""
    if kind not in KINDS:
        raise LookupError(f"unknown template {kind!r}; one of {', '.join(KINDS)}")
    extra = None
    if kind == "tree":
        cols = tree.COLUMNS
    elif kind == "roster":
        cols = roster.COLUMNS
    else:
        cols, extra = _points_columns(rubric_key)
    return _workbook(kind, cols, extra)


def _workbook(kind, cols, extra):
    # openpyxl loads only when a workbook is written (a heavy import the web app rarely needs)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入"
    sheet.append([c.name for c in cols])
    sheet.append([c.example for c in cols])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    sheet.freeze_panes = "A2"
    choices = workbook.create_sheet("选项")
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, 2 * len(column.name) + 4, len(str(column.example)) + 4)
        if column.choices:
            list_column = get_column_letter(choices.max_column + 1 if choices.max_row > 1 else 1)
            choices[f"{list_column}1"] = column.name
            for row, value in enumerate(column.choices, start=2):
                choices[f"{list_column}{row}"] = value
            validation = DataValidation(
                type="list",
                allow_blank=not column.required,
                showErrorMessage=True,
                formula1=f"'选项'!${list_column}$2:${list_column}${len(column.choices) + 1}",
                errorTitle="请从列表中选择",
                error=f"{column.name}:请从下拉列表中选择",
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}100000")
    choices.sheet_state = "hidden"
    notes = workbook.create_sheet("说明")
    notes.append([TITLES[kind]])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([INTRO[kind]])
    notes.append([])
    notes.append(["列名", "是否必填", "说明", "可选值"])
    for cell in notes[4]:
        cell.font = bold
    for column in cols:
        notes.append(
            [column.name, "必填" if column.required else "可空", column.explanation, "、".join(column.choices)]
        )
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 50
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if extra is not None:
        add_item_sheet(workbook, *extra)
    return workbook_bytes(workbook)
