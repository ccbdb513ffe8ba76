"""/organisations and /members: the organisation tree and the roll, inside the token's scope."""

import contextlib

from flask import g, request

from starqr.errors import N_, NotFound
from starqr.models import MEMBER, ORGANISATION
from starqr.services import access
from starqr.services import members as members_service
from starqr.services import organisations as organisations_service
from starqr.views.api import schemas as s
from starqr.views.api.base import ApiError, answers, blueprint, listing, spec, token_required


# access's NotFound names nothing (the console answers its own 404 page); the API names the id.
MISSING = {ORGANISATION: N_("没有编号为 %(id)s 的组织"), MEMBER: N_("没有编号为 %(id)s 的党员")}


@contextlib.contextmanager
def subject_404(kind, subject_id):
    """A subject KIND SUBJECT_ID the service does not find (or lets the caller see) answers 404 naming the id."""
    try:
        yield
    except NotFound as missing:
        raise ApiError(404, "not_found", MISSING.get(kind, missing.template), id=subject_id) from None


def subject_or_404(kind, subject_id, write=False):
    """The member or organisation KIND SUBJECT_ID by the one scoped lookup (access.require_subject),
    or a 404 naming the id; a 403 on a denied WRITE."""
    with subject_404(kind, subject_id):
        return access.require_subject(g.actor, kind, subject_id, write=write)


def organisation_or_404(organisation_id):
    return subject_or_404(ORGANISATION, organisation_id)


def member_or_404(member_id):
    return subject_or_404(MEMBER, member_id)


@blueprint.route("/organisations")
@token_required()
@spec.validate(
    query=s.OrganisationQuery, resp=answers(400, 401, HTTP_200=s.OrganisationPage), operation_id="listOrganisations"
)
def organisations():
    """组织列表(管理范围内)"""
    args = request.context.query
    return listing(s.OrganisationPage, organisations_service.find(g.actor, args.parent_id, args.level, args.q), args)


@blueprint.route("/organisations/<int:organisation_id>")
@token_required()
@spec.validate(resp=answers(401, 404, HTTP_200=s.Organisation), operation_id="getOrganisation")
def organisation(organisation_id):
    """一个组织"""
    return s.Organisation.model_validate(organisation_or_404(organisation_id))


@blueprint.route("/members")
@token_required()
@spec.validate(query=s.MemberQuery, resp=answers(400, 401, HTTP_200=s.MemberPage), operation_id="listMembers")
def members():
    """党员列表(管理范围内)"""
    args = request.context.query
    return listing(s.MemberPage, members_service.find(g.actor, args.branch_id, args.q), args)


@blueprint.route("/members/<int:member_id>")
@token_required()
@spec.validate(resp=answers(401, 404, HTTP_200=s.Member), operation_id="getMember")
def member(member_id):
    """一名党员"""
    return s.Member.model_validate(member_or_404(member_id))
