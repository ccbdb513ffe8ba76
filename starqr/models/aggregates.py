"""Maintained aggregates: kept current by database triggers (m0015_b), never by scanning."""

from peewee import IntegerField

from starqr.models.base import BaseModel


class BranchMemberCount(BaseModel):
    """Active members per branch. Pages above a branch sum these rows instead of counting members."""

    branch_id = IntegerField(primary_key=True)
    members = IntegerField(default=0)

    class Meta:
        table_name = "branch_member_count"
