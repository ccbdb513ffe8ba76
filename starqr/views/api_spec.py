"""The OpenAPI 3.0 document of /api/v1, served at /api/v1/openapi.json."""

ERROR = {"$ref": "#/components/schemas/Error"}


def _list_of(ref):
    return {"type": "object", "required": ["items", "total", "limit", "offset"],
            "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
                           "total": {"type": "integer"}, "limit": {"type": "integer"},
                           "offset": {"type": "integer"}}}


def _json(schema):
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes):
    names = {400: "请求参数错误", 401: "未认证", 403: "无权限", 404: "不存在", 422: "数据无效"}
    return {str(code): {"description": names[code], **_json(ERROR)} for code in codes}


PAGING = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]


def _id(name):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def document():
    nullable_string = {"type": "string", "nullable": True}
    nullable_int = {"type": "integer", "nullable": True}
    return {
        "openapi": "3.0.3",
        "info": {"title": "StarQR API", "version": "1",
                 "description": "组织、党员、积分台账、批量导入与评定期。认证:Authorization: Bearer <token>。"
                                "令牌的权限与其用户相同(角色与管理范围)。错误一律为 {error, message}。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"],
                          "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
                "Organisation": {"type": "object", "required": ["id", "level", "domain", "name_zh"], "properties": {
                    "id": {"type": "integer"}, "parent_id": nullable_int, "level": {"type": "string"},
                    "domain": {"type": "string"}, "unit_kind": nullable_string, "name_zh": {"type": "string"},
                    "name_mn": nullable_string, "secretary_name": nullable_string, "rubric_key": nullable_string}},
                "Member": {"type": "object", "required": ["id", "branch_id", "name_zh"], "properties": {
                    "id": {"type": "integer"}, "branch_id": {"type": "integer"}, "name_zh": {"type": "string"},
                    "name_mn": nullable_string, "category": {"type": "string"}, "status": {"type": "string"},
                    "party_post": nullable_string, "joined_on": nullable_string, "active": {"type": "boolean"},
                    "exempt": {"type": "boolean"}}},
                "LedgerEntry": {"type": "object", "required": ["id", "subject_kind", "subject_id", "item", "points"],
                                "properties": {
                    "id": {"type": "integer"}, "subject_kind": {"type": "string", "enum": ["member", "organisation"]},
                    "subject_id": {"type": "integer"}, "period_id": {"type": "integer"}, "item": {"type": "string"},
                    "points": {"type": "number"}, "quantity": {"type": "integer"}, "reason": {"type": "string"},
                    "recorded_by": {"type": "string"}, "recorded_at": {"type": "string"},
                    "occurred_on": nullable_string, "corrects_id": nullable_int}},
                "NewLedgerEntry": {"type": "object", "required": ["subject_kind", "subject_id", "period_id", "item",
                                                                  "reason"], "properties": {
                    "subject_kind": {"type": "string", "enum": ["member", "organisation"]},
                    "subject_id": {"type": "integer"}, "period_id": {"type": "integer"},
                    "item": {"type": "string", "description": "评分项目编号(rubric item id)"},
                    "count": {"type": "integer", "minimum": 1, "maximum": 50, "default": 1,
                              "description": "事件类项目的次数"},
                    "value": {"type": "number", "description": "取值类项目的数值"},
                    "occurred_on": {"type": "string", "format": "date"},
                    "reason": {"type": "string", "minLength": 1, "maxLength": 500}}},
                "Period": {"type": "object", "required": ["id", "name", "state"], "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"},
                    "year": {"type": "integer"}, "quarter": nullable_int, "starts_on": {"type": "string"},
                    "ends_on": {"type": "string"},
                    "state": {"type": "string", "enum": ["draft", "scheduled", "notice", "final"]},
                    "publish_at": nullable_string, "publish_at_local": nullable_string,
                    "notice_days": {"type": "integer"}, "notice_ends_at": nullable_string,
                    "published_at": nullable_string, "finalised_at": nullable_string,
                    # one period only: subjects held back by the last rating run, and open objections
                    "held": {"type": "array", "items": {"type": "object", "properties": {
                        "subject_kind": {"type": "string"}, "subject_id": {"type": "integer"},
                        "name": {"type": "string"}, "code": {"type": "string"}, "reason": {"type": "string"}}}},
                    "objections_open": {"type": "integer"}, "notice_held": {"type": "boolean"}}},
                "ImportResult": {"type": "object", "properties": {
                    "rows": {"type": "integer"}, "ok": {"type": "boolean"}, "dry_run": {"type": "boolean"},
                    "new_entries": {"type": "integer"}, "already_imported": {"type": "integer"},
                    "written": {"type": "integer"}, "totals_changed": {"type": "integer"},
                    "star_moves": {"type": "array", "items": {"type": "object"}},
                    "errors": {"type": "array", "items": {"type": "object"}}}},
                "ImportBatch": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "status": {"type": "string"}, "rows_total": {"type": "integer"},
                    "rows_done": {"type": "integer"}, "rows_imported": {"type": "integer"},
                    "errors": {"type": "array", "items": {"type": "object"}}}},
            },
        },
        "paths": {
            "/organisations": {"get": {
                "summary": "组织列表(管理范围内)", "operationId": "listOrganisations",
                "parameters": PAGING + [
                    {"name": "parent_id", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "level", "in": "query", "schema": {"type": "string",
                                                                "enum": ["banner", "town", "unit", "branch"]}},
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 60},
                     "description": "按中文或蒙古文名称搜索"}],
                "responses": {"200": {"description": "组织", **_json(_list_of("Organisation"))},
                              **_errors(400, 401)}}},
            "/organisations/{organisation_id}": {"get": {
                "summary": "一个组织", "operationId": "getOrganisation", "parameters": [_id("organisation_id")],
                "responses": {"200": {"description": "组织", **_json({"$ref": "#/components/schemas/Organisation"})},
                              **_errors(401, 404)}}},
            "/members": {"get": {
                "summary": "党员列表(管理范围内)", "operationId": "listMembers",
                "parameters": PAGING + [
                    {"name": "branch_id", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 60}}],
                "responses": {"200": {"description": "党员", **_json(_list_of("Member"))}, **_errors(400, 401)}}},
            "/members/{member_id}": {"get": {
                "summary": "一名党员", "operationId": "getMember", "parameters": [_id("member_id")],
                "responses": {"200": {"description": "党员", **_json({"$ref": "#/components/schemas/Member"})},
                              **_errors(401, 404)}}},
            "/ledger": {
                "get": {"summary": "积分台账记录", "operationId": "listLedgerEntries",
                        "parameters": PAGING + [
                            {"name": "period_id", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                            {"name": "subject_kind", "in": "query",
                             "schema": {"type": "string", "enum": ["member", "organisation"]}},
                            {"name": "subject_id", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                        "responses": {"200": {"description": "记录", **_json(_list_of("LedgerEntry"))},
                                      **_errors(400, 401, 404)}},
                "post": {"summary": "记录积分事件", "operationId": "createLedgerEntry",
                         "requestBody": {"required": True,
                                         **_json({"$ref": "#/components/schemas/NewLedgerEntry"})},
                         "responses": {"201": {"description": "新记录", **_json(_list_of("LedgerEntry"))},
                                       **_errors(400, 401, 403, 404, 422)}}},
            "/imports": {"post": {
                "summary": "批量导入(CSV/XLSX);dry_run=true 只检查并预览星级变化",
                "operationId": "createImport",
                "parameters": [
                    {"name": "period_id", "in": "query", "required": True, "schema": {"type": "integer", "minimum": 1}},
                    {"name": "dry_run", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "background", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "filename", "in": "query", "schema": {"type": "string", "maxLength": 200}}],
                "requestBody": {"required": True, "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                        {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": {"description": "预览", **_json({"$ref": "#/components/schemas/ImportResult"})},
                              "201": {"description": "已导入", **_json({"$ref": "#/components/schemas/ImportResult"})},
                              "202": {"description": "已排队", **_json({"$ref": "#/components/schemas/ImportBatch"})},
                              **_errors(400, 401, 403, 404, 422)}}},
            "/imports/{batch_id}": {"get": {
                "summary": "后台导入的进度", "operationId": "getImport", "parameters": [_id("batch_id")],
                "responses": {"200": {"description": "进度", **_json({"$ref": "#/components/schemas/ImportBatch"})},
                              **_errors(401, 403, 404)}}},
            "/periods": {"get": {
                "summary": "评定期列表", "operationId": "listPeriods", "parameters": PAGING,
                "responses": {"200": {"description": "评定期", **_json(_list_of("Period"))}, **_errors(400, 401)}}},
            "/periods/{period_id}": {"get": {
                "summary": "一个评定期", "operationId": "getPeriod", "parameters": [_id("period_id")],
                "responses": {"200": {"description": "评定期", **_json({"$ref": "#/components/schemas/Period"})},
                              **_errors(401, 404)}}},
            "/periods/{period_id}/schedule": {"post": {
                "summary": "安排发布时间(北京时间,或带时区的 ISO 时间)", "operationId": "schedulePeriod",
                "parameters": [_id("period_id")],
                "requestBody": {"required": True, **_json({
                    "type": "object", "required": ["publish_at"],
                    "properties": {"publish_at": {"type": "string", "example": "2026-01-15T09:00"},
                                   "notice_days": {"type": "integer", "minimum": 1, "maximum": 60}}})},
                "responses": {"200": {"description": "已安排", **_json({"$ref": "#/components/schemas/Period"})},
                              **_errors(400, 401, 403, 404, 422)}}},
            "/openapi.json": {"get": {
                "summary": "本文档", "operationId": "openapi", "security": [],
                "responses": {"200": {"description": "OpenAPI 文档", **_json({"type": "object"})}}}},
        },
    }
