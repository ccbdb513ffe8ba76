"""The audit log in words: who, when, what, and each changed field before → after.

No Flask: texts are catalogue msgids (errors.N_), translated by the page or the CSV export.
"""

import datetime
import json

from peewee import Value

from starqr import phrases
from starqr.errors import N_
from starqr.models import AuditLog, LedgerEntry, Member, Organisation, RatingPeriod, RubricVersion, User
from starqr.services import rubrics, scheduler

ACTIONS = {
    "account.login": N_("登录"),
    "account.locked": N_("账号被锁定"),
    "account.password_changed": N_("修改密码"),
    "api_token.created": N_("生成API令牌"),
    "api_token.revoked": N_("撤销API令牌"),
    "branch.edit": N_("修改支部信息"),
    "member.add": N_("添加党员"),
    "member.edit": N_("修改党员信息"),
    "member.retire": N_("移出名册"),
    "member.transfer": N_("组织关系转接"),
    "post.add": N_("设岗定责"),
    "post.edit": N_("修改岗位"),
    "commitment.add": N_("添加承诺"),
    "commitment.edit": N_("修改承诺"),
    "commitment.evidence": N_("上传承诺佐证"),
    "commitment.outcome": N_("登记践诺结果"),
    "commitment.progress": N_("记录承诺进展"),
    "ledger.record": N_("记录积分"),
    "ledger.correct": N_("冲销更正积分"),
    "ledger.photo": N_("上传积分佐证照片"),
    "import": N_("批量导入"),
    "import.queued": N_("提交批量导入"),
    "objection.accepted": N_("采纳异议"),
    "objection.rejected": N_("驳回异议"),
    "period.created": N_("新建评定期"),
    "period.draft_computed": N_("计算草稿评定结果"),
    "period.scheduled": N_("安排发布"),
    "period.unscheduled": N_("取消发布安排"),
    "plaque.reissued": N_("补发牌匾"),
    "plaque.revoked": N_("作废牌匾"),
    "rubric.uploaded": N_("上传评分标准"),
    "contest.created": N_("创建比武争星"),
    "contest.judge_added": N_("添加评委"),
    "contest.scored": N_("评委打分"),
    "contest.closed": N_("比武争星结束并公布排名"),
    "contest.award": N_("比武争星加分记入台账"),
}

FIELDS = {
    "name_zh": N_("姓名/名称"),
    "name_mn": N_("蒙古文名称"),
    "category": N_("党员类别"),
    "status": N_("状态"),
    "party_post": N_("党内职务"),
    "gender": N_("性别"),
    "ethnicity": N_("民族"),
    "occupation": N_("职业"),
    "joined_on": N_("入党时间"),
    "honours": N_("荣誉"),
    "volunteer_service": N_("志愿服务"),
    "volunteer_hours": N_("志愿服务时长"),
    "exempt": N_("免于评星"),
    "private": N_("不公开信息"),
    "secretary_name": N_("支部书记"),
    "venue_area_m2": N_("活动场所面积"),
    "venue_address": N_("活动场所地址"),
    "office_phone": N_("办公电话"),
    "feature_projects": N_("特色品牌项目"),
    "item": N_("积分项目"),
    "points": N_("分值"),
    "count": N_("次数"),
    "reason": N_("事由/原因"),
    "period": N_("评定期"),
    "entries": N_("台账记录"),
    "photo": N_("照片"),
    "public": N_("公开"),
    "file": N_("文件"),
    "sha256": N_("文件指纹"),
    "rows": N_("行数"),
    "state": N_("状态"),
    "notice_days": N_("公示天数"),
    "publish_at": N_("发布时间"),
    "name": N_("名称"),
    "year": N_("年份"),
    "text": N_("内容"),
    "deadline": N_("时限"),
    "evaluation": N_("评价"),
    "reason_not_kept": N_("未践诺原因"),
    "title": N_("岗位名称"),
    "duties": N_("岗位职责"),
    "active": N_("在岗/在册"),
    "branch": N_("支部"),
    "left_on": N_("离开日期"),
    "resolution": N_("处理理由"),
    "code": N_("编码"),
    "new_code": N_("新编码"),
    "version": N_("版本"),
    "key": N_("标准"),
    "judge": N_("评委"),
    "organisation": N_("组织"),
    "scores": N_("各项得分"),
    "total": N_("总分"),
    "rank": N_("名次"),
    "contest": N_("比武争星"),
    "role": N_("角色"),
    "username": N_("用户名"),
    "evidence": N_("佐证"),
    "date": N_("日期"),
}

EMPTY = N_("（空）")
KINDS = {
    "member": N_("党员"),
    "organisation": N_("组织"),
    "ledger_entry": N_("积分记录"),
    "user": N_("用户"),
    "rating_period": N_("评定期"),
    "plaque_code": N_("牌匾"),
    "objection": N_("异议"),
    "commitment": N_("承诺"),
    "post": N_("岗位"),
    "import_batch": N_("导入批次"),
    "contest": N_("比武争星"),
}


def _rubric(key):
    try:
        return rubrics.current_rubric(key)[1]
    except (ValueError, KeyError, LookupError):  # a broken or missing rubric must not hide the log
        return None


def _item_names():
    names = {}
    for key in {row.key for row in RubricVersion.select(RubricVersion.key).distinct()}:
        rubric = _rubric(key)
        for item in rubric.items if rubric else ():
            names.setdefault(item.id, item.name)
    return names


YES, NO = phrases.Phrase("yes", N_("是")), phrases.Phrase("no", N_("否"))


