"""Public scan pages: /Q/<CODE> as HTML and JSON, the objection form, the friendly errors.

Thin: starqr.services.profiles builds the data, templates/public/ render it, and
starqr.services.pages keeps the rendered page per (code, language): a scan is one indexed
query and no template. Every write that changes a page bumps its subject's version
(services/revision.py) in the writing transaction, so no worker on any host serves the old
page once the write has committed; a stale page is rendered afresh on its next scan.
"""

import datetime
import json
import os
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _

from starqr import monitoring
from starqr.db import is_sqlite
from starqr.i18n import select_locale
from starqr.security import csrf, limiter
from starqr.services import members, objections, onward, organisations, page_export, pages, profiles, scans
from starqr.services.plaques import normalise
from starqr.views.fast_scans import FastScans

blueprint = Blueprint("public", __name__)


@blueprint.record_once
def _configure(state):
    scans.configure(state.app.config.get("SCAN_COUNTS_URL"), state.app.config["DATABASE_URL"])
    page_export.configure(state.app.config.get("PAGE_EXPORT_DIR"))
    # Stored pages answered before Flask (views/fast_scans.py); everything else goes on to the app.

    state.app.wsgi_app = FastScans(
        state.app.wsgi_app,
        state.app,
        keep_open=is_sqlite(state.app.config["DATABASE_URL"]),
        cache_control=CACHE_CONTROL,
        vary=VARY,
    )


LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
CACHE_CONTROL = "public, no-cache"  # keep a copy, revalidate each time (answered by 304)
VARY = "Accept-Language, Accept-Encoding"


# ---------------------------------------------------------------- stored pages


