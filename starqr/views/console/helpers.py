"""What every console view repeats: the acting user, form choices, form errors, the
generic form page, downloads, and the shapes built on "call a service, flash the outcome,
redirect" (attempt): a form page that saves (edit_page), a button that acts and goes back
(post_action, and the `button` decorator for views that are nothing else)."""

import functools
import logging

from flask import abort, flash, redirect, render_template, request
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


def valid_or_400(form):
    """FORM, if its POST is valid (CSRF token included); a 400 otherwise (no page posts it invalid)."""
    if not form.validate_on_submit():
        abort(400)
    return form


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
    if message:  # a lazy string too (a module-level action's message)
        flash(str(message(result) if callable(message) else message), "success")
    if target is None:
        return True
    return redirect(target(result) if callable(target) else target)


def edit_page(form, save, message, target, title, back, note=None, field=None):
    """The add or edit page: a valid POST runs SAVE through attempt() (MESSAGE flashed, then a
    redirect to TARGET); a GET, an invalid form or a refusal (flashed, or on FIELD) shows the
    form page (again) with TITLE, BACK and NOTE."""
    if form.validate_on_submit():
        done = attempt(save, message, target, field=field)
        if done:
            return done
    return form_page(form, title, back, note=note)


def post_action(form, call, message, back, invalid=None):
    """A button that changes one thing and goes BACK: a valid FORM runs CALL through attempt()
    (MESSAGE or the refusal flashed); an invalid one is handed to INVALID, when given."""
    if form.validate_on_submit():
        attempt(call, message, None)
    elif invalid is not None:
        invalid(form)
    return redirect(back)


def button(find, form_class, message, back, invalid=None):
    """Make SAVE(thing, form) the whole of a POST view for a button that changes one thing and
    goes back (post_action): FIND(**the route's arguments) gives the thing (aborting 404/403 as
    it decides), a valid FORM_CLASS runs SAVE, MESSAGE (a string, a lazy one, or a function of
    SAVE's result) is flashed, an invalid form goes to INVALID; then a redirect to BACK(thing)."""

    def decorator(save):
        @functools.wraps(save)
        def view(**arguments):
            thing = find(**arguments)
            form = form_class()
            return post_action(form, lambda: save(thing, form), message, back(thing), invalid)

        return view

    return decorator
