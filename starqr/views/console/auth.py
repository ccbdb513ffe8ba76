"""The console's doors: log-in sessions, role decorators, and 404/403 from the access rules.

The rules themselves (who may see and change what) live in services/access.py, shared with
the API, the importer and the dashboard; the helpers here apply them to the logged-in user.
Roles: admin (everything), org_admin (one subtree), secretary (own branch only),
viewer (read-only, one subtree). The rules, used the same way by every route:

- not logged in: console pages redirect to the log-in page, /api answers 401;
- the wrong role for a route (e.g. a viewer on a write): 403;
- a subject (organisation, member, commitment, entry...) outside the user's scope: 404,
  exactly as if it did not exist, so ids cannot be probed.

    @console.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
    @roles_required(*WRITERS)
    def edit_member(member_id):
        member = require_member_access(member_id, write=True)
"""

import functools
import time

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import LoginManager, current_user, login_user, logout_user

from starqr.errors import Forbidden, NotFound
from starqr.models import User
from starqr.services import access, accounts
from starqr.services.access import ADMIN, ADMINISTRATORS, ALL_ROLES, ORG_ADMIN, SECRETARY, VIEWER, WRITERS  # noqa: F401

login_manager = LoginManager()
login_manager.login_view = "console.login"
login_manager.session_protection = "strong"


# Flask-Login needs these on the user object; the model lives in starqr.models and knows
# nothing of the web, so they are attached here.
User.is_authenticated = property(lambda self: True)
User.is_anonymous = property(lambda self: False)
User.is_active = property(lambda self: bool(self.active))


@login_manager.user_loader
def _load_user(token):
    return accounts.user_for_session_token(token)


def login_session(user, remember=False):
    """Start a console session for USER (the cookie holds a token, not the bare id)."""

    session.clear()  # a fresh session on log-in: no fixation
    now = int(time.time())
    session["login_at"] = session["seen_at"] = now  # idle and absolute timeouts (check_session_age)
    # login_user calls user.get_id(); peewee's get_id returns the primary key, so wrap it.
    proxy = _TokenUser(user)
    return login_user(proxy, remember=remember)


IDLE_TIMEOUT = 8 * 3600
ABSOLUTE_TIMEOUT = 24 * 3600
_SEEN_EVERY = 60  # write seen_at at most once a minute (each write re-sends the cookie)


def check_session_age():
    """End a console session idle for IDLE_TIMEOUT or older than ABSOLUTE_TIMEOUT (app config overrides).

    A session without the timestamps (made before they existed) has no known age: it ends too.
    Revocation itself (log-out, password change) is in the token, checked by the user loader.
    """

    if "_user_id" not in session:
        return None
    now = int(time.time())
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    idle = current_app.config.get("SESSION_IDLE_TIMEOUT", IDLE_TIMEOUT)
    absolute = current_app.config.get("SESSION_ABSOLUTE_TIMEOUT", ABSOLUTE_TIMEOUT)
    if (
        not isinstance(login_at, int)
        or not isinstance(seen_at, int)
        or now - seen_at > idle
        or now - login_at > absolute
    ):
        logout_user()
        session.clear()
        if _wants_json():
            abort(401)
        flash(gettext("登录已过期,请重新登录。"), "info")
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    if now - seen_at >= _SEEN_EVERY:
        session["seen_at"] = now
    return None


class _TokenUser:
    """What login_user sees: the user, answering get_id with the session token."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        return getattr(self._user, name)

    def get_id(self):
        return accounts.session_token(self._user)


def init_app(app):
    login_manager.init_app(app)

    @app.before_request
    def _session_age():
        if request.path.startswith("/console/") and request.endpoint not in ("console.login", "static"):
            return check_session_age()
        return None

    @login_manager.unauthorized_handler
    def _unauthorized():
        if _wants_json():
            abort(401)
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def _wants_json():
    return request.path.startswith("/api/") or request.path == "/api"


# ---------------------------------------------------------------- decorators


def login_required(view):
    """Any logged-in, active user."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles):
    """Logged in and one of ROLES, else 403 (401/redirect when not logged in)."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorator


write_required = roles_required(*WRITERS)
admin_required = roles_required(ADMIN)


# ---------------------------------------------------------------- scope (rules in services/access.py)


def current_actor():
    """The access.Actor for the logged-in user, built once per request."""
    cached = g.get("_actor")
    if cached is None or cached.id != current_user.id:
        cached = g._actor = access.actor_for(current_user._get_current_object())
    return cached


def _actor(user=None):
    if user is None:
        return current_actor()
    if isinstance(user, access.Actor):
        return user
    if not getattr(user, "is_authenticated", True):
        return None
    return access.actor_for(user)


def scope_root(user=None):
    """The organisation at the top of the user's scope, or None for an admin (everything)."""
    return access.scope_root(_actor(user))


def can_view(organisation, user=None):
    """May the user see this organisation (and what belongs to it)?"""
    return access.can_view(_actor(user), organisation)


def can_manage(organisation, user=None):
    """May the user change this organisation (and what belongs to it)?"""
    return access.can_manage(_actor(user), organisation)


def scope_organisations(user=None):
    """A query of every organisation the user may see."""
    return access.organisations(_actor(user))


def scope_branches(user=None):
    return access.branches(_actor(user))


def scope_members(user=None):
    """A query of every member (active or not) the user may see."""
    return access.members(_actor(user))


def _or_abort(rule, *args, **options):
    try:
        return rule(current_actor(), *args, **options)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def require_organisation_access(organisation, write=False):
    """The organisation (a row or an id) if in scope; 404 outside it; 403 on a denied write."""
    return _or_abort(access.require_organisation, organisation, write=write)


def require_branch_access(branch, write=False):
    """require_organisation_access for a branch; any other level is a 404."""
    return _or_abort(access.require_branch, branch, write=write)


def require_member_access(member, write=False):
    """The member (a row or an id) if their branch is in scope; else 404 (403 on a denied write)."""
    return _or_abort(access.require_member, member, write=write)


def require_subject_access(subject_kind, subject_id, write=False):
    """A member or an organisation named by kind and id (ledger entries, commitments, plaques)."""
    return _or_abort(access.require_subject, subject_kind, subject_id, write=write)


def require_import_batch_access(batch_id):
    """An import batch the user may see (all for an admin, else their own); else 404."""
    return _or_abort(access.require_import_batch, batch_id)


subject_branch = access.subject_branch
