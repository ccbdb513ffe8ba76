"""/organisations and /members: the organisation tree and the roll, inside the token's scope."""

from flask import g, request

from starqr.errors import N_, NotFound
from starqr.services import access
from starqr.services import members as members_service
from starqr.services import organisations as organisations_service
from starqr.views.api import schemas as s
from starqr.views.api.base import ApiError, answers, blueprint, listing, spec, token_required


def organisation_or_404(organisation_id):
    try:
        return access.require_organisation(g.actor, organisation_id)
    except NotFound:
        raise ApiError(404, "not_found", N_("没有编号为 %(id)s 的组织"), id=organisation_id) from None


def member_or_404(member_id):
    try:
        return access.require_member(g.actor, member_id)
    except NotFound:
        raise ApiError(404, "not_found", N_("没有编号为 %(id)s 的党员"), id=member_id) from None


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
