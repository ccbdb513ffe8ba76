"""/ledger: points entries inside the token's scope, and recording new ones (writers only)."""

from flask import g, request

from starqr import validation
from starqr.services import access
from starqr.services import points_events
from starqr.errors import N_
from starqr.views.api import schemas as s
from starqr.views.api.base import ApiError, answers, blueprint, listing, spec, token_required
from starqr.views.api.directory import subject_404, subject_or_404
from starqr.views.api.periods import period_or_404


@blueprint.route("/ledger")
@token_required()
@spec.validate(
    query=s.LedgerQuery,
    resp=answers(400, 401, 404, HTTP_200=s.LedgerPage),
    operation_id="listLedgerEntries",
)
def ledger_entries():
    """积分台账记录"""
    args = request.context.query
    if args.subject_kind or args.subject_id is not None:
        if not args.subject_kind or args.subject_id is None:
            raise ApiError(400, "bad_request", N_("subject_kind 与 subject_id 需同时给出"))
    with subject_404(args.subject_kind, args.subject_id):  # the service checks the scope
        query = points_events.ledger_entries(g.actor, args.subject_kind, args.subject_id, args.period_id)
    return listing(s.LedgerPage, query, args)


@blueprint.route("/ledger", methods=["POST"])
@token_required(*access.WRITERS)
@spec.validate(
    json=s.NewLedgerEntry,
    resp=answers(400, 401, 403, 404, 422, HTTP_201=s.LedgerEntries),
    operation_id="createLedgerEntry",
)
def create_ledger_entry():
    """记录积分事件"""
    body = request.context.json
    subject = subject_or_404(body.subject_kind, body.subject_id, write=True)
    period = period_or_404(body.period_id)
    # One rule per field kind, the same as the console's and the importer's (starqr/validation).
    count = validation.count(body.count)
    value = None if body.value is None else validation.ledger_value(body.value)
    occurred_on = validation.calendar_date(body.occurred_on, "occurred_on", validation.N_("发生日期"))
    # A refused value (member_rules.MemberError, its field named) is answered by base._service_error.
    entries = points_events.record_points(
        g.actor, subject, period, body.item, body.reason, count=count, value=value, occurred_on=occurred_on
    )
    return s.LedgerEntries(items=entries), 201
