"""The administrators' dashboard: stars per town and domain, calendar, objections, scans."""

from flask import render_template

from starqr.services import dashboard as figures
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import current_actor, roles_required, scope_root


@admin.route("/dashboard")
@roles_required(*OVERSEERS)
def dashboard():
    actor = current_actor()
    period = figures.featured_period()
    by_town, by_domain, domain_max = figures.star_distribution(actor, period) if period else ({}, {}, {})
    top = figures.top_plaques(actor)
    stopped = figures.stopped_plaques(actor)
    names = figures.subject_names([row[0] for row in top] + [row[0] for row in stopped])
    return render_template(
        "console/dashboard.html",
        root=scope_root(),
        period=period,
        by_town=by_town,
        by_domain=by_domain,
        domain_max=domain_max,
        calendar=figures.calendar(),
        objections=figures.objection_summary(actor),
        weekly=figures.scans_over_time(actor),
        top=top,
        stopped=stopped,
        names=names,
    )
