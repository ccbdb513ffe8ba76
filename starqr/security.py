"""Safe headers, CSRF protection and rate limits for the whole app."""

from flask import make_response, request
from flask_babel import gettext
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import BadRequest

from starqr.api_errors import error_response

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@limiter.request_filter
def _reads_are_never_limited():
    """StarQR limits only writes (log-in and objection POSTs, decorated with methods=["POST"]);
    a scan or any other read ends the extension's check here, through its public filter hook,
    instead of resolving the endpoint's limits on every request."""
    return request.method in ("GET", "HEAD", "OPTIONS")


class PublicPagesSkipSessions(SecureCookieSessionInterface):
    """Scan pages never use a session: don't load, sign or save one there.

    Saves ~0.1 ms a scan, and guarantees no cookie is ever set on a public page (a shared
    cache may then keep it). Writing to the session there raises, by design.
    """

    public_prefixes = ("/Q/", "/q/", "/static/")

    def open_session(self, app, request):
        if request.path.startswith(self.public_prefixes):
            return self.null_session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if isinstance(session, self.null_session_class):
            return None
        return super().save_session(app, session, response)


def init_app(app):
    app.session_interface = PublicPagesSkipSessions()
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)

    @app.before_request
    def _refuse_nul_characters():
        # PostgreSQL cannot store NUL in text; refuse it up front with a reason, on every route.
        # Raw bytes first: this runs on every scan, and parsing args costs more than a look.
        query = request.query_string
        suspicious = b"%00" in query or b"\x00" in query or "\x00" in request.path
        if not suspicious and request.method in ("POST", "PUT", "PATCH"):
            form = request.form
            suspicious = any("\x00" in key or "\x00" in value for key, value in form.items(multi=True))
        if suspicious:
            return _bad_request(gettext("请求中含有不允许的字符 (NUL)。"))
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
    if request.path.startswith("/api/"):
        return error_response(400, "bad_request", message)
    if not request.path.startswith("/console"):
        # public routes: the app's error handler answers with our page in the visitor's language (l10)
        raise BadRequest(message)
    response = make_response(message, 400)
    response.mimetype = "text/plain"
    return response
