"""The organisation tree: banner → town → village / community / organ / enterprise → branch."""

from peewee import BooleanField, CharField, DateField, DateTimeField, DecimalField, IntegerField, TextField
from peewee import ForeignKeyField

from starqr.models.base import BaseModel, utcnow

LEVELS = ("banner", "town", "unit", "branch")
# The unit (third level) says what kind of place it is; the domain picks the rubric.
UNIT_KINDS = ("village", "community", "organ", "state_enterprise", "private_enterprise", "social")
DOMAINS = ("rural", "community", "organ", "state_enterprise", "private_enterprise", "social")


class Organisation(BaseModel):
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    # Materialised path "/1/7/42/" so a whole subtree is one indexed LIKE 'prefix%' query.
    path = CharField(max_length=255, index=True, default="/")
    level = CharField(max_length=16)
    unit_kind = CharField(max_length=24, null=True)
    domain = CharField(max_length=24)
    name_zh = CharField(max_length=120)
    name_mn = CharField(max_length=240, null=True)
    short_name = CharField(max_length=60, null=True)
    secretary_name = CharField(max_length=60, null=True)
    venue_area_m2 = DecimalField(max_digits=10, decimal_places=1, null=True, auto_round=True)
    venue_address = CharField(max_length=255, null=True)  # the activity venue: a public place
    founded_on = DateField(null=True)
    feature_projects = TextField(null=True)  # brand / feature projects, one per line
    office_phone = CharField(max_length=40, null=True)  # the office's public line, not a person's
    rubric_key = CharField(max_length=60, null=True)  # None: the domain's default rubric
    sort_order = IntegerField(default=0)
    code = CharField(max_length=40, null=True, unique=True)  # 组织编码: the county's own code, the import key
    archived_at = DateTimeField(null=True)  # dissolved or merged: its plaques answer 410, its history stays
    archived_reason = CharField(max_length=255, null=True)
    merged_into_id = IntegerField(null=True)  # the organisation it was merged into, if any
    # Kept equal to the effective assignment (services.rubric_assignments.materialise), so a
    # scan reads the rubric from the row it has; None: the domain's default member rubric.
    member_rubric_key = CharField(max_length=60, null=True)

    class Meta:
        indexes = ((("parent", "sort_order"), False),)

    def __str__(self):
        return self.name_zh


class RubricAssignment(BaseModel):
    """An administrator's choice of rubric for an organisation (and, with SUBTREE, everything under it).

    Kept as history: the newest assignment whose APPLIES_FROM is on or before a date wins,
    so a change never reaches a period that was already scheduled when it was made.
    """

    organisation = ForeignKeyField(Organisation, backref="rubric_assignments", on_delete="RESTRICT")
    rubric_key = CharField(max_length=60)
    subtree = BooleanField(default=True)
    applies_from = DateField()
    reason = CharField(max_length=255, null=True)
    assigned_by = CharField(max_length=60)
    assigned_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("organisation", "applies_from"), False),)
