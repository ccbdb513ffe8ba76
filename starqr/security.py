"""Safe headers, CSRF protection and rate limits for the whole app."""
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def init_app(app):
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    @app.before_request
    def _refuse_nul_characters():
        # PostgreSQL cannot store NUL in text; refuse it up front with a reason, on every route.
        for values in (request.args, request.form):
            if any("\x00" in value for value in values.values()) or any("\x00" in key for key in values):
                return _bad_request("请求中含有不允许的字符 (NUL)。")
        if "\x00" in request.path:
            return _bad_request("请求中含有不允许的字符 (NUL)。")
        return None

    @app.after_request
    def _safe_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.path.startswith(("/console", "/api")):
            # Console pages carry private data: keep them out of shared office PCs' caches.
            headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _bad_request(message):
    from flask import jsonify
    if request.path.startswith("/api/"):
        response = jsonify({"error": "bad_request", "message": message})
    else:
        from flask import make_response
        response = make_response(message, 400)
        response.mimetype = "text/plain"
    response.status_code = 400
    return response
