"""The points file's columns (Chinese, as in the templates) and the headers accepted for each."""

from starqr.services.imports.tabular import Column, read_table

# Canonical column names (Chinese, as in the templates) and the headers accepted for each.
CODE, NAME, ITEM, POINTS, QUANTITY, DATE, REASON = "编码", "姓名", "项目", "分值", "次数", "日期", "事由"
COLUMNS = (CODE, NAME, ITEM, POINTS, QUANTITY, DATE, REASON)
REQUIRED_COLUMNS = (CODE, NAME, ITEM)
HEADER_ALIASES = {
    CODE: ("编码", "牌匾编码", "二维码编码", "code"),
    NAME: ("姓名", "名称", "姓名/名称", "name"),
    ITEM: ("项目", "积分项目", "评分项目", "item"),
    POINTS: ("分值", "分数", "得分", "points", "value"),
    QUANTITY: ("次数", "数量", "quantity", "count"),
    DATE: ("日期", "发生日期", "date"),
    REASON: ("事由", "原因", "说明", "reason"),
}
# The same columns as the tree and roster imports declare theirs (tabular.Column), read the same way.
POINTS_COLUMNS = tuple(Column(name, HEADER_ALIASES[name][1:], name in REQUIRED_COLUMNS) for name in COLUMNS)


def read_rows(data, filename=""):
    """({column: index}, iterator of (row number, cells)) of a points file; the header is checked."""
    found, _labels, rows = read_table(data, filename, POINTS_COLUMNS)
    return found, rows
