"""The console: log-in, log-out, password change, home, and the shared navigation.

Other console modules add routes to the `console` blueprint (or their own blueprints)
and add menu entries with `register_nav`; templates extend "console/base.html".
"""

import importlib
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from starqr.security import limiter
from starqr.services import accounts, audit
from starqr.services.consoles.secretary_pages import search_branches
from starqr.views.console.auth import (
    ADMINISTRATORS,
    ALL_ROLES,
    SECRETARY,
    WRITERS,
    login_required,
    login_session,
    scope_branches,
    scope_root,
)
from starqr.views.console.auth import init_app as init_auth
from starqr.views.console.forms import ConfirmForm, LoginForm, PasswordChangeForm
from starqr.views.console.helpers import error_text
from starqr.views.console.names import template_names

console = Blueprint("console", __name__, url_prefix="/console")

ROLE_NAMES = {
    "admin": _l("系统管理员"),
    "org_admin": _l("组织管理员"),
    "secretary": _l("支部书记"),
    "viewer": _l("只读查看"),
}

# ---------------------------------------------------------------- navigation

NAVIGATION = []  # (order, endpoint, label, roles)


def register_nav(endpoint, label, roles=ALL_ROLES, order=50):
    """Add a menu entry shown to ROLES; entries whose endpoint does not exist are skipped."""
    NAVIGATION[:] = [entry for entry in NAVIGATION if entry[1] != endpoint]
    NAVIGATION.append((order, endpoint, label, tuple(roles)))
    NAVIGATION.sort(key=lambda entry: (entry[0], entry[1]))


register_nav("console.home", _l("首页"), order=0)
register_nav("console.my_branch", _l("本支部"), roles=(SECRETARY,), order=10)
register_nav("console.password", _l("修改密码"), order=90)


@console.app_context_processor
def _console_context():
    def console_nav():
        if not current_user.is_authenticated:
            return []
        items = []
        for _order, endpoint, label, roles in NAVIGATION:
            if current_user.role in roles and endpoint in current_app.view_functions:
                items.append({"url": url_for(endpoint), "label": label, "active": request.endpoint == endpoint})
        return items

    return {"console_nav": console_nav, "role_names": ROLE_NAMES, "logout_form": ConfirmForm, **template_names()}


# ---------------------------------------------------------------- log-in and out


def _login_rate_limit():
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


def _safe_next(target):
    """Only same-site paths under /console: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or "\\" in target:
        return None
    return target


@console.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data, address=request.remote_addr)
        except accounts.LoginRefused as refused:
            # The same answers whether or not the name exists; a wait, never a lock.
            if refused.reason == "throttled":
                flash(_("登录尝试过多,请 %(seconds)s 秒后再试。", seconds=refused.seconds), "error")
                response = make_response(render_template("console/login.html", form=form), 429)
                response.headers["Retry-After"] = str(refused.seconds)
                return response
            flash(_("用户名或密码不正确。"), "error")
            return render_template("console/login.html", form=form), 401
        login_session(user)
        audit.record(user, "account.login", user)
        return redirect(_safe_next(form.next.data) or url_for("console.home"))
    return render_template("console/login.html", form=form)


@console.route("/logout", methods=["POST"])
@login_required
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("console.home"))
    me = current_user._get_current_object()
    accounts.end_sessions(getattr(me, "_user", me))  # server side: a copied cookie stops working too
    logout_user()
    session.clear()
    flash(_("已退出登录。"), "info")
    return redirect(url_for("console.login"))


@console.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            me = current_user._get_current_object()
            user = accounts.change_password(getattr(me, "_user", me), form.old_password.data, form.new_password.data)
        except accounts.AccountError as error:
            form.new_password.errors.append(error_text(error))
        else:
            login_session(user)  # the session token follows the new hash
            flash(_("密码已修改。"), "info")
            return redirect(url_for("console.home"))
    return render_template("console/password.html", form=form)


# ---------------------------------------------------------------- home


@console.route("/")
@login_required
def home():
    if current_user.role == SECRETARY:
        return redirect(url_for("console.branch", branch_id=current_user.organisation_id))

    search = (request.args.get("q") or "").strip()[:60]
    branches = search_branches(scope_branches(), search)
    return render_template(
        "console/home.html",
        branches=branches,
        search=search,
        root=scope_root(),
        administrators=ADMINISTRATORS,
        writers=WRITERS,
    )


@console.route("/my-branch")
@login_required
def my_branch():
    if current_user.role != SECRETARY:
        return redirect(url_for("console.home"))
    return redirect(url_for("console.branch", branch_id=current_user.organisation_id))


SECRETARY_AREAS = ("branches", "members", "commitments", "points", "plaques")


def init_app(app):
    """Log-in machinery and the console blueprints."""
    init_auth(app)

    for area in SECRETARY_AREAS:  # each adds its routes to `console`
        importlib.import_module(f"starqr.views.console.{area}")
    app.register_blueprint(console)
    # Imported here: the area modules import `console` from this package, defined above.
    from starqr.views.console.commitments import public_evidence

    app.register_blueprint(public_evidence)
