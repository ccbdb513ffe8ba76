"""The administrators' dashboard: stars per town and domain, calendar, objections, scans."""
from flask import render_template

from starqr.services import dashboard as figures
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import roles_required, scope_root


@admin.route("/dashboard")
@roles_required(*OVERSEERS)
def dashboard():
    root = scope_root()
    scope_path = root.path if root is not None else None
    period = figures.featured_period()
    by_town, by_domain, domain_max = figures.star_distribution(period, scope_path) if period else ({}, {}, {})
    top = figures.top_plaques(scope_path=scope_path)
    stopped = figures.stopped_plaques(scope_path=scope_path)
    names = figures.subject_names([row[0] for row in top] + [row[0] for row in stopped])
    return render_template("console/dashboard.html", root=root, period=period, by_town=by_town,
                           by_domain=by_domain, domain_max=domain_max, calendar=figures.calendar(),
                           objections=figures.objection_summary(scope_path),
                           weekly=figures.scans_over_time(scope_path=scope_path), top=top, stopped=stopped,
                           names=names)
