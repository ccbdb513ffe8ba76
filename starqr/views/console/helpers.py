"""What every console view repeats: the acting user, form choices, form errors, the
generic form page, and one helper for "call a service, flash the outcome, redirect"."""

import logging

from flask import flash, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from wtforms import SelectChoice

from starqr.errors import StarQRError
from starqr.log_events import log_event
from starqr.views.console.auth import current_actor

# Service errors whose message is meant for the person at the console: every service error
# shares the one base (starqr/errors.py), MemberError and AdminError included.
SERVICE_ERRORS = (StarQRError,)
log = logging.getLogger("starqr.console")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def error_text(error):
    """A service error in the reader's language (its catalogue template, parameters filled in)."""
    if isinstance(error, StarQRError):
        return error.message(gettext)
    return str(error)


def actor():
    """Who is acting, as services take it: an access.Actor (lane l12) for the logged-in user."""

    return current_actor()


def user_row():
    """The logged-in User row itself (for what belongs to the user: API tokens)."""
    user = current_user._get_current_object()
    return getattr(user, "_user", user)


def choices(pairs):
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def flash_form_errors(form, with_labels=True):
    for field_name, errors in form.errors.items():
        for error in errors:
            field = getattr(form, field_name, None)
            label = field.label.text if with_labels and field is not None else None
            flash(f"{label}:{error}" if label else str(error), "error")


def form_page(form, title, back, action=None, enctype=None, note=None):
    return render_template(
        "console/secretary/form.html",
        form=form,
        title=title,
        back=back,
        action=action or request.path,
        enctype=enctype,
        note=note,
    )


def attachment(body, content_type, filename):
    """A file to download: BODY, of CONTENT_TYPE, saved as FILENAME."""
    return body, 200, {"Content-Type": content_type, "Content-Disposition": f"attachment; filename={filename}"}


def attempt(call, message, target, field=None, errors=SERVICE_ERRORS):
    """Run CALL (a service use case). On success flash MESSAGE and redirect to TARGET; either
    may be a function of CALL's result; with no TARGET return True (the view redirects
    itself). On a service error flash it (or add it to FIELD's
    errors) and return None, so the view can re-render its form."""
    try:
        result = call()
    except errors as error:
        log_event(log, "request.refused", method=request.method, path=request.path, code=getattr(error, "code", None))
        if field is not None:
            field.errors = list(field.errors) + [error_text(error)]
        else:
            flash(error_text(error), "error")
        return None
    if message:
        flash(message(result) if callable(message) else message, "success")
    if target is None:
        return True
    return redirect(target(result) if callable(target) else target)
