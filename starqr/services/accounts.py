"""Console accounts: creating users and checking passwords."""
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

from starqr.models import ROLES, User


class AccountError(Exception):
    pass


def hash_password(password):
    method = current_app.config["PASSWORD_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def create_user(username, password, role, organisation=None, display_name=None):
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role != "admin" and organisation is None:
        raise AccountError(f"a {role} needs an organisation")
    if len(password) < 10:
        raise AccountError("a password needs at least 10 characters")
    if User.select().where(User.username == username).exists():
        raise AccountError(f"user {username!r} already exists")
    return User.create(username=username, password_hash=hash_password(password), role=role,
                       organisation=organisation, display_name=display_name or username)


def password_matches(user, password):
    return check_password_hash(user.password_hash, password)
