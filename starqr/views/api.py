"""The API: /api/v1, token-authenticated, every answer JSON (errors as {error, message}).

Authentication is `Authorization: Bearer <token>` only (tokens from the console or
`starqr api-token create`); a session cookie is ignored here, which is why the blueprint
is exempt from CSRF. A token acts as its user: same role, same subtree scope as in the
console. Objects outside the scope answer 404, as if they did not exist.
"""
import datetime
import functools

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from starqr.models import (MEMBER, ORGANISATION, ImportBatch, LedgerEntry, Member, Organisation,
                           RatingPeriod)
from starqr import validation
from starqr.security import csrf
from starqr import tasks
from starqr.errors import StarQRError
from starqr.services import access, accounts, audit, imports, scheduler
from starqr.services.access import ADMIN, ALL_ROLES, ORG_ADMIN, WRITERS

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)

MAX_LIMIT = 500
MAX_ID = 2**31 - 1  # database integer columns; larger ids cannot exist


# ---------------------------------------------------------------- errors

class ApiError(Exception):
    def __init__(self, status, error, message, **extra):
        super().__init__(message)
        self.status, self.error, self.message, self.extra = status, error, message, extra


def error_response(status, error, message, **extra):
    """The one shape of every API error."""
    body = {"error": error, "message": message}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="starqr"'
    return response


@blueprint.errorhandler(ApiError)
def _api_error(error):
    return error_response(error.status, error.error, error.message, **error.extra)


@blueprint.errorhandler(HTTPException)
def _http_error(error):
    return error_response(error.code or 500, (error.name or "error").lower().replace(" ", "_"),
                          error.description or error.name)


@blueprint.errorhandler(Exception)
def _unexpected(error):
    current_app.logger.exception("API error")
    return error_response(500, "internal_error", "服务器内部错误")


@blueprint.url_value_preprocessor
def _check_ids(endpoint, values):
    for name, value in (values or {}).items():
        if isinstance(value, int) and value > MAX_ID:
            raise ApiError(404, "not_found", f"{name} {value} 不存在")


# ---------------------------------------------------------------- authentication and scope

def _token_user():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "需要 API 令牌:Authorization: Bearer <token>")
    user = accounts.user_for_api_token(token.strip())
    if user is None:
        raise ApiError(401, "unauthorized", "API 令牌无效或已撤销")
    return user


