"""Console accounts: users, passwords, log-in with growing waits (no lock-out), sessions, API tokens."""

import hashlib
import secrets

from peewee import fn
from werkzeug.security import check_password_hash, generate_password_hash

from starqr.db import database
from starqr.errors import N_, Invalid, StarQRError
from starqr.models import ROLES, ApiToken, User, utcnow
from starqr.services import audit, login_guard

MIN_PASSWORD_LENGTH = 10
# Defaults; configure(app.config) applies PASSWORD_METHOD, LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_MINUTES.
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15


class AccountError(Invalid):
    """Refused by the rules (code "invalid", HTTP 422)."""


# Set from the app config by create_app (configure); no Flask here.
_settings = {}


def configure(config):
    """Take the account settings from an app config (a mapping): one source for every door."""
    _settings.update(
        {
            key: config[key]
            for key in ("PASSWORD_METHOD", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_MINUTES")
            if config.get(key) is not None
        }
    )


# The hashing method before any app is configured (scripts); the test suite lowers it, never production code.
HASH_METHOD_OUTSIDE_APP = "scrypt"


def hash_password(password):
    return generate_password_hash(password, method=_settings.get("PASSWORD_METHOD", HASH_METHOD_OUTSIDE_APP))


def _check_new_password(password, username=None):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(N_("密码至少 %(minimum)s 个字符"), code="password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if username and password.lower() == username.lower():
        raise AccountError(N_("密码不能与用户名相同。"), code="password_is_username")


USERNAME_MAX_LENGTH = 60


def check_username(username):
    """A user name: non-empty, no spaces or control characters, at most 60 characters."""
    if not username or not username.strip():
        raise AccountError(N_("请填写用户名"), code="username_required")
    if any(c.isspace() or ord(c) < 32 for c in username):
        raise AccountError(N_("用户名「%(username)s」不能含空格或控制字符"), code="username_spaces", username=username)
    if len(username) > USERNAME_MAX_LENGTH:
        raise AccountError(N_("用户名最多 %(maximum)s 个字符"), code="username_too_long", maximum=USERNAME_MAX_LENGTH)
    return username


def create_user(username, password, role, organisation=None, display_name=None):
    check_username(username)
    if role not in ROLES:
        raise AccountError(
            N_("未知的角色 %(role)s,应为 %(roles)s 之一"), code="unknown_role", role=role, roles=", ".join(ROLES)
        )
    if role != "admin" and organisation is None:
        raise AccountError(N_("该角色的账号须指定所属组织"), code="organisation_required", role=role)
    if role == "secretary" and organisation.level != "branch":
        raise AccountError(N_("书记账号的组织须为党支部"), code="secretary_not_branch")
    _check_new_password(password, username)
    if User.select().where(fn.LOWER(User.username) == username.lower()).exists():
        raise AccountError(N_("用户 %(username)s 已存在"), code="username_taken", username=username)
    return User.create(
        username=username,
        password_hash=hash_password(password),
        role=role,
        organisation=organisation,
        display_name=display_name or username,
    )


def password_matches(user, password):
    return check_password_hash(user.password_hash, password)


# ---------------------------------------------------------------- log-in


class LoginRefused(StarQRError):
    """Why a log-in failed: 'invalid' (unknown user, bad password, inactive) or 'throttled'
    (too many failures for this name or address: wait SECONDS). Never says whether the name exists."""

    status = 401

    def __init__(self, reason, seconds=0):
        if reason == "throttled":
            super().__init__(
                N_("登录尝试过多,请 %(seconds)s 秒后再试"), code="login_throttled", status=429, seconds=seconds
            )
        else:
            super().__init__(N_("用户名或密码不正确"), code=f"login_{reason}")
        self.reason = reason
        self.seconds = seconds


_dummy_hash = None


def _waste_time(password):
    """Check against a throwaway hash so unknown users take as long as known ones."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_hex(8))
    check_password_hash(_dummy_hash, password)


def authenticate(username, password, now=None, address=None):
    """The user for these credentials, or LoginRefused.

    No lock-out: failures for a name (known or unknown alike) and for the client ADDRESS
    earn growing waits (services/login_guard.py); during a wait every try, right or wrong,
    answers "throttled" with the seconds left, the same for every name.
    """

    now = now or utcnow()
    name = (username or "").strip()
    wait = login_guard.wait_seconds(name, address, now)
    if wait:
        _waste_time(password or "")
        raise LoginRefused("throttled", wait)
    user = User.get_or_none(User.username == name)
    if user is None or not user.active or not password_matches(user, password or ""):
        if user is None or not user.active:
            _waste_time(password or "")
        with database.atomic():
            login_guard.record_failure(name, address, now)
            if user is not None:
                User.update(failed_logins=User.failed_logins + 1).where(User.id == user.id).execute()
        raise LoginRefused("invalid")
    login_guard.record_success(name)
    User.update(failed_logins=0, locked_until=None, last_login_at=now).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def end_sessions(user):
    """Log USER out everywhere: every session token issued so far stops working."""
    User.update(session_version=User.session_version + 1).where(User.id == user.id).execute()


def change_password(user, old_password, new_password):
    if not password_matches(user, old_password or ""):
        raise AccountError(N_("当前密码不正确。"), code="password_wrong")
    _check_new_password(new_password, user.username)
    if password_matches(user, new_password):
        raise AccountError(N_("新密码不能与当前密码相同。"), code="password_unchanged")
    with database.atomic():
        user.password_hash = hash_password(new_password)
        user.save()
        audit.record(user, "account.password_changed", user)
    return user


def session_token(user):
    """What the session cookie holds: the id plus a fragment of the password hash and session version.

    Changing the password, or logging out (end_sessions), changes the token: every session
    holding the old one ends, checked on each request against the database.
    """
    material = f"{user.password_hash}:{getattr(user, 'session_version', 0) or 0}"
    fragment = hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]
    return f"{user.id}:{fragment}"


def user_for_session_token(token):
    user_id, _, fragment = (token or "").partition(":")
    if not user_id.isdigit():
        return None
    user = User.get_or_none(User.id == int(user_id), User.active == True)  # noqa: E712
    if user is None or not secrets.compare_digest(session_token(user), token):
        return None
    return user


# ---------------------------------------------------------------- API tokens


def token_digest(token):
    """What is stored of a secret token (API tokens, contest judges' links): its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(user, name):
    """A new token for USER; returns (ApiToken, the token text, shown once)."""
    token = "sq_" + secrets.token_urlsafe(32)
    with database.atomic():
        row = ApiToken.create(user=user, name=name[:60], token_hash=token_digest(token))
        audit.record(user, "api_token.created", row, after={"name": row.name})
    return row, token


def user_for_api_token(token):
    """The active user owning this (unrevoked) token, or None."""
    if not token:
        return None
    row = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(
            ApiToken.token_hash == token_digest(token),
            ApiToken.revoked == False,  # noqa: E712
            User.active == True,
        )  # noqa: E712
        .first()
    )
    if row is None:
        return None
    ApiToken.update(last_used_at=utcnow()).where(ApiToken.id == row.id).execute()
    return row.user
