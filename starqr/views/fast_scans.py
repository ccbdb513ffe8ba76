"""The scan of a stored page without Flask: one indexed query, headers, the stored bytes.

`GET /Q/<CODE>` (and `.json`, `/q/...`, `?lang=`) is the one request that comes by the
million. When the page store holds a current page this WSGI layer answers it directly —
the same bytes, ETag, 304, gzip, Cache-Control/Vary, security headers, scan count and
metrics as the Flask view — from this host's exported file when there is one (no query at
all: services/page_export.py), else from the store — and hands everything else (a miss, a revoked or unknown code,
any other path or method, odd query strings) to the app unchanged. Measured: a stored page
this way costs less than a Flask hello-world (docs/PERFORMANCE.md).
"""

import gzip
import re
import time

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from starqr import monitoring
from starqr.db import database
from starqr.security import CONTENT_SECURITY_POLICY
from starqr.services import page_export, pages, scans
from starqr.services.plaques import normalise

PATH = re.compile(r"^/[Qq]/([0-9A-Za-z]{1,16})(\.json)?$")
QUERY = re.compile(r"^(?:lang=(zh|mn|en))?$")


class FastScans:
    def __init__(self, wsgi_app, app, keep_open, cache_control, vary):
        self.wsgi_app = wsgi_app
        self.languages = list(app.config["LANGUAGES"])
        self.default = app.config["BABEL_DEFAULT_LOCALE"]
        self.keep_open = keep_open
        self.extra = self._static_headers(app, cache_control, vary)

    @staticmethod
    def _static_headers(app, cache_control, vary):
        # The view's own values, handed in by views/public.py (no import back: no cycle).
        headers = [("Cache-Control", cache_control), ("Vary", vary)]
        headers += [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ]
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.append(("Strict-Transport-Security", "max-age=31536000"))
        return headers

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        path = PATH.match(environ.get("PATH_INFO", ""))
        query = QUERY.match(environ.get("QUERY_STRING", ""))
        if path is None or query is None:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        as_json = path.group(2) is not None
        lang = "json" if as_json else (query.group(1) or self._accepted(environ))
        code = normalise(path.group(1))
        countable = not as_json and method == "GET" and scans.countable_environ(environ)
        exported = page_export.local_page(code, lang)
        if exported is not None:  # this host's exported file: no database query at all
            return self._answer_file(environ, start_response, method, as_json, exported, code, countable, started)
        try:
            database.connect(reuse_if_open=True)
            page = pages.fetch(code, lang)
            if page is not None and countable:
                scans.record(page.plaque_id)
        except Exception:
            page = None  # let the app answer (and report) it
        finally:
            if not self.keep_open and not database.is_closed():
                database.close()
        if page is None:
            environ["starqr.store_missed"] = (code, lang)
            return self.wsgi_app(environ, start_response)
        return self._answer(environ, start_response, method, as_json, f'"{page.etag}"', page.gz, started)

    def _answer_file(self, environ, start_response, method, as_json, exported, code, countable, started):
        if countable:
            try:
                scans.record_code(code)
            except Exception:
                pass  # statistics never break a page
            finally:
                if not self.keep_open and not database.is_closed():
                    database.close()
        gz, etag = exported
        return self._answer(environ, start_response, method, as_json, etag, gz, started)

    def _answer(self, environ, start_response, method, as_json, etag, gz, started):
        """A stored page's gzip bytes GZ as the Flask view answers them: ETag, 304, gzip or plain, metrics."""
        headers = [("ETag", etag)] + self.extra
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            status, body = "304 NOT MODIFIED", b""
        else:
            status = "200 OK"
            if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
                body = gz
                headers.append(("Content-Encoding", "gzip"))
            else:
                body = gzip.decompress(gz)
            headers.append(("Content-Type", "application/json" if as_json else "text/html; charset=utf-8"))
            headers.append(("Content-Length", str(len(body))))
        monitoring.count_cache(True)
        monitoring.REQUESTS.labels("public.scan", method, status[:3]).inc()
        monitoring.REQUEST_SECONDS.labels("public.scan").observe(time.perf_counter() - started)
        start_response(status, headers)
        return [body] if method == "GET" else [b""]

    def _accepted(self, environ):
        header = environ.get("HTTP_ACCEPT_LANGUAGE")
        if not header:
            return self.default
        return parse_accept_header(header, LanguageAccept).best_match(self.languages) or self.default
