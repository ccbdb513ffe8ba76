"""Administrators' console: the `admin` blueprint (prefix /console) and its menu.

The pages live in modules by area (tree, rubrics, periods, objections, plaques, audit_log,
tokens, imports, dashboard), each adding routes to `admin`. Roles: admin everything;
org_admin their subtree (objections, plaques, imports); viewer read-only; secretaries have
their own pages. Logic is in services; views parse forms and render.
"""

import importlib

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from starqr.views.console import register_nav
from starqr.views.console.auth import ADMIN, ADMINISTRATORS, ORG_ADMIN, VIEWER
from starqr.views.console.helpers import choices  # noqa: F401  (imports.py takes it from here)
from starqr.views.console.names import DOMAIN_NAMES, LEVEL_NAMES, STATE_NAMES  # noqa: F401

admin = Blueprint("admin", __name__, url_prefix="/console")

OVERSEERS = (ADMIN, ORG_ADMIN, VIEWER)  # who may look at administrators' pages

register_nav("admin.dashboard", _l("总览"), roles=OVERSEERS, order=5)
register_nav("admin.tree", _l("组织树"), roles=OVERSEERS, order=20)
register_nav("admin.imports", _l("批量导入"), roles=ADMINISTRATORS, order=30)
register_nav("admin.periods", _l("评定期"), roles=OVERSEERS, order=40)
register_nav("admin.rubrics", _l("评分标准"), roles=OVERSEERS, order=45)
register_nav("admin.objections", _l("异议"), roles=OVERSEERS, order=50)
register_nav("admin.plaque_lookup", _l("牌匾"), roles=ADMINISTRATORS, order=55)
register_nav("admin.audit", _l("操作日志"), roles=(ADMIN,), order=60)
# Secretaries have no use for API tokens (imports and scripts are administrators' work).
register_nav("admin.tokens", _l("API令牌"), roles=OVERSEERS, order=85)

AREAS = (
    "tree",
    "rubrics",
    "periods",
    "objections",
    "plaques",
    "audit_log",
    "tokens",
    "imports",
    "jobs",
    "contests",
    "dashboard",
    "organisations",
)  # organisations: l08 (onboarding)


def init_app(app):
    for area in AREAS:  # each adds its routes to `admin`
        importlib.import_module(f"starqr.views.console.{area}")
    app.register_blueprint(admin)
    # the visiting judges' blueprint (by name: contests.py imports this module)
    app.register_blueprint(importlib.import_module("starqr.views.console.contests").judging)
