"""Display names for stored codes (states, levels, kinds...), offered to every console template."""

from flask_babel import lazy_gettext as _l

from starqr.services import scheduler, vocabulary

STATUS_NAMES = {
    "not_started": _l("未开始"),
    "in_progress": _l("进行中"),
    "done": _l("已践诺"),
    "not_done": _l("未践诺"),
}
CATEGORY_NAMES = {"backbone": _l("骨干"), "ordinary": _l("普通"), "mobile": _l("流动"), "special": _l("特殊")}
ITEM_KIND_NAMES = {
    "event": _l("计次"),
    "bonus": _l("加分"),
    "value": _l("分值"),
    "veto": _l("否决"),
    "gate": _l("基本条件"),
}
STATE_NAMES = {"draft": _l("草稿"), "scheduled": _l("已安排发布"), "notice": _l("公示中"), "final": _l("已定级")}
LEVEL_NAMES = {"banner": _l("旗"), "town": _l("苏木镇"), "unit": _l("嘎查村/单位"), "branch": _l("党支部")}
# The importer's domain words (services/vocabulary.py), translated when shown.
DOMAIN_NAMES = {code: _l(word) for code, word in vocabulary.DOMAIN_NAMES.items()}

FLAG_NAMES = {
    "commitment_overdue": _l("承诺已过期未完成"),
    "no_entry_this_quarter": _l("本季度无积分记录"),
    "not_in_roster": _l("不在名册"),
}


def template_names():
    return {
        "status_names": STATUS_NAMES,
        "category_names": CATEGORY_NAMES,
        "state_names": STATE_NAMES,
        "level_names": LEVEL_NAMES,
        "domain_names": DOMAIN_NAMES,
        "kind_names": ITEM_KIND_NAMES,
        "to_local": scheduler.to_local,
    }
