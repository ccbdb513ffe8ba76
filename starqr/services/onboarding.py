"""Starting from nothing: the banner (root organisation) and its first administrator."""

import secrets

from starqr.db import database
from starqr.errors import N_, Invalid
from starqr.models import ORGANISATION, Organisation, User
from starqr.services import accounts, audit, plaques, revision, rubrics


class OnboardingError(Invalid):
    """A request the rules refuse; the message is fit to show to the operator."""

    code = "init_refused"


def is_empty():
    return not Organisation.select().exists() and not User.select().exists()


def init_banner(banner_name, admin_username, banner_name_mn=None, password=None, code=None):
    """Create the banner and its first administrator on an empty database.

    Returns (banner, user, password). Refuses, changing nothing, if the database holds any
    organisation or user. PASSWORD None: a one-time random password is drawn.
    """
    banner_name = (banner_name or "").strip()
    if not banner_name:
        raise OnboardingError(N_("请提供旗的名称(--banner)"))
    if not (admin_username or "").strip():
        raise OnboardingError(N_("请提供管理员用户名(--admin)"))
    if not is_empty():
        raise OnboardingError(N_("数据库不是空的(已有组织或用户),init 只能在空数据库上运行;未做任何修改"))
    password = password or secrets.token_urlsafe(12)
    with database.atomic():
        rubrics.sync_shipped()
        banner = Organisation.create(
            parent=None,
            path="/",
            level="banner",
            domain="organ",
            name_zh=banner_name[:120],
            name_mn=(banner_name_mn or "").strip()[:240] or None,
            code=code or None,
        )
        banner.path = f"/{banner.id}/"
        banner.save()
        try:
            user = accounts.create_user(admin_username.strip(), password, "admin")
        except accounts.AccountError as error:
            raise OnboardingError.wrapping(error) from error
        plaques.issue(ORGANISATION, banner.id, actor=user.username)
        audit.record(user.username, "init", banner, None, {"banner": banner_name, "admin": user.username})
        revision.bump()
    return banner, user, password
