"""The API: /api/v1, token-authenticated, every answer JSON, the document generated from its schemas.

- base: the blueprint, errors, token authentication, the spectree instance
- schemas: pydantic models that validate requests, serialise responses and make the document
- directory (organisations, members), ledger, imports, periods: the routes, each a few lines
  around one service call
"""

from flask import current_app, jsonify, request

from werkzeug.exceptions import HTTPException

from starqr.errors import N_
from starqr.views.api import directory, imports, ledger, periods  # noqa: F401 (they add the routes)
from starqr.views.api.base import ApiError, blueprint, document

__all__ = ["blueprint", "document"]


@blueprint.route("/openapi.json")
def openapi():
    """The OpenAPI document, generated from the routes' schemas (public, like any API reference)."""
    return jsonify(document())


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@blueprint.route("/", defaults={"rest": ""}, methods=METHODS)
@blueprint.route("/<path:rest>", methods=METHODS)
def not_found(rest):
    """Unknown /api/v1 paths (and wrong methods, with the methods the path takes) answer in JSON too."""
    urls = current_app.url_map.bind("localhost")
    allowed = [method for method in METHODS if _endpoint(urls, request.path, method) not in ("api.not_found", None)]
    if allowed:
        raise ApiError(
            405,
            "method_not_allowed",
            N_("%(path)s 不支持 %(method)s(可用:%(allowed)s)"),
            path=request.path,
            method=request.method,
            allowed=", ".join(allowed),
        )
    raise ApiError(404, "not_found", N_("没有 %(path)s 这个接口"), path=request.path)


def _endpoint(urls, path, method):
    try:
        return urls.match(path, method=method)[0]
    except HTTPException:  # a redirect (a missing slash): not a route of its own
        return None
