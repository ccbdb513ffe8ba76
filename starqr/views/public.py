"""Public scan pages: /Q/<CODE> as HTML and JSON, the objection form, the friendly errors.

Thin: starqr.services.profiles builds the data, templates/public/ render it. Rendered
pages are cached per (code, language, revision, day); every write that changes public
data bumps the revision, so the next request renders afresh in every worker.
"""
import datetime
import gzip
import hashlib
import json
import os
import threading
from collections import OrderedDict
from zoneinfo import ZoneInfo

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _

from starqr.db import database
from starqr.models import Member
from starqr.security import csrf, limiter
from starqr.i18n import select_locale
from starqr.services import objections, profiles, scans
from starqr.services.plaques import normalise

blueprint = Blueprint("public", __name__)

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
CACHE_SIZE = 4000
CACHE_CONTROL = "public, no-cache"  # keep a copy, revalidate each time (answered by 304)
VARY = "Accept-Language, Accept-Encoding"


# ---------------------------------------------------------------- rendered page cache

class PageCache:
    """Rendered bodies by key; emptied when the revision moves on."""

    def __init__(self, size=CACHE_SIZE):
        self.size = size
        self.revision = None
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, current_revision):
        with self.lock:
            if self.revision != current_revision:
                self.pages.clear()
                self.revision = current_revision
                return None
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, current_revision, page):
        with self.lock:
            if self.revision != current_revision:
                self.pages.clear()
                self.revision = current_revision
            self.pages[key] = page
            if len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()
            self.revision = None


cache = PageCache()


class Page:
    __slots__ = ("body", "gzipped", "etag", "mimetype", "plaque_id", "title")

    def __init__(self, body, mimetype, plaque_id, current_revision):
        self.body = body
        self.gzipped = gzip.compress(body, 6, mtime=0)
        digest = hashlib.blake2b(body, digest_size=8).hexdigest()
        self.etag = f"r{current_revision}-{digest}"
        self.mimetype = mimetype
        self.plaque_id = plaque_id


