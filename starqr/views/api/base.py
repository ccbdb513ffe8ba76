"""The API's plumbing: the blueprint, its one error shape, token authentication, the spectree instance.

Authentication is `Authorization: Bearer <token>` only (tokens from the console or
`starqr api-token create`); a session cookie is ignored here, which is why the blueprint is
exempt from CSRF. A token acts as its user: an access.Actor with the same role and subtree
scope as in the console, in `g.actor`. Things outside the scope answer 404, as if they did
not exist. Every error is JSON: {"error": code, "message": sentence, ...}; service errors
(StarQRError) are translated here, at the edge, into the caller's language.
"""

import functools
import logging

from flask import Blueprint, g, request
from flask_babel import gettext
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from werkzeug.exceptions import HTTPException

from starqr.api_errors import error_response
from starqr.errors import N_, StarQRError
from starqr.log_events import log_event
from starqr.security import csrf
from starqr.services import access, accounts
from starqr.services import paging as paging_service
from starqr.services.access import ALL_ROLES
from starqr.views.api.schemas import MAX_ID, Error

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("starqr.api")
csrf.exempt(blueprint)


class ApiError(StarQRError):
    """An error the API itself answers (authentication, unknown paths, malformed requests): a
    catalogue TEMPLATE and its PARAMS like every StarQRError, translated when answered."""

    def __init__(self, status, error, template, field=None, **params):
        super().__init__(template, code=error, status=status, **params)
        self.field = field


@blueprint.errorhandler(StarQRError)
def _service_error(error):
    """A refusal (the API's own ApiError or a service's): its code, its catalogue message
    translated now into the caller's language, its parameters, the field if any."""
    status = error.status if 400 <= error.status < 500 else 422
    _refused(error, status)
    body = error.to_dict(gettext)
    return error_response(status, body["error"], body["message"], body["params"], getattr(error, "field", None))


def _log_request(event, level=logging.INFO, exc_info=False, **fields):
    """One log line about this request: EVENT, the method and path, then FIELDS."""
    log_event(log, event, level, exc_info, method=request.method, path=request.path, **fields)


def _refused(error, status):
    """One line per refused API request: which code, for which path (the message is in the params)."""
    _log_request("request.refused", status=status, code=error.code)


# werkzeug's own descriptions are English: an HTTP error StarQR did not word itself reads from here.
HTTP_MESSAGES = {
    400: N_("请求有误"),
    401: N_("需要 API 令牌:Authorization: Bearer <token>"),
    403: N_("您无权执行此操作"),
    404: N_("未找到"),
    405: N_("不支持此请求方法"),
    413: N_("请求体过大,未作任何处理。"),
    415: N_("不支持此请求体格式"),
}


@blueprint.errorhandler(HTTPException)
def _http_error(error):
    status = error.code or 500
    if status >= 500:
        return _unexpected(error)
    code = (error.name or "error").lower().replace(" ", "_")
    if "description" in vars(error):  # StarQR's own abort(..., description=gettext(...)): already translated
        return error_response(status, code, error.description)
    return _service_error(ApiError(status, code, HTTP_MESSAGES.get(status, N_("请求无法处理"))))


@blueprint.errorhandler(Exception)
def _unexpected(error):
    _log_request("request.failed", logging.ERROR, exc_info=True, error=type(error).__name__)
    return error_response(500, "internal_error", gettext("服务器内部错误"))


@blueprint.url_value_preprocessor
def _check_ids(endpoint, values):
    for name, value in (values or {}).items():
        if isinstance(value, int) and value > MAX_ID:
            raise ApiError(404, "not_found", N_("%(name)s %(value)s 不存在"), name=name, value=value)


# ---------------------------------------------------------------- request validation (spectree)


