"""Who may do what in the console and the API.

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

from flask import abort, g, redirect, request, url_for
from flask_login import LoginManager, current_user

from starqr.models import MEMBER, ORGANISATION, Member, Organisation, User
from starqr.services import accounts

ADMIN, ORG_ADMIN, SECRETARY, VIEWER = "admin", "org_admin", "secretary", "viewer"
ALL_ROLES = (ADMIN, ORG_ADMIN, SECRETARY, VIEWER)
WRITERS = (ADMIN, ORG_ADMIN, SECRETARY)  # roles that may change data in their scope
ADMINISTRATORS = (ADMIN, ORG_ADMIN)      # roles that oversee a subtree

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


@login_manager.request_loader
def _load_user_from_request(req):
    """API calls authenticate with `Authorization: Bearer <token>` instead of a session.

    Only under /api/: a token must never open console pages (they show private data
    the API deliberately leaves out).
    """
    if not req.path.startswith("/api/"):
        return None
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = accounts.user_for_api_token(header[len("Bearer "):].strip())
        if user is not None:
            g.api_token_user = True
        return user
    return None


def login_session(user, remember=False):
    """Start a console session for USER (the cookie holds a token, not the bare id)."""
    from flask_login import login_user
    from flask import session
    session.clear()  # a fresh session on log-in: no fixation
    # login_user calls user.get_id(); peewee's get_id returns the primary key, so wrap it.
    proxy = _TokenUser(user)
    return login_user(proxy, remember=remember)


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


# ---------------------------------------------------------------- scope

def _user(user):
    return current_user if user is None else user


def scope_root(user=None):
    """The organisation at the top of the user's scope, or None for an admin (everything)."""
    user = _user(user)
    if user.role == ADMIN:
        return None
    return Organisation.get_by_id(user.organisation_id)


def _scope_path(user):
    cache = g.setdefault("_scope_paths", {})
    if user.id not in cache:
        cache[user.id] = (Organisation.select(Organisation.path)
                          .where(Organisation.id == user.organisation_id).scalar())
    return cache[user.id]


def can_view(organisation, user=None):
    """May the user see this organisation (and what belongs to it)?"""
    user = _user(user)
    if organisation is None or not user.is_authenticated or not user.active:
        return False
    if user.role == ADMIN:
        return True
    if user.organisation_id is None:
        return False
    if user.role == SECRETARY:
        return organisation.id == user.organisation_id
    path = _scope_path(user)
    return bool(path) and organisation.path.startswith(path)


def can_manage(organisation, user=None):
    """May the user change this organisation (and what belongs to it)?"""
    user = _user(user)
    if not can_view(organisation, user):
        return False
    return user.role in WRITERS


def scope_organisations(user=None):
    """A query of every organisation the user may see."""
    user = _user(user)
    query = Organisation.select()
    if user.role == ADMIN:
        return query
    if user.role == SECRETARY:
        return query.where(Organisation.id == user.organisation_id)
    return query.where(Organisation.path.startswith(_scope_path(user) or "/nowhere/"))


def scope_branches(user=None):
    return scope_organisations(user).where(Organisation.level == "branch")


def scope_members(user=None):
    """A query of every member (active or not) the user may see."""
    user = _user(user)
    query = Member.select()
    if user.role == ADMIN:
        return query
    return query.where(Member.branch.in_(scope_organisations(user).select(Organisation.id)))


def _check(organisation, write):
    if not can_view(organisation):
        abort(404)
    if write and not can_manage(organisation):
        abort(403)


def require_organisation_access(organisation, write=False):
    """The organisation (a row or an id) if in scope; 404 outside it; 403 on a denied write."""
    if not isinstance(organisation, Organisation):
        organisation = Organisation.get_or_none(Organisation.id == organisation)
        if organisation is None:
            abort(404)
    _check(organisation, write)
    return organisation


def require_branch_access(branch, write=False):
    """require_organisation_access for a branch; any other level is a 404."""
    branch = require_organisation_access(branch, write)
    if branch.level != "branch":
        abort(404)
    return branch


def require_member_access(member, write=False):
    """The member (a row or an id) if their branch is in scope; else 404 (403 on a denied write)."""
    if not isinstance(member, Member):
        member = Member.get_or_none(Member.id == member)
        if member is None:
            abort(404)
    _check(member.branch, write)
    return member


def require_subject_access(subject_kind, subject_id, write=False):
    """A member or an organisation named by kind and id (ledger entries, commitments, plaques)."""
    if subject_kind == MEMBER:
        return require_member_access(subject_id, write)
    if subject_kind == ORGANISATION:
        return require_organisation_access(subject_id, write)
    abort(404)


def subject_branch(subject):
    """The branch a subject belongs to (a member's branch, or the organisation itself)."""
    return subject.branch if isinstance(subject, Member) else subject