def _respond(page, status=200):
    """The cached page, gzip if the client takes it, 304 if its copy is current."""
    if page.etag in request.if_none_match:
        response = Response(status=304)
    else:
        wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(page.gzipped if wants_gzip else page.body, status=status, mimetype=page.mimetype)
        if wants_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(page.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = VARY
    return response


# ---------------------------------------------------------------- template helpers

def _parse(value):
    if not value:
        return None
    if isinstance(value, str):
        if value.endswith("Z"):
            return datetime.datetime.fromisoformat(value[:-1]).replace(tzinfo=datetime.timezone.utc)
        return datetime.date.fromisoformat(value)
    return value


@blueprint.app_template_filter("local_time")
def local_time(value):
    """An ISO UTC timestamp as Beijing time, e.g. 2026-11-28 10:00."""
    moment = _parse(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


@blueprint.app_template_filter("local_date")
def local_date(value):
    moment = _parse(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(LOCAL_ZONE).date()
    return moment.isoformat()


def _revision():
    """revision.current() without building the query each time: this runs on every scan."""
    row = database.execute_sql(REVISION_SQL).fetchone()
    return row[0] if row else 0


REVISION_SQL = 'SELECT "value" FROM "revision" WHERE "id" = 1'


def _lang():
    # The selector's answer as a string: what Babel will use, without building a Locale on
    # every scan (only a cache miss renders, and rendering asks Babel itself).
    return select_locale()


# ---------------------------------------------------------------- routes

@blueprint.route("/Q/")
@blueprint.route("/q/")
def enter_code():
    """A typed code (from the form on the not-found page) goes to its profile."""
    code = normalise(request.args.get("code", "")).replace(" ", "").replace("-", "")
    if code:
        return redirect(url_for("public.scan", code=code, lang=request.args.get("lang") or None))
    return _not_found()


@blueprint.route("/Q/<code>")
@blueprint.route("/q/<code>", endpoint="scan_lower")
def scan(code):
    as_json = code.lower().endswith(".json")
    if as_json:
        code = code[:-5]
    code = normalise(code)
    lang = _lang()
    today = datetime.date.today()
    current_revision = _revision()
    key = (code, "json" if as_json else lang, today)
    page = cache.get(key, current_revision)
    if page is None:
        found = profiles.lookup(code)
        if found.status == "unknown":
            return _not_found(as_json, code)
        if found.status == "revoked":
            return _revoked(found, as_json)
        profile = profiles.profile_for(found.plaque, today)
        if profile is None:
            return _not_found(as_json, code)
        if as_json:
            body = json.dumps(profile, ensure_ascii=False, separators=(",", ":")).encode()
            page = Page(body, "application/json", found.plaque.id, current_revision)
        else:
            body = render_template("public/profile.html", p=profile, lang=lang,
                                   needs_mongolian=_needs_mongolian(profile, lang)).encode()
            page = Page(body, "text/html", found.plaque.id, current_revision)
        cache.put(key, current_revision, page)
    if scans.countable(request) and not as_json:
        scans.record(page.plaque_id)
    return _respond(page)


def _needs_mongolian(profile, lang):
    if lang == "mn":
        return True
    return bool(profile.get("name_mn") or any(o.get("name_mn") for o in profile.get("organisations", [])))


def _not_found(as_json=False, code=""):
    if as_json:
        return _json_error(404, "unknown_code", _("没有找到这个二维码。"))
    response = Response(render_template("public/not_found.html", code=code, lang=_lang()), status=404)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _revoked(found, as_json):
    replacement = found.replacement.code if found.replacement else None
    if as_json:
        return _json_error(410, "revoked", _("这块牌子已停用。"), replaced_by=replacement)
    response = Response(render_template("public/revoked.html", code=found.plaque.code, replacement=replacement,
                                        lang=_lang()), status=410)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _json_error(status, error, message, **extra):
    body = json.dumps(dict(error=error, message=message, **extra), ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def _code_key():
    return "objection-code:" + normalise((request.view_args or {}).get("code", ""))


@blueprint.route("/Q/<code>/objection", methods=["POST"])
@blueprint.route("/q/<code>/objection", methods=["POST"], endpoint="objection_lower")
@csrf.exempt  # an anonymous form with no session: rate limits and the honeypot guard it
@limiter.limit("5 per hour;20 per day", methods=["POST"])
@limiter.limit("60 per hour", key_func=_code_key, methods=["POST"])
def objection(code):
    found = profiles.lookup(code)
    if found.status != "active":
        return _not_found(False, normalise(code))
    lang = _lang()
    # The honeypot: hidden from people, filled in by robots. Answer as if accepted, store nothing.
    if request.form.get("website"):
        return render_template("public/objection_done.html", code=found.plaque.code, lang=lang,
                               reference=objections.new_reference())
    try:
        stored = objections.create(found.plaque, request.form.get("text"), request.form.get("contact"))
    except objections.ObjectionError as error:
        messages = {
            "not_in_notice": _("现在不在公示期，暂不受理异议。"),
            "too_short": _("请写清楚异议内容（至少5个字）。"),
            "too_long": _("异议内容请控制在500字以内。"),
            "contact_too_long": _("联系方式太长。"),
        }
        response = Response(render_template("public/objection_done.html", code=found.plaque.code, lang=lang,
                                            error=messages[error.code]), status=400)
        return response
    return render_template("public/objection_done.html", code=found.plaque.code, lang=lang,
                           reference=stored.reference)


@blueprint.route("/Q/<code>/photo")
def photo(code):
    """A member's photo, only when the member consented."""
    found = profiles.lookup(code)
    if found.status != "active" or found.plaque.subject_kind != "member":
        abort(404)
    member = Member.get_or_none(Member.id == found.plaque.subject_id)
    if member is None or not member.active or not member.consent_photo or not member.photo_path:
        abort(404)
    folder = current_app.config["UPLOAD_FOLDER"]
    path = os.path.normpath(member.photo_path)
    if path.startswith("..") or os.path.isabs(path):
        abort(404)
    # no-cache: a withdrawn consent must take effect at once, not after a cache hour.
    response = send_from_directory(folder, path, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
