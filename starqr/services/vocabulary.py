"""The words county files use for levels, domains and member categories, with synonyms."""

from starqr.errors import N_

# 层级 -> Organisation.level
LEVEL_WORDS = {
    "旗": "banner",
    "旗县": "banner",
    "县": "banner",
    "旗委": "banner",
    "苏木镇": "town",
    "苏木": "town",
    "镇": "town",
    "乡镇": "town",
    "乡": "town",
    "街道": "town",
    "嘎查村社区": "unit",
    "嘎查村": "unit",
    "嘎查": "unit",
    "村": "unit",
    "社区": "unit",
    "单位": "unit",
    "支部": "branch",
    "党支部": "branch",
}
LEVEL_NAMES = {"banner": "旗", "town": "苏木镇", "unit": "嘎查村社区", "branch": "支部"}
LEVEL_DEPTH = {"banner": 0, "town": 1, "unit": 2, "branch": 3}

# 领域 -> Organisation.domain
DOMAIN_WORDS = {
    "农村牧区": "rural",
    "农村": "rural",
    "牧区": "rural",
    "农牧区": "rural",
    "嘎查村": "rural",
    "社区": "community",
    "城市社区": "community",
    "机关": "organ",
    "党政机关": "organ",
    "机关事业单位": "organ",
    "事业单位": "organ",
    "国企": "state_enterprise",
    "国有企业": "state_enterprise",
    "非公企业": "private_enterprise",
    "非公有制企业": "private_enterprise",
    "民营企业": "private_enterprise",
    "社会组织": "social",
}
DOMAIN_NAMES = {  # catalogue msgids too: the console shows them translated (views/console/names.py)
    "rural": N_("农村牧区"),
    "community": N_("社区"),
    "organ": N_("机关"),
    "state_enterprise": N_("国企"),
    "private_enterprise": N_("非公企业"),
    "social": N_("社会组织"),
}
UNIT_KIND_BY_DOMAIN = {
    "rural": "village",
    "community": "community",
    "organ": "organ",
    "state_enterprise": "state_enterprise",
    "private_enterprise": "private_enterprise",
    "social": "social",
}

# 党员类别 -> Member.category
CATEGORY_WORDS = {
    "骨干": "backbone",
    "骨干党员": "backbone",
    "普通": "ordinary",
    "普通党员": "ordinary",
    "一般党员": "ordinary",
    "流动": "mobile",
    "流动党员": "mobile",
    "特殊": "special",
    "特殊党员": "special",
    "老弱病残党员": "special",
}
CATEGORY_NAMES = {"backbone": "骨干党员", "ordinary": "普通党员", "mobile": "流动党员", "special": "特殊党员"}


def lookup(words, text):
    """The value of TEXT in WORDS (spaces ignored), or None."""
    return words.get("".join(text.split()))