def token_required(*roles):
    """Authenticate by token; ROLES (if given) limits which roles may call."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.api_user = _token_user()
            g.actor = access.actor_for(g.api_user)
            if roles and g.actor.role not in roles:
                raise ApiError(403, "forbidden", "您的角色无权执行此操作")
            return view(*args, **kwargs)
        wrapper.allowed_roles = roles or ALL_ROLES
        return wrapper
    return decorator


def _organisation_or_404(organisation_id):
    try:
        return access.require_organisation(g.actor, organisation_id)
    except StarQRError:
        raise ApiError(404, "not_found", f"没有编号为 {organisation_id} 的组织")


def _member_or_404(member_id):
    try:
        return access.require_member(g.actor, member_id)
    except StarQRError:
        raise ApiError(404, "not_found", f"没有编号为 {member_id} 的党员")


def _subject_or_404(kind, subject_id):
    if kind == MEMBER:
        return _member_or_404(subject_id)
    if kind == ORGANISATION:
        return _organisation_or_404(subject_id)
    raise ApiError(400, "bad_request", "subject_kind 应为 member 或 organisation")


def _period_or_404(period_id):
    period = RatingPeriod.get_or_none(RatingPeriod.id == period_id)
    if period is None:
        raise ApiError(404, "not_found", f"没有编号为 {period_id} 的评定期")
    return period


# ---------------------------------------------------------------- arguments

def _int_arg(name, default=None, minimum=None, maximum=MAX_ID):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", f"参数 {name} 应为整数")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ApiError(400, "bad_request", f"参数 {name} 超出范围")
    return value


def _page(query):
    limit = _int_arg("limit", 100, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0)
    total = query.count()
    return query.limit(limit).offset(offset), {"total": total, "limit": limit, "offset": offset}


def _json_body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "请求体应为 JSON 对象")
    return data


# ---------------------------------------------------------------- representations

def _iso(value):
    return value.isoformat() if value is not None else None


def organisation_dict(o):
    return {"id": o.id, "parent_id": o.parent_id, "level": o.level, "domain": o.domain,
            "unit_kind": o.unit_kind, "name_zh": o.name_zh, "name_mn": o.name_mn,
            "secretary_name": o.secretary_name, "rubric_key": o.rubric_key}


def member_dict(m):
    # Private data (identity number, phone, address, birth date) lives elsewhere and never here.
    return {"id": m.id, "branch_id": m.branch_id, "name_zh": m.name_zh, "name_mn": m.name_mn,
            "category": m.category, "status": m.status, "party_post": m.party_post,
            "joined_on": _iso(m.joined_on), "active": m.active, "exempt": m.exempt}


def entry_dict(e):
    return {"id": e.id, "subject_kind": e.subject_kind, "subject_id": e.subject_id, "period_id": e.period_id,
            "item": e.item, "points": float(e.points), "quantity": e.quantity, "reason": e.reason,
            "recorded_by": e.recorded_by, "recorded_at": _iso(e.recorded_at), "occurred_on": e.occurred_on,
            "corrects_id": e.corrects_id}


def period_dict(p):
    return {"id": p.id, "name": p.name, "kind": p.kind, "year": p.year, "quarter": p.quarter,
            "starts_on": _iso(p.starts_on), "ends_on": _iso(p.ends_on), "state": p.state,
            "publish_at": _iso(p.publish_at), "publish_at_local": _iso(scheduler.to_local(p.publish_at)),
            "notice_days": p.notice_days, "notice_ends_at": _iso(p.notice_ends_at),
            "published_at": _iso(p.published_at), "finalised_at": _iso(p.finalised_at)}


def batch_dict(b):
    return {"id": b.id, "period_id": b.period_id, "filename": b.filename, "status": b.status,
            "rows_total": b.rows_total, "rows_done": b.rows_done, "rows_imported": b.rows_imported,
            "errors": b.errors, "created_at": _iso(b.created_at), "finished_at": _iso(b.finished_at)}


# ---------------------------------------------------------------- organisations and members

@blueprint.route("/organisations")
@token_required()
def organisations():
    query = access.organisations(g.actor)
    parent_id = _int_arg("parent_id", None, 0)
    if parent_id is not None:
        query = query.where(Organisation.parent == parent_id)
    level = request.args.get("level")
    if level:
        query = query.where(Organisation.level == level)
    search = (request.args.get("q") or "").strip()[:60]
    if search:
        query = query.where(Organisation.name_zh.contains(search) | Organisation.name_mn.contains(search))
    rows, page = _page(query.order_by(Organisation.path, Organisation.id))
    return jsonify({"items": [organisation_dict(o) for o in rows], **page})


@blueprint.route("/organisations/<int:organisation_id>")
@token_required()
def organisation(organisation_id):
    return jsonify(organisation_dict(_organisation_or_404(organisation_id)))


@blueprint.route("/members")
@token_required()
def members():
    query = access.members(g.actor)
    branch_id = _int_arg("branch_id", None, 0)
    if branch_id is not None:
        query = query.where(Member.branch == branch_id)
    search = (request.args.get("q") or "").strip()[:60]
    if search:
        query = query.where(Member.name_zh.contains(search) | Member.name_mn.contains(search))
    rows, page = _page(query.order_by(Member.id))
    return jsonify({"items": [member_dict(m) for m in rows], **page})


@blueprint.route("/members/<int:member_id>")
@token_required()
def member(member_id):
    return jsonify(member_dict(_member_or_404(member_id)))


# ---------------------------------------------------------------- ledger

@blueprint.route("/ledger")
@token_required()
def ledger_entries():
    kind = request.args.get("subject_kind")
    subject_id = _int_arg("subject_id", None, 0)
    query = LedgerEntry.select()
    if kind or subject_id is not None:
        if not kind or subject_id is None:
            raise ApiError(400, "bad_request", "subject_kind 与 subject_id 需同时给出")
        _subject_or_404(kind, subject_id)
        query = query.where(LedgerEntry.subject_kind == kind, LedgerEntry.subject_id == subject_id)
    else:
        in_scope = access.subject_filter(g.actor, LedgerEntry.subject_kind, LedgerEntry.subject_id)
        if in_scope is not None:
            query = query.where(in_scope)
    period_id = _int_arg("period_id", None, 0)
    if period_id is not None:
        query = query.where(LedgerEntry.period == period_id)
    rows, page = _page(query.order_by(LedgerEntry.id))
    return jsonify({"items": [entry_dict(e) for e in rows], **page})


@blueprint.route("/ledger", methods=["POST"])
@token_required(*WRITERS)
def create_ledger_entry():
    from starqr.services import members as member_service
    user = g.api_user
    data = _json_body()
    kind = data.get("subject_kind")
    subject_id, period_id = data.get("subject_id"), data.get("period_id")
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_ID for v in (subject_id, period_id)):
        raise ApiError(400, "bad_request", "subject_id 与 period_id 应为整数")
    subject = _subject_or_404(kind, subject_id)
    period = _period_or_404(period_id)
    item = data.get("item")
    if not isinstance(item, str) or not item:
        raise ApiError(400, "bad_request", "item 应为评分项目编号")
    value = data.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ApiError(400, "bad_request", "value 应为数字")
    reason = data.get("reason")
    if not isinstance(reason, str):
        raise ApiError(400, "bad_request", "reason 应为文字")
    try:  # one rule per field kind, the same as the console's and the importer's (starqr/validation)
        count = validation.count(data.get("count", 1))
        value = None if value is None else validation.ledger_value(value)
        occurred_on = validation.calendar_date(data.get("occurred_on"), "occurred_on", validation.N_("发生日期"))
        entries = member_service.record_points(user, subject, period, item, reason, count=count,
                                               value=value, occurred_on=occurred_on)
    except validation.ValidationError as error:
        raise ApiError(422, error.code, error.message(gettext), field=error.field)
    except member_service.MemberError as error:
        raise ApiError(422, "invalid", str(error))
    return jsonify({"items": [entry_dict(e) for e in entries]}), 201


# ---------------------------------------------------------------- imports

@blueprint.route("/imports", methods=["POST"])
@token_required(ADMIN, ORG_ADMIN)
def create_import():
    """Body: the CSV or XLSX file itself (or multipart field `file`)."""
    user = g.api_user
    period_id = _int_arg("period_id", None, 0)
    if period_id is None:
        raise ApiError(400, "bad_request", "需要参数 period_id")
    period = _period_or_404(period_id)
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    filename = (upload.filename if upload else request.args.get("filename")) or "import.csv"
    dry_run = (request.args.get("dry_run") or "").lower() in ("1", "true", "yes")
    background = (request.args.get("background") or "").lower() in ("1", "true", "yes")
    try:
        if background and not dry_run:
            batch = imports.create_batch(period, data, filename, user.username, current_app.instance_path)
            audit.record(user, "import.queued", batch, after={"file": filename, "period": period.id})
            tasks.enqueue_import(batch, g.actor)
            batch = ImportBatch.get_by_id(batch.id)
            response = jsonify(batch_dict(batch))
            response.status_code = 202
            response.headers["Location"] = url_for("api.import_batch", batch_id=batch.id)
            return response
        result = imports.run(period, data, filename, g.actor, dry_run=dry_run)
    except imports.ImportFileError as error:
        raise ApiError(422, "invalid_file", str(error))
    body = result.to_dict()
    if result.errors:
        return error_response(422, "invalid_rows", f"{len(result.errors) + result.more_errors} 处错误,未写入任何数据",
                              errors=body["errors"], more_errors=result.more_errors)
    if not dry_run:
        audit.record(user, "import", f"rating_period:{period.id}",
                     after={"file": filename, "sha256": result.file_sha256, "written": result.written})
    return jsonify(body), (200 if dry_run else 201)


@blueprint.route("/imports/<int:batch_id>")
@token_required(ADMIN, ORG_ADMIN)
def import_batch(batch_id):
    batch = ImportBatch.get_or_none(ImportBatch.id == batch_id)
    if batch is None or (g.api_user.role != ADMIN and batch.created_by != g.api_user.username):
        raise ApiError(404, "not_found", f"没有编号为 {batch_id} 的导入")
    return jsonify(batch_dict(batch))


# ---------------------------------------------------------------- periods

@blueprint.route("/periods")
@token_required()
def periods():
    rows, page = _page(RatingPeriod.select().order_by(RatingPeriod.year.desc(), RatingPeriod.id.desc()))
    return jsonify({"items": [period_dict(p) for p in rows], **page})


@blueprint.route("/periods/<int:period_id>")
@token_required()
def period(period_id):
    from flask_babel import gettext
    from starqr.services import period_rules, ratings
    found = _period_or_404(period_id)
    held = [{"subject_kind": h["kind"], "subject_id": h["id"], "name": h["name"], "code": h["code"],
             "reason": gettext(h["message"], **h["params"]) if h["params"] else gettext(h["message"])}
            for h in ratings.held_subjects(found)]
    open_objections = period_rules.open_objection_count(found)
    return jsonify({**period_dict(found), "held": held, "objections_open": open_objections,
                    "notice_held": bool(period_rules.notice_held(found))})


@blueprint.route("/periods/<int:period_id>/schedule", methods=["POST"])
@token_required(ADMIN)
def schedule_period(period_id):
    """publish_at: ISO date-time; without an offset it is Beijing time (Asia/Shanghai)."""
    from starqr.services import administration
    found = _period_or_404(period_id)
    data = _json_body()
    text = data.get("publish_at")
    if not isinstance(text, str):
        raise ApiError(400, "bad_request", "publish_at 应为 ISO 日期时间")
    try:
        when = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(400, "bad_request", "publish_at 应为 ISO 日期时间,如 2026-01-15T09:00")
    if when.tzinfo is not None:
        when = when.astimezone(scheduler.LOCAL_ZONE).replace(tzinfo=None)
    notice_days = data.get("notice_days")
    if notice_days is not None and (not isinstance(notice_days, int) or isinstance(notice_days, bool)
                                    or not 1 <= notice_days <= 60):
        raise ApiError(400, "bad_request", "notice_days 应为整数")
    try:
        administration.schedule_period(g.api_user, found, when, notice_days)
    except administration.AdminError as error:
        raise ApiError(422, "invalid", str(error))
    return jsonify(period_dict(RatingPeriod.get_by_id(period_id)))


# ---------------------------------------------------------------- the document, and the rest

@blueprint.route("/openapi.json")
def openapi():
    from starqr.views.api_spec import document
    return jsonify(document())


@blueprint.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(rest):
    """Unknown /api/v1 paths (and wrong methods) answer in JSON too."""
    adapter = current_app.url_map.bind("localhost")
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != "api.not_found" and method != request.method:
            return error_response(405, "method_not_allowed", f"{request.path} 不支持 {request.method}")
    return error_response(404, "not_found", f"没有 {request.path} 这个接口")
