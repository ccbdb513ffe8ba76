"""Subjects a rating run held back, and why, in words a secretary can act on.

A held subject gets no new draft or snapshot in that run and keeps its last published
rating; everyone else is rated and published as usual. The reasons are stored as a code
with parameters; the edge (console, API, CLI) turns them into a sentence with
:func:`describe`, passing its own gettext so the text is Chinese first and translated.
"""

from starqr.db import database
from starqr.models import MEMBER, Member, Organisation, RatingHold, utcnow


def _l(text):
    """Marks a message for extraction (babel.cfg: -k _l); translated where it is shown."""
    return text


REASONS = {
    "value_out_of_range": _l("“%(item)s”的值 %(value)s 超出了允许范围 %(low)s–%(high)s"),
    "unknown_item": _l("台账中有评分标准不认识的项目“%(item)s”"),
    "not_a_number": _l("“%(item)s”的值不是有效数字"),
    "rubric_missing": _l("评分标准“%(key)s”未入库或无法读取"),
    "engine_error": _l("评定时出错:%(message)s"),
}
GENERIC = _l("数据暂时无法评定")


def _number(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def detail_of(error, rubric=None):
    """(code, params) for an error raised while rating one subject (item ids named by RUBRIC)."""
    code = getattr(error, "code", None)
    params = dict(getattr(error, "params", {}) or {})
    for name in ("key", "subject"):  # the hold is stored per subject under its rubric already
        params.pop(name, None)
    if rubric is not None and params.get("item") in getattr(rubric, "_items_by_id", {}):
        params["item"] = rubric.item(params["item"]).name
    if code not in REASONS:
        return "engine_error", {"message": str(error)[:200]}
    return code, {
        name: (_number(value) if isinstance(value, (int, float)) else value) for name, value in params.items()
    }


def describe(hold, gettext=None):
    """One sentence for HOLD (a RatingHold or a (code, params) pair), translated by GETTEXT."""
    gettext = gettext or (lambda text: text)
    code, params = (hold.reason, hold.detail) if isinstance(hold, RatingHold) else hold
    template = REASONS.get(code, GENERIC)
    try:
        return gettext(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return gettext(GENERIC)


def replace(period, held, kinds=None):
    """Store HELD ({(kind, id): (code, params)}) as the period's holds, replacing the last run's.

    KINDS limits what is replaced (a run that rated only some subject kinds).
    """
    now = utcnow()
    with database.atomic():
        query = RatingHold.delete().where(RatingHold.period == period)
        if kinds:
            query = query.where(RatingHold.subject_kind.in_(list(kinds)))
        query.execute()
        rows = [
            {
                "period": period.id,
                "subject_kind": kind,
                "subject_id": subject_id,
                "reason": code,
                "detail": params,
                "created_at": now,
            }
            for (kind, subject_id), (code, params) in sorted(held.items())
        ]
        for start in range(0, len(rows), 500):
            RatingHold.insert_many(rows[start : start + 500]).execute()


def holds(period):
    """The period's held subjects, oldest subject first."""
    return list(
        RatingHold.select().where(RatingHold.period == period).order_by(RatingHold.subject_kind, RatingHold.subject_id)
    )


def listed(period, gettext=None, limit=500):
    """[{kind, id, name, reason, text}] for pages and JSON: who is held and why."""
    rows = holds(period)[:limit]
    names = {}
    for kind, model in ((MEMBER, Member), ("organisation", Organisation)):
        ids = [h.subject_id for h in rows if h.subject_kind == kind]
        if ids:
            names.update(
                {(kind, i): n for i, n in model.select(model.id, model.name_zh).where(model.id.in_(ids)).tuples()}
            )
    return [
        {
            "subject_kind": h.subject_kind,
            "subject_id": h.subject_id,
            "kind": h.subject_kind,
            "id": h.subject_id,
            "name": names.get((h.subject_kind, h.subject_id), ""),
            "code": h.reason,
            "message": REASONS.get(h.reason, GENERIC),
            "params": dict(h.detail or {}),
            "reason": describe(h, gettext),
            "text": describe(h, gettext),
        }
        for h in rows
    ]