def _value(field, value, item_names, periods=None):
    if value is None or value == "":
        return None
    if field == "item" and isinstance(value, str):
        return f"{item_names.get(value, value)}（{value}）" if value in item_names else value
    if field == "period" and isinstance(value, int) and periods and value in periods:
        return periods[value]
    if field == "entries" and isinstance(value, list):
        return "、".join(f"#{v}" for v in value)
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return phrases.read(value) if isinstance(value, str) else str(value)  # a sentence StarQR stored, translated


def _targets(rows):
    """{"member:42": "王芳（某某党支部）", "organisation:7": "某某党支部"}, batched."""
    member_ids, org_ids, user_ids, entry_ids = set(), set(), set(), set()
    for row in rows:
        kind, _sep, ident = (row.target or "").partition(":")
        if ident.isdigit():
            {"member": member_ids, "organisation": org_ids, "user": user_ids, "ledger_entry": entry_ids}.get(
                kind, set()
            ).add(int(ident))
    entries = {}
    if entry_ids:
        for entry_id, kind, subject_id in (
            LedgerEntry.select(LedgerEntry.id, LedgerEntry.subject_kind, LedgerEntry.subject_id)
            .where(LedgerEntry.id.in_(list(entry_ids)))
            .tuples()
        ):
            entries[entry_id] = f"{kind}:{subject_id}"
            {"member": member_ids, "organisation": org_ids}.get(kind, set()).add(subject_id)
    names = {}
    if member_ids:
        members = list(Member.select(Member.id, Member.name_zh, Member.branch).where(Member.id.in_(list(member_ids))))
        org_ids |= {m.branch_id for m in members}
    orgs = (
        {
            o.id: o.name_zh
            for o in Organisation.select(Organisation.id, Organisation.name_zh).where(
                Organisation.id.in_(list(org_ids))
            )
        }
        if org_ids
        else {}
    )
    for org_id, name in orgs.items():
        names[f"organisation:{org_id}"] = name
    if member_ids:
        for m in members:
            names[f"member:{m.id}"] = f"{m.name_zh}（{orgs.get(m.branch_id, '')}）"
    if user_ids:
        for u in User.select(User.id, User.username).where(User.id.in_(list(user_ids))):
            names[f"user:{u.id}"] = u.username
    for entry_id, subject in entries.items():
        names[f"ledger_entry:{entry_id}"] = f"#{entry_id} {names.get(subject, subject)}"
    return names


def describe(rows):
    """[{"row", "who", "when" (Beijing), "action", "action_code", "kind", "target", "changes": [(field, before, after)]}].

    "action", "kind" and field names are msgids for the caller's gettext; values are as stored.
    """
    item_names = _item_names()
    targets = _targets(rows)
    periods = {p.id: p.name for p in RatingPeriod.select(RatingPeriod.id, RatingPeriod.name)}
    described = []
    for row in rows:
        before = row.before if isinstance(row.before, dict) else ({"": row.before} if row.before is not None else {})
        after = row.after if isinstance(row.after, dict) else ({"": row.after} if row.after is not None else {})
        changes = []
        for field in sorted(set(before) | set(after), key=lambda f: (f not in FIELDS, f)):
            old = _value(field, before.get(field), item_names, periods)
            new = _value(field, after.get(field), item_names, periods)
            if old == new:
                continue
            changes.append((FIELDS.get(field, field), old, new))
        kind, _sep, _ident = (row.target or "").partition(":")
        described.append(
            {
                "row": row,
                "who": row.actor,
                "when": scheduler.to_local(row.at),
                "action": ACTIONS.get(row.action, row.action),
                "action_code": row.action,
                "kind": KINDS.get(kind, kind),
                "target": targets.get(row.target, row.target),
                "changes": changes,
            }
        )
    return described


def _organisation_targets(organisation):
    """A subquery of audit targets inside ORGANISATION's subtree (its organisations and members)."""
    orgs = Organisation.select(Organisation.id).where(Organisation.path.startswith(organisation.path))
    org_targets = Organisation.select(Value("organisation:").concat(Organisation.id.cast("text"))).where(
        Organisation.path.startswith(organisation.path)
    )
    member_targets = Member.select(Value("member:").concat(Member.id.cast("text"))).where(Member.branch.in_(orgs))
    return org_targets, member_targets


def query(actor=None, action=None, organisation=None, date_from=None, date_to=None):
    """Audit rows matching the filters (dates are Beijing calendar days), newest first."""
    rows = AuditLog.select()
    if actor:
        rows = rows.where(AuditLog.actor == actor)
    if action:
        rows = rows.where(AuditLog.action.startswith(action))
    if organisation is not None:
        org_targets, member_targets = _organisation_targets(organisation)
        rows = rows.where(AuditLog.target.in_(org_targets) | AuditLog.target.in_(member_targets))
    offset = datetime.timedelta(hours=8)  # Beijing has no daylight saving time
    if date_from:
        rows = rows.where(AuditLog.at >= datetime.datetime.combine(date_from, datetime.time()) - offset)
    if date_to:
        rows = rows.where(
            AuditLog.at < datetime.datetime.combine(date_to, datetime.time()) + datetime.timedelta(days=1) - offset
        )
    return rows.order_by(AuditLog.id.desc())


def people():
    return [name for (name,) in AuditLog.select(AuditLog.actor).distinct().order_by(AuditLog.actor).tuples()]


def action_codes():
    return sorted(set(ACTIONS) | {a for (a,) in AuditLog.select(AuditLog.action).distinct().tuples()})
