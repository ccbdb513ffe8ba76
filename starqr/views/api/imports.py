"""/imports: a CSV or XLSX file checked, previewed, written, or queued (administrators)."""

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext

from starqr import tasks
from starqr.services import access, imports
from starqr.views.api import schemas as s
from starqr.views.api.base import answers, blueprint, error_response, spec, token_required
from starqr.views.api.periods import period_or_404


@blueprint.route("/imports", methods=["POST"])
@token_required(access.ADMIN, access.ORG_ADMIN)
@spec.validate(
    query=s.ImportQuery,
    resp=answers(
        400, 401, 403, 404, 413, 422, HTTP_200=s.ImportResult, HTTP_201=s.ImportResult, HTTP_202=s.ImportBatch
    ),
    operation_id="createImport",
)
def create_import():
    """批量导入(CSV/XLSX);dry_run=true 只检查并预览星级变化

    The body is the file itself (text/csv or the XLSX type), or a multipart field `file`.
    """
    args = request.context.query
    period = period_or_404(args.period_id)
    upload = request.files.get("file")
    data = upload.read() if upload else request.get_data()
    filename = (upload.filename if upload else args.filename) or "import.csv"
    actor = g.actor
    if args.background and not args.dry_run:
        batch = imports.create_batch(period, data, filename, actor, current_app.instance_path)
        tasks.enqueue_import(batch, actor)
        # Read again: the job may already have moved it on (an immediate queue runs it at once).
        response = jsonify(s.dump(s.ImportBatch, access.require_import_batch(actor, batch.id)))
        response.status_code = 202
        response.headers["Location"] = url_for("api.import_batch", batch_id=batch.id)
        return response
    result = imports.run(period, data, filename, actor, dry_run=args.dry_run)
    body = result.to_dict(gettext)
    if result.errors:
        count = len(result.errors) + result.more_errors
        return error_response(
            422,
            "invalid_rows",
            gettext("%(n)s 处错误,未写入任何数据", n=count),
            {"n": count},
            errors=body["errors"],
            more_errors=result.more_errors,
        )
    return s.ImportResult.model_validate(body), (200 if args.dry_run else 201)


@blueprint.route("/imports/<int:batch_id>")
@token_required(access.ADMIN, access.ORG_ADMIN)
@spec.validate(
    resp=answers(401, 403, 404, HTTP_200=s.ImportBatch),
    operation_id="getImport",
)
def import_batch(batch_id):
    """后台导入的进度"""
    return s.ImportBatch.model_validate(access.require_import_batch(g.actor, batch_id))
