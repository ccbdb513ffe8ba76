"""The points file's columns (Chinese, as in the templates) and the headers accepted for each."""

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
_HEADER_LOOKUP = {alias.lower(): column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
