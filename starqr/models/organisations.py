"""The organisation tree: banner → town → village / community / organ / enterprise → branch."""
from peewee import (CharField, DateField, DecimalField, ForeignKeyField, IntegerField,
                    TextField)

from starqr.models.base import BaseModel

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

    class Meta:
        indexes = ((("parent", "sort_order"), False),)

    def __str__(self):
        return self.name_zh
