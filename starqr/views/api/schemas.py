"""The API's schemas (pydantic): they validate requests, serialise responses, and are the OpenAPI document.

spectree reads them from each route's @spec.validate(...) to build /api/v1/openapi.json, so the
document cannot drift from what the code accepts and answers (the schemathesis test checks
every response against it). Value rules shared with the console and the importer (counts,
ledger values, dates) stay in starqr/validation and run in the services: here they are only
described (json_schema_extra), so every door refuses them with the same words.
"""

import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_ID = 2**31 - 1  # database integer columns; larger ids cannot exist
MAX_LIMIT = 500

SubjectKind = Literal["member", "organisation"]


def _utc(value):
    """Stored times are naive UTC; an answer says so (RFC 3339 date-time needs an offset: ...Z)."""
    return value.replace(tzinfo=datetime.timezone.utc) if value.tzinfo is None else value


UtcDateTime = Annotated[datetime.datetime, AfterValidator(_utc)]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------- errors


class Error(Schema):
    """Every error: a stable code, a sentence in the caller's language, and details."""

    error: str
    message: str
    field: str | None = None
    params: dict[str, Any] | None = None  # what fills the message's template (names, codes, numbers)
    errors: list[dict[str, Any]] | None = None
    more_errors: int | None = None


# ---------------------------------------------------------------- queries


class Paging(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_ID)


class OrganisationQuery(Paging):
    parent_id: int | None = Field(None, ge=0, le=MAX_ID)
    level: Literal["banner", "town", "unit", "branch"] | None = None
    q: str | None = Field(None, max_length=60, description="按中文或蒙古文名称搜索")


class MemberQuery(Paging):
    branch_id: int | None = Field(None, ge=0, le=MAX_ID)
    q: str | None = Field(None, max_length=60)


class LedgerQuery(Paging):
    period_id: int | None = Field(None, ge=0, le=MAX_ID)
    subject_kind: SubjectKind | None = None
    subject_id: int | None = Field(None, ge=0, le=MAX_ID)


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    period_id: int = Field(ge=1, le=MAX_ID)
    dry_run: bool = False
    background: bool = False
    filename: str | None = Field(None, max_length=200)


# ---------------------------------------------------------------- request bodies


class NewLedgerEntry(BaseModel):
    """Points events for one subject. count, value and occurred_on are checked by the one
    validation every door uses (starqr/validation); their rules are described here."""

    subject_kind: SubjectKind
    subject_id: int = Field(ge=0, le=MAX_ID)
    period_id: int = Field(ge=0, le=MAX_ID)
    item: str = Field(min_length=1, max_length=60, description="评分项目编号(rubric item id)")
    reason: str = Field(max_length=100_000, json_schema_extra={"minLength": 1, "maxLength": 500})
    count: int = Field(1, description="事件类项目的次数", json_schema_extra={"minimum": 1, "maximum": 50})
    value: float | None = Field(None, description="取值类项目的数值(最多两位小数)")
    occurred_on: str | None = Field(None, json_schema_extra={"format": "date"})


class Schedule(BaseModel):
    publish_at: str = Field(description="ISO 日期时间;不带时区即北京时间", examples=["2026-01-15T09:00"])
    notice_days: int | None = Field(None, ge=1, le=60)


# ---------------------------------------------------------------- responses


class Organisation(Schema):
    id: int
    parent_id: int | None
    level: str
    domain: str
    unit_kind: str | None
    name_zh: str
    name_mn: str | None
    secretary_name: str | None
    rubric_key: str | None


class Member(Schema):
    """What the API shows of a member: never identity number, phone, address or birth date."""

    id: int
    branch_id: int
    name_zh: str
    name_mn: str | None
    category: str
    status: str
    party_post: str | None
    joined_on: datetime.date | None
    active: bool
    exempt: bool


class LedgerEntry(Schema):
    id: int
    subject_kind: SubjectKind
    subject_id: int
    period_id: int
    item: str
    points: float
    quantity: int
    reason: str
    recorded_by: str
    recorded_at: UtcDateTime
    occurred_on: str | None
    corrects_id: int | None


class Period(Schema):
    id: int
    name: str
    kind: str
    year: int
    quarter: int | None
    starts_on: datetime.date
    ends_on: datetime.date
    state: Literal["draft", "scheduled", "notice", "final"]
    publish_at: UtcDateTime | None
    publish_at_local: datetime.datetime | None = Field(None, description="publish_at in Beijing time (+08:00)")
    notice_days: int
    notice_ends_at: UtcDateTime | None
    published_at: UtcDateTime | None
    finalised_at: UtcDateTime | None


class HeldSubject(Schema):
    subject_kind: SubjectKind
    subject_id: int
    name: str
    code: str | None
    reason: str = Field(description="why the last rating run held it back, in the caller's language")


class PeriodDetail(Period):
    """One period: also the subjects held back by the last rating run, and open objections."""

    held: list[HeldSubject]
    objections_open: int
    notice_held: bool


class ImportBatch(Schema):
    id: int
    kind: Literal["points", "tree", "roster"] = "points"
    period_id: int | None
    filename: str
    status: Literal["pending", "running", "done", "failed"]
    rows_total: int
    rows_checked: int = 0
    rows_done: int
    rows_imported: int
    errors: list[dict[str, Any]]
    created_at: UtcDateTime
    finished_at: UtcDateTime | None


class ImportResult(Schema):
    filename: str
    file_sha256: str
    period_id: int
    rows: int
    ok: bool
    dry_run: bool
    errors: list[dict[str, Any]]
    more_errors: int
    new_entries: int
    already_imported: int
    unchanged_values: int
    written: int
    star_moves: list[dict[str, Any]]
    totals_changed: int


class Page(Schema):
    total: int
    limit: int
    offset: int


class OrganisationPage(Page):
    items: list[Organisation]


class MemberPage(Page):
    items: list[Member]


class LedgerPage(Page):
    items: list[LedgerEntry]


class PeriodPage(Page):
    items: list[Period]


class LedgerEntries(Schema):
    items: list[LedgerEntry]


def dump(model, value):
    """VALUE (a row or a dict) serialised through MODEL: the body a response sends."""
    return model.model_validate(value).model_dump(mode="json")