def _respond(page, status=200):
    """The stored page, gzip if the client takes it, 304 if its copy is current."""
    if page.etag in request.if_none_match:
        response = Response(status=304)
    else:
        wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(page.gz if wants_gzip else page.body, status=status, mimetype=page.mimetype)
        if wants_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(page.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Vary"] = VARY
    return response


def render_page(code, lang, today=None):
    """Render CODE's page in LANG from the database and keep it in the page store.

    Returns (page, None), or (None, status) for "unknown" / "revoked" / "gone" (never stored).
    The versions are read before the data, so a write committing meanwhile leaves the stored
    page stale rather than wrong.
    """
    today = today or datetime.date.today()
    resolved = pages.resolve(code)
    if resolved is None:
        return None, "unknown"
    plaque, stamp = resolved
    if plaque.status != "active":
        return None, "revoked"
    profile = profiles.profile_for(plaque, today)
    if profile is None:
        return None, "gone"
    if lang == "json":
        body = json.dumps(profile, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        body = render_template(
            "public/profile.html", p=profile, lang=lang, needs_mongolian=needs_mongolian(profile, lang)
        ).encode()
    page = pages.make(body, lang, plaque.id, plaque.subject_kind, plaque.subject_id)
    pages.store(code, lang, page, len(body), stamp, today)
    return page, None


# ---------------------------------------------------------------- template helpers


def _local(value):
    """VALUE (an ISO date, an ISO UTC timestamp ending in Z, a date or a datetime) as a Beijing
    datetime, a date, or None when empty."""
    if not value:
        return None
    if isinstance(value, str):
        if not value.endswith("Z"):
            return datetime.date.fromisoformat(value)
        value = datetime.datetime.fromisoformat(value[:-1]).replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.datetime):
        return value.astimezone(LOCAL_ZONE)
    return value


@blueprint.app_template_filter("local_time")
def local_time(value):
    """An ISO UTC timestamp as Beijing time, e.g. 2026-11-28 10:00 (a date stays a date)."""
    moment = _local(value)
    if isinstance(moment, datetime.datetime):
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat() if moment else ""


@blueprint.app_template_filter("local_date")
def local_date(value):
    """The Beijing date of an ISO UTC timestamp (or of a date)."""
    moment = _local(value)
    if isinstance(moment, datetime.datetime):
        moment = moment.date()
    return moment.isoformat() if moment else ""


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
    lang = "json" if as_json else _lang()
    # views/fast_scans.py looked for this very page a moment ago: don't ask twice
    page = None if request.environ.get("starqr.store_missed") == (code, lang) else pages.fetch(code, lang)
    monitoring.count_cache(page is not None)
    if page is None:
        if not code or len(code) > 16:
            return _not_found(as_json, code)
        page, status = render_page(code, lang)
        if page is None:
            if status == "revoked":
                return _revoked(profiles.lookup(code), as_json)
            return _not_found(as_json, code)
    if not as_json and scans.countable(request):
        scans.record(page.plaque_id)
    return _respond(page)


def needs_mongolian(profile, lang):
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
    archived = organisations.archived_notice(found.plaque)  # dissolved, or merged into another (l08)
    if as_json:
        return _json_error(
            410,
            "revoked",
            _("这块牌子已停用。"),
            replaced_by=replacement,
            **({"organisation_archived": archived} if archived else {}),
        )
    response = Response(
        render_template(
            "public/revoked.html",
            code=found.plaque.code,
            replacement=replacement,
            onward=None if replacement else onward.onward(found.plaque),
            archived=archived,
            lang=_lang(),
        ),
        status=410,
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


def _json_error(status, error, message, **extra):
    body = json.dumps(dict(error=error, message=message, **extra), ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def _address_limit_breached(request_limit):
    """Flask-Limiter's on_breach: our page, with the typed text kept and the time to try again."""
    retry_at = datetime.datetime.fromtimestamp(request_limit.reset_at, datetime.timezone.utc)
    return _objection_limited(normalise((request.view_args or {}).get("code", "")), retry_at)


def _objection_limited(code, retry_at):
    response = Response(
        render_template(
            "public/limited.html",
            code=code,
            lang=_lang(),
            retry_at=retry_at,
            text=request.form.get("text", ""),
            contact=request.form.get("contact", ""),
        ),
        status=429,
    )
    if retry_at is not None:
        seconds = max(1, int((retry_at - datetime.datetime.now(datetime.timezone.utc)).total_seconds()))
        response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/Q/<code>/objection", methods=["POST"])
@blueprint.route("/q/<code>/objection", methods=["POST"], endpoint="objection_lower")
@csrf.exempt  # an anonymous form with no session: the per-code limit and the honeypot guard it
# Per address only a generous flood guard (a village may share one address); the real
# limit counts per plaque code in objections.check_limit.
@limiter.limit("30 per hour;100 per day", methods=["POST"], on_breach=_address_limit_breached)
def objection(code):
    found = profiles.lookup(code)
    if found.status != "active":
        return _not_found(False, normalise(code))
    lang = _lang()
    # The honeypot: hidden from people, filled in by robots. Answer as if accepted, store nothing.
    if request.form.get("website"):
        return render_template(
            "public/objection_done.html", code=found.plaque.code, lang=lang, reference=objections.new_reference()
        )
    try:
        stored = objections.create(found.plaque, request.form.get("text"), request.form.get("contact"))
    except objections.ObjectionError as error:
        if error.code == "too_many":
            retry_at = error.retry_at.replace(tzinfo=datetime.timezone.utc) if error.retry_at else None
            return _objection_limited(found.plaque.code, retry_at)
        messages = {
            "not_in_notice": _("现在不在公示期，暂不受理异议。"),
            "too_short": _("请写清楚异议内容（至少5个字）。"),
            "too_long": _("异议内容请控制在500字以内。"),
            "contact_too_long": _("联系方式太长。"),
        }
        response = Response(
            render_template(
                "public/objection_done.html",
                code=found.plaque.code,
                lang=lang,
                error=messages[error.code],
                text=None if error.code == "not_in_notice" else request.form.get("text", ""),
            ),
            status=400,
        )
        return response
    return render_template("public/objection_done.html", code=found.plaque.code, lang=lang, reference=stored.reference)


@blueprint.route("/Q/<code>/photo")
def photo(code):
    """A member's photo, only when the member consented."""
    found = profiles.lookup(code)
    if found.status != "active" or found.plaque.subject_kind != "member":
        abort(404)
    photo_path = members.consented_photo(found.plaque.subject_id)
    if photo_path is None:
        abort(404)
    folder = current_app.config["UPLOAD_FOLDER"]
    path = os.path.normpath(photo_path)
    if path.startswith("..") or os.path.isabs(path):
        abort(404)
    # no-cache: a withdrawn consent must take effect at once, not after a cache hour.
    response = send_from_directory(folder, path, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
