"""API tokens: each user's own, shown once when made."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from starqr.services import api_tokens
from starqr.services.consoles import admin_pages
from starqr.views.console.admin import OVERSEERS, admin
from starqr.views.console.auth import roles_required
from starqr.views.console.forms import ActionForm, TokenForm
from starqr.views.console.helpers import user_row


@admin.route("/tokens", methods=["GET", "POST"])
@roles_required(*OVERSEERS)
def tokens():
    me = user_row()
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _row, new_token = api_tokens.create(me, form.name.data, actor=me)
        flash(_("令牌只显示这一次,请立即复制保存。"), "info")
    return render_template(
        "console/admin/tokens.html",
        form=form,
        new_token=new_token,
        tokens=api_tokens.for_user(me),
        action_form=ActionForm(),
    )


@admin.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(*OVERSEERS)
def token_revoke(token_id):
    me = user_row()
    token = admin_pages.user_token(me, token_id) or abort(404)
    if ActionForm().validate_on_submit():
        api_tokens.revoke(token, me)
        flash(_("令牌已撤销"), "success")
    return redirect(url_for("admin.tokens"))
