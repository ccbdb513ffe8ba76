"""The tree file's columns (Chinese, as in the template) and a parsed row."""

from dataclasses import dataclass

from starqr.services import vocabulary as words
from starqr.services.imports.tabular import Column, field_labels

CODE, NAME, NAME_MN, PARENT, LEVEL, DOMAIN, AREA, SECRETARY = (
    "组织编码",
    "组织名称",
    "蒙古文名称",
    "上级组织编码",
    "层级",
    "领域",
    "活动场所面积",
    "书记",
)
COLUMNS = (
    Column(
        CODE,
        ("编码", "组织代码"),
        True,
        "本组织的编码(县里自定,全旗唯一),是导入的依据:再次导入时按编码更新",
        (),
        "150824101",
    ),
    Column(NAME, ("名称", "组织全称"), True, "组织的中文全称", (), "海流图镇党委", "name_zh"),
    Column(NAME_MN, ("蒙文名称", "蒙古文"), False, "传统蒙古文名称(可空)", (), "", "name_mn"),
    Column(PARENT, ("上级编码", "上级组织"), False, "上级组织的组织编码;旗一级留空", (), "150824"),
    Column(
        LEVEL,
        ("级别",),
        True,
        "旗、苏木镇、嘎查村社区或支部(也可写旗县、乡镇、村、社区)",
        ("旗", "苏木镇", "嘎查村社区", "支部"),
        "苏木镇",
        "level",
    ),
    Column(DOMAIN, ("所属领域",), True, "决定默认评星标准", tuple(words.DOMAIN_NAMES.values()), "农村牧区", "domain"),
    Column(
        AREA,
        ("场所面积", "活动场所面积(平方米)"),
        False,
        "党群服务中心(活动场所)面积,平方米,可空",
        (),
        320,
        "venue_area_m2",
    ),
    Column(SECRETARY, ("书记姓名", "支部书记"), False, "书记姓名,会在扫码页公开", (), "杨勇", "secretary_name"),
)
FIELD_LABELS = field_labels(COLUMNS)
MAX_CODE = 40


@dataclass
class TreeRow:
    row: int
    code: str
    name_zh: str
    name_mn: str
    parent_code: str
    level: str
    domain: str
    venue_area_m2: object
    secretary_name: str