# pydantic's error types the API words from the catalogue (the same sentences as starqr/validation);
# another type keeps pydantic's own (English) words after the field's name.
SCHEMA_MESSAGES = {
    "missing": N_("请填写「%(label)s」"),
    "int_parsing": N_("「%(label)s」应为整数"),
    "int_type": N_("「%(label)s」应为整数"),
    "int_from_float": N_("「%(label)s」应为整数"),
    "float_parsing": N_("「%(label)s」应为数字"),
    "float_type": N_("「%(label)s」应为数字"),
    "string_type": N_("「%(label)s」应为文字"),
    "string_too_long": N_("「%(label)s」最多 %(max_length)s 个字"),
    "greater_than_equal": N_("「%(label)s」超出允许范围"),
    "less_than_equal": N_("「%(label)s」超出允许范围"),
    "bool_parsing": N_("「%(label)s」应为 true 或 false"),
    "bool_type": N_("「%(label)s」应为 true 或 false"),
    "literal_error": N_("「%(label)s」应为 %(expected)s 之一"),
}


def _refuse_invalid(req, resp, error, instance, *args):
    """spectree's hook: a request that fails its schema answers 400 in our error shape."""
    if error is None:
        return
    problems = error.errors()
    first = problems[0] if problems else {}
    where = first.get("loc") or ()
    field = ".".join(str(part) for part in where) or None
    if not field:
        raise ApiError(400, "bad_request", N_("请求体应为 JSON 对象"))
    template = SCHEMA_MESSAGES.get(first.get("type"))
    if template is None:
        raise ApiError(
            400, "bad_request", N_("%(name)s: %(problem)s"), field=field, name=field, problem=first.get("msg", "")
        )
    context = {k: str(v).replace(" or ", ", ") for k, v in (first.get("ctx") or {}).items()}
    params = {k: v for k, v in context.items() if f"%({k})s" in template}
    raise ApiError(400, "bad_request", template, field=field, label=field, **params)


spec = SpecTree(
    "flask",
    mode="strict",
    annotations=False,
    validation_error_status=400,
    before=_refuse_invalid,
    title="StarQR API",
    version="1",
    path="apidoc",
    description="组织、党员、积分台账、批量导入与评定期。认证:Authorization: Bearer <token>。"
    "令牌的权限与其用户相同(角色与管理范围)。错误一律为 {error, message, params},message 为调用方语言(Accept-Language 或 ?lang=,默认中文),指明字段时另有 field。",
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer"))],
    security={"bearer": []},
    naming_strategy=lambda model: model.__name__,  # one schemas module: plain names are unique
    nested_naming_strategy=lambda parent, child: child,
)


def answers(*errors, **bodies):
    """A route's documented answers: its success BODIES (HTTP_200=Model, ...) and, for each
    status in ERRORS, the API's one error shape."""
    return Response(**bodies, **{f"HTTP_{status}": Error for status in errors})


def document():
    """The OpenAPI document, generated from the routes' schemas (needs an app context)."""
    return spec.spec


# ---------------------------------------------------------------- authentication


def _token_user():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", N_("需要 API 令牌:Authorization: Bearer <token>"))
    user = accounts.user_for_api_token(token.strip())
    if user is None:
        raise ApiError(401, "unauthorized", N_("API 令牌无效或已撤销"))
    return user


def token_required(*roles):
    """Authenticate by token (g.actor); ROLES (if given) limits which roles may call."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            g.actor = access.actor_for(_token_user())
            if roles and g.actor.role not in roles:
                raise ApiError(403, "forbidden", N_("您的角色无权执行此操作"))
            return view(*args, **kwargs)

        wrapper.allowed_roles = roles or ALL_ROLES
        return wrapper

    return decorator


def listing(page_model, query, paging, item=None):
    """PAGE_MODEL (items, total, limit, offset) for the Paging parameters: that window of QUERY's
    rows, each made into an item by ITEM when given."""
    rows, total = paging_service.window(query, paging.limit, paging.offset)
    items = [item(row) for row in rows] if item else rows
    return page_model(items=items, total=total, limit=paging.limit, offset=paging.offset)
