"""The API: /api/v1, token-authenticated, every answer JSON, the document generated from its schemas.

- base: the blueprint, errors, token authentication, the spectree instance
- schemas: pydantic models that validate requests, serialise responses and make the document
- directory (organisations, members), ledger, imports, periods: the routes, each a few lines
  around one service call
"""

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from starqr.views.api import directory, imports, ledger, periods  # noqa: F401 (they add the routes)
from starqr.views.api.base import blueprint, document, error_response

__all__ = ["blueprint", "document"]


@blueprint.route("/openapi.json")
def openapi():
    """The OpenAPI document, generated from the routes' schemas (public, like any API reference)."""
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
