"""Hostile requests get a clear answer, never a 500 and never a silently cut body.

- Bodies are read whole or refused: a body over its route's limit is 413 whether it came
  with a Content-Length or chunked. Werkzeug's stream for chunked bodies (the server sets
  `wsgi.input_terminated`) stops *at* MAX_CONTENT_LENGTH and returns what it read as if it
  were the whole body: a 67 MB import was cut to 64 MB and imported. `WholeBodies` reads a
  chunked body itself, to at most limit + 1 bytes, and hands Flask a complete body with its
  length, or marks the request too large.
- Ids: an `<int:...>` in a URL beyond what a database id can be (2^31 - 1) is 404 like any
  unknown id, instead of an overflow in the driver (500).
  `request.args.get(name, type=int)` gives the default for such numbers, as for "abc".
- NUL in a JSON body is refused with 400 (the form and query string are checked in security.py).
- A ValidationError that reaches the edge is 422 naming the field, in the user's language.
"""

import io
import tempfile

from flask import Request, abort, make_response, request
from flask_babel import gettext
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wsgi import ClosingIterator

from peewee import DataError

from starqr.api_errors import error_response
from starqr.db import database
from starqr.validation import MAX_ID, ValidationError
from starqr.validation import errors as validation_errors

SPOOL_IN_MEMORY = 1024 * 1024
_READ_SIZE = 64 * 1024

# Smaller limits than MAX_CONTENT_LENGTH (imports and photos) where a large body is never needed.
ROUTE_LIMITS = (
    ("/Q/", 64 * 1024),  # public objection forms
    ("/q/", 64 * 1024),
    ("/api/v1/imports", None),  # None: the app's MAX_CONTENT_LENGTH
    ("/api/", 1024 * 1024),  # JSON bodies
    ("/console/login", 64 * 1024),
)


def body_limit(path, default):
    for prefix, limit in ROUTE_LIMITS:
        if path.startswith(prefix):
            return limit or default
    return default


class WholeBodies:
    """WSGI middleware: a chunked body is read whole (≤ its limit) or the request is marked too large."""

    def __init__(self, wsgi_app, default_limit):
        self.wsgi_app, self.default_limit = wsgi_app, default_limit

    def __call__(self, environ, start_response):
        limit = body_limit(environ.get("PATH_INFO", ""), self.default_limit)
        length = environ.get("CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length and not chunked:
            try:
                declared = int(length)
            except ValueError:
                declared = 0
            if limit is not None and declared > limit:
                self._refuse(environ, limit)
        elif chunked or environ.get("wsgi.input_terminated"):
            body = self._read_whole(environ, limit)
            if body is not None:
                return ClosingIterator(self.wsgi_app(environ, start_response), body.close)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _refuse(environ, limit):
        environ["starqr.body_too_large"] = limit
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = "0"
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)

    def _read_whole(self, environ, limit):
        source = environ["wsgi.input"]
        body = tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY)
        size = 0
        try:
            while True:
                chunk = source.read(_READ_SIZE)
                if not chunk:
                    break
                size += len(chunk)
                if limit is not None and size > limit:
                    body.close()
                    self._refuse(environ, limit)
                    return None
                body.write(chunk)
        except (OSError, ValueError) as error:  # the client broke off, or sent broken chunks
            body.close()
            environ["starqr.body_broken"] = str(error) or type(error).__name__
            self._refuse(environ, limit)
            environ.pop("starqr.body_too_large", None)
            return None
        body.seek(0)
        environ["wsgi.input"] = environ["starqr.body_file"] = body
        environ["CONTENT_LENGTH"] = str(size)
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return body


class BoundedArgs(ImmutableMultiDict):
    """`get(name, type=int)` treats numbers beyond any id or page as not given (its default)."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and abs(value) > MAX_ID:
            return default
        return value


class GuardedRequest(Request):
    parameter_storage_class = BoundedArgs


def _megabytes(limit):
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _answer(status, code, message, **extra):
    if request.path.startswith("/api/"):
        return error_response(status, code, message, **extra)
    response = make_response(message, status)
    response.mimetype = "text/plain"
    return response


def init_app(app):
    app.request_class = GuardedRequest
    validation_errors.use_translator(gettext)
    app.wsgi_app = WholeBodies(app.wsgi_app, app.config.get("MAX_CONTENT_LENGTH"))

    @app.before_request
    def _refuse_broken_or_large_bodies():
        environ = request.environ
        if "starqr.body_broken" in environ:
            abort(400, description=gettext("请求体不完整(传输中断),未作任何处理,请重新提交。"))
        limit = environ.get("starqr.body_too_large")
        if limit is not None:
            abort(413, description=gettext("请求体过大(上限 %(limit)s),未作任何处理。", limit=_megabytes(limit)))
        if request.is_json and request.content_length:
            body = request.get_data(cache=True)
            if b"\x00" in body or b"\\u0000" in body:
                return _answer(400, "bad_request", gettext("请求中含有不允许的字符 (NUL)。"))
        return None

    @app.after_request
    def _downloads_not_stored(response):
        # Console and API answers, and every download (code lists, plaque sheets), carry private
        # data: no-store, not send_file's no-cache (which lets an office PC keep a copy).
        attachment = "attachment" in response.headers.get("Content-Disposition", "")
        if attachment or request.path.startswith(("/console", "/api/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def _close_read_body(exc):
        body = request.environ.get("starqr.body_file")
        if body is not None:
            body.close()

    @app.url_value_preprocessor
    def _bounded_ids(endpoint, values):
        # After matching, so each blueprint answers the 404 its own way (the API in JSON).
        for value in (values or {}).values():
            if value.__class__ is int and not 0 <= value <= MAX_ID:
                abort(404)

    @app.errorhandler(ValidationError)
    def _invalid(error):
        body = error.to_dict(gettext)
        return _answer(error.status, error.code, body["message"], params=body["params"], field=error.field)

    @app.errorhandler(DataError)
    def _out_of_range(error):  # the database refused a value (too long, out of range): say so, no 500
        database.rollback() if database.in_transaction() else None
        return _answer(400, "bad_request", gettext("输入的值超出允许范围。"))

    @app.errorhandler(OverflowError)
    def _overflow(error):  # a number no database column can hold: nothing by that number exists
        return _answer(404, "not_found", gettext("未找到"))
