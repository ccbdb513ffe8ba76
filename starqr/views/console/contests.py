"""比武争星: organisers set up rounds; judges score each branch from a phone (console users,
or visiting secretaries through a one-time link); the organiser closes and the ranking is
published. Rules live in services/contests.py; these views parse and render."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from starqr.errors import StarQRError
from starqr.services import contest_results, contests
from starqr.services.consoles import admin_pages
from starqr.views.console import register_nav
from starqr.views.console.admin import admin
from starqr.views.console.auth import (
    ADMINISTRATORS,
    current_actor,
    login_required,
    roles_required,
)
from starqr.views.console.forms import (
    CloseContestForm,
    ConfirmForm,
    ContestForm,
    JudgeLinkForm,
    JudgeUserForm,
)
from starqr.views.console.helpers import attempt, button, choices, post_action

# Visiting judges score through a link, without a console account.
judging = Blueprint("judging", __name__, url_prefix="/judge")

register_nav("admin.contests", _l("比武争星"), roles=ADMINISTRATORS, order=52)


def _error(error):
    flash(error.message(_), "error")


def _contest(contest_id):
    try:
        return contests.get(current_actor(), contest_id)
    except StarQRError:
        abort(404)


def _contest_url(contest):
    return url_for("admin.contest", contest_id=contest.id)


# ---------------------------------------------------------------- organisers


@admin.route("/contests", endpoint="contests")
@roles_required(*ADMINISTRATORS)
def contests_index():
    return render_template("console/contests/index.html", rows=contests.visible_contests(current_actor()))


@admin.route("/contests/new", methods=["GET", "POST"])
@roles_required(*ADMINISTRATORS)
def contest_new():
    form = ContestForm()
    form.sheet.choices = choices(contests.sheets())
    town_id = request.args.get("town", type=int)
    branches = contests.candidate_branches(current_actor(), town_id)
    form.branches.choices = choices([(b.id, b.name_zh) for b in branches])
    if form.validate_on_submit():
        done = attempt(
            lambda: contests.create(
                current_actor(), form.name.data, form.branches.data, form.sheet.data, held_on=form.held_on.data
            ),
            _("已创建，请添加评委。"),
            _contest_url,
        )
        if done:
            return done

    towns = [t for t in admin_pages.towns() if t.level == "town"]
    return render_template("console/contests/new.html", form=form, towns=towns, town_id=town_id)


@admin.route("/contests/<int:contest_id>")
@roles_required(*ADMINISTRATORS)
def contest(contest_id, new_link=None):
    found = _contest(contest_id)
    link_form = JudgeLinkForm(formdata=None)
    link_form.organisation.choices = choices(
        [(0, _("（不属于参赛支部）"))] + [(b.id, b.name_zh) for b in contests.entrants(found)]
    )
    close_form = CloseContestForm(formdata=None)
    close_form.award_item.choices = choices(
        [("", _("（不记入台账）"))]
        + [
            (item_id, _("%(name)s（+%(points)s分）", name=name, points=f"{points:g}"))
            for item_id, name, points in contest_results.award_items(found)
        ]
    )
    standings = found.results if found.state == "closed" else contest_results.standings(found)
    return render_template(
        "console/contests/contest.html",
        contest=found,
        entrants=contests.entrants(found),
        judges=contests.judges(found),
        standings=standings,
        user_form=JudgeUserForm(formdata=None),
        link_form=link_form,
        close_form=close_form,
        new_link=new_link,
    )


def _judge_added(username):
    return _("已添加评委 %(name)s。", name=username)


@admin.route("/contests/<int:contest_id>/judges", methods=["POST"])
@roles_required(*ADMINISTRATORS)
@button(_contest, JudgeUserForm, _judge_added, _contest_url)
def contest_judge_user(found, form):
    contests.add_judge_user(current_actor(), found, form.username.data)
    return form.username.data


@admin.route("/contests/<int:contest_id>/links", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def contest_judge_link(contest_id):
    found = _contest(contest_id)
    form = JudgeLinkForm()
    form.organisation.choices = choices([(0, "")] + [(b.id, b.name_zh) for b in contests.entrants(found)])
    if form.validate_on_submit():
        try:
            _judge, token = contests.add_judge_link(
                current_actor(), found, form.name.data, organisation_id=form.organisation.data or None
            )
        except StarQRError as error:
            _error(error)
        else:
            flash(_("评分链接只显示这一次，请立即发给评委（可截图二维码或复制链接）。"), "info")
            return contest(found.id, new_link=url_for("judging.sheet", token=token, _external=True))
    return redirect(_contest_url(found))


@admin.route("/contests/<int:contest_id>/close", methods=["POST"])
@roles_required(*ADMINISTRATORS)
def contest_close(contest_id):
    found = _contest(contest_id)
    form = CloseContestForm()
    form.award_item.choices = choices([("", "")] + [(i, n) for i, n, _p in contest_results.award_items(found)])

    def save():
        award = {"award_item": form.award_item.data or None, "award_top": form.award_top.data or 0}
        return contest_results.close(current_actor(), found, **award)

    return post_action(form, save, _("评分已结束，排名已在各支部扫码页公布。"), _contest_url(found))


# ---------------------------------------------------------------- judges with a console account


@admin.route("/judging")
@login_required
def my_judging():
    return render_template("console/contests/my_judging.html", rows=contests.contests_judged_by(current_user.id))


@admin.route("/judging/<int:contest_id>", methods=["GET", "POST"])
@login_required
def judge_as_user(contest_id):
    found = contests.find(contest_id) or abort(404)
    try:
        judge = contests.judge_for_user(found, current_user.id)
    except StarQRError:
        abort(404)
    return _judge_page(
        found, judge, lambda org_id=None: url_for("admin.judge_as_user", contest_id=found.id, branch=org_id)
    )


# ---------------------------------------------------------------- judges with a one-time link


@judging.route("/<token>", methods=["GET", "POST"])
def sheet(token):
    try:
        found, judge = contests.judge_for_token(token)
    except StarQRError:
        abort(404)
    response = _judge_page(found, judge, lambda org_id=None: url_for("judging.sheet", token=token, branch=org_id))
    if not isinstance(response, str):
        return response
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _judge_page(found, judge, here):
    """The judge's list of branches, or the scoring form of one (?branch=ID); POST saves it."""
    entrants = contests.entrants(found)
    branch_id = request.args.get("branch", type=int)
    branch = next((b for b in entrants if b.id == branch_id), None)
    form = ConfirmForm()
    refused = None
    if request.method == "POST" and branch is not None:
        if not form.validate_on_submit():
            abort(400)
        values = {c["id"]: request.form.get(f"c_{c['id']}", "") for c in found.sheet["criteria"]}
        try:
            contests.score(found, judge, branch.id, values, note=request.form.get("note"))
        except StarQRError as error:
            refused = error.message(_)
        else:
            flash(_("已保存对 %(name)s 的评分。", name=branch.name_zh), "success")
            return redirect(here())
    mine = contests.scores_by(found, judge)
    if branch is not None:
        return render_template(
            "console/contests/score.html",
            contest=found,
            judge=judge,
            branch=branch,
            saved=mine.get(branch.id),
            form=form,
            refused=refused,
            back=here(),
            own=judge.organisation_id == branch.id,
            values=request.form if request.method == "POST" else None,
        )
    return render_template(
        "console/contests/judge.html", contest=found, judge=judge, entrants=entrants, mine=mine, here=here
    )
