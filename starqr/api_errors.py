"""The one shape of every API error, for every part of the app that answers /api/ requests:
the API views, and the request guards and CSRF/security hooks that answer before them."""

from flask import jsonify


def error_response(status, error, message, params=None, field=None, **extra):
    """The one shape of every API error: {error, message, params}, the field when one is named,
    then EXTRA (an import's row errors)."""
    body = {"error": error, "message": message, "params": params or {}}
    body.update({key: value for key, value in dict(extra, field=field).items() if value is not None})
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="starqr"'
    if status == 405 and body["params"].get("allowed"):
        response.headers["Allow"] = body["params"]["allowed"]
    return response
