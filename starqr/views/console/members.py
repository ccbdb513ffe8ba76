"""Members of a branch: the roster, a member's page, transfers, leaving, posts (设岗定责)."""

import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from starqr.services import members as member_service
from starqr.services import member_posts
from starqr.services import member_rules
from starqr.services.consoles import secretary_pages, standing
from starqr.views.console import console
from starqr.views.console.auth import (
    WRITERS,
    can_manage,
    login_required,
    require_branch_access,
    require_member_access,
    roles_required,
    scope_branches,
)
from starqr.views.console.forms import MemberForm, PostForm, RetireForm, TransferForm
from starqr.views.console.helpers import actor, choices, edit_page
from starqr.views.console.names import FLAG_NAMES

PER_PAGE = 25  # ledger entries per page on a member's page


def _member_data(form):
    fields = {f.name: f.data for f in form if f.name in member_rules.MEMBER_FIELDS}
    private = {f.name: f.data for f in form if f.name in member_rules.PRIVATE_FIELDS}
    return fields, private


def _member_url(member):
    return url_for("console.member", member_id=member.id)


def _member_form(member, form, save, message, title, note=None):
    """A form page about MEMBER (edit_page): saved, or left, back to the member's page."""
    return edit_page(form, save, message, _member_url(member), title, _member_url(member), note=note)


@console.route("/branches/<int:branch_id>/members/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def add_member(branch_id):
    branch = require_branch_access(branch_id, write=True)
    form = MemberForm()
    return edit_page(
        form,
        lambda: member_service.add_member(actor(), branch, *_member_data(form)),
        lambda member: _("已添加党员 %(name)s，并生成了党员挂牌二维码。", name=member.name_zh),
        _member_url,
        _("添加党员"),
        url_for("console.branch", branch_id=branch.id),
        note=_("带“不公开”的信息只保存在系统内，扫码页不显示。"),
    )


@console.route("/members/<int:member_id>")
@login_required
def member(member_id):
    member = require_member_access(member_id)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100000))
    year = request.args.get("year", type=int)
    item = (request.args.get("item") or "").strip()[:60] or None
    return render_template(
        "console/secretary/member.html",
        member=member,
        writable=can_manage(member.branch),
        standing=standing.member_standing(member),
        flag_names=FLAG_NAMES,
        filters={"year": year, "item": item},
        page=page,
        per_page=PER_PAGE,
        **secretary_pages.member_page(member, page=page, per_page=PER_PAGE, year=year, item=item),
    )


@console.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_member(member_id):
    member = require_member_access(member_id, write=True)
    private = secretary_pages.private_of(member)
    form = MemberForm(obj=member)
    if request.method == "GET" and private is not None:
        for name in member_rules.PRIVATE_FIELDS:
            getattr(form, name).data = getattr(private, name)

    def save():
        return member_service.edit_member(actor(), member, *_member_data(form))

    return _member_form(member, form, save, _("已保存。"), _("编辑党员信息：%(name)s", name=member.name_zh))


@console.route("/members/<int:member_id>/transfer", methods=["GET", "POST"])
@roles_required(*WRITERS)
def transfer_member(member_id):
    member = require_member_access(member_id, write=True)
    targets = secretary_pages.transfer_targets(scope_branches(), member)
    form = TransferForm()
    form.branch.choices = choices([(b.id, b.name_zh) for b in targets])
    if not targets:
        flash(_("您的权限范围内没有其他支部可以转入；跨支部转接请联系上级组织管理员办理。"), "info")
        return redirect(_member_url(member))

    def save():
        target = require_branch_access(form.branch.data, write=True)
        member_service.transfer_member(actor(), member, target, form.reason.data)
        return target

    def saved(target):
        return _("已转入 %(branch)s。", branch=target.name_zh)

    return _member_form(member, form, save, saved, _("组织关系转接：%(name)s", name=member.name_zh))


@console.route("/members/<int:member_id>/retire", methods=["GET", "POST"])
@roles_required(*WRITERS)
def retire_member(member_id):
    member = require_member_access(member_id, write=True)
    form = RetireForm()
    if request.method == "GET":
        form.left_on.data = datetime.date.today()

    def save():
        return member_service.retire_member(actor(), member, form.left_on.data, form.reason.data)

    return _member_form(
        member,
        form,
        save,
        _("已移出名册。记录、积分和历次评星都会保留。"),
        _("移出名册：%(name)s", name=member.name_zh),
        note=_("移出名册不会删除任何记录；扫码页将显示该党员已不在本支部。"),
    )


# ---------------------------------------------------------------- posts


def _post_fields(form):
    return {f.name: f.data for f in form if f.name in member_rules.POST_FIELDS}


@console.route("/members/<int:member_id>/posts/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def add_post(member_id):
    member = require_member_access(member_id, write=True)
    form = PostForm()

    def save():
        return member_posts.add_post(actor(), member, _post_fields(form))

    return _member_form(member, form, save, _("岗位已添加。"), _("设岗定责：%(name)s", name=member.name_zh))


@console.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit_post(post_id):
    post = secretary_pages.post(post_id) or abort(404)
    member = require_member_access(post.member, write=True)
    form = PostForm(obj=post)

    def save():
        return member_posts.edit_post(actor(), post, _post_fields(form))

    return _member_form(member, form, save, _("岗位已保存。"), _("编辑岗位"))
