"""Configuration: defaults, then the environment (STARQR_*), then a test's overrides."""

import os
import secrets

from starqr.errors import N_, StarQRError

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"  # the default: never what a QR code should carry


def instance_path(environ=os.environ):
    """STARQR_INSTANCE_PATH, else ./instance under the working directory (never inside the package)."""
    return os.path.abspath(environ.get("STARQR_INSTANCE_PATH") or os.path.join(os.getcwd(), "instance"))


def settings(environ=os.environ):
    """The configuration without an app (defaults, then the environment), for the task consumer."""
    values = defaults(instance_path(environ))
    values.update(from_environment(environ))
    return values


def defaults(instance_path):
    return {
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "starqr.db"),
        "PUBLIC_BASE_URL": DEVELOPMENT_BASE_URL,
        "SECRET_KEY": None,
        "ENV_NAME": "development",
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh", "mn", "en"],
        "HUEY_URL": None,  # None: SQLite storage in the instance folder; redis://... in production
        "HUEY_IMMEDIATE": False,  # run background jobs at once, in-process (tests, demos)
        "UPLOAD_FOLDER": os.path.join(instance_path, "uploads"),
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": False,
        "PASSWORD_METHOD": "scrypt",
        "BEHIND_PROXY": False,  # trust one proxy's X-Forwarded-* (nginx in deploy/)
        "SCAN_COUNTS_URL": None,  # redis://...: scans counted with HINCRBY (several workers and hosts)
        "PAGE_EXPORT_DIR": None,  # this host's exported pages (starqr pages export --dir): no query per scan
    }


# Environment variables read as STARQR_<NAME>.
ENVIRONMENT_KEYS = (
    "DATABASE_URL",
    "PUBLIC_BASE_URL",
    "SECRET_KEY",
    "ENV_NAME",
    "HUEY_URL",
    "UPLOAD_FOLDER",
    "RATELIMIT_STORAGE_URI",
    "BEHIND_PROXY",
    "HUEY_IMMEDIATE",
    "SCAN_COUNTS_URL",
    "PAGE_EXPORT_DIR",
)


BOOLEAN_KEYS = ("BEHIND_PROXY", "HUEY_IMMEDIATE")


def from_environment(environ=os.environ):
    settings = {}
    for key in ENVIRONMENT_KEYS:
        value = environ.get("STARQR_" + key)
        if value:
            settings[key] = value.strip().lower() in ("1", "true", "yes", "on") if key in BOOLEAN_KEYS else value
    return settings


def _instance_secret(instance_path):
    """A random key made once per instance folder, so no deployment shares a known key."""
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path) as handle:
            return handle.read().strip()
    except FileNotFoundError:
        os.makedirs(instance_path, exist_ok=True)
        key = secrets.token_hex(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key)
        return key


class ConfigError(StarQRError, RuntimeError):
    """A configuration production must not start with; the message is the one line to show
    (a catalogue template: the CLI and starqr.wsgi print it in the operator's language)."""

    code = "config_refused"
    status = 500


MIN_SECRET_BYTES = 32


def refuse_weak_production_settings(config, instance_path):
    """Production starts only with a long secret, a real database and the public address set."""
    key = config.get("SECRET_KEY")
    if not key:
        raise ConfigError(N_("STARQR_ENV_NAME=production 时必须设置 STARQR_SECRET_KEY"), code="config_no_secret_key")
    if len(str(key).encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(
            N_(
                "STARQR_SECRET_KEY 太短,不能用于生产环境:至少 %(bytes)s 字节"
                "(例如 python -c 'import secrets; print(secrets.token_hex(32))')"
            ),
            code="config_short_secret_key",
            bytes=MIN_SECRET_BYTES,
        )
    url = config.get("DATABASE_URL") or ""
    instance = os.path.abspath(instance_path)
    if url.startswith("sqlite") and (
        ":memory:" in url
        or url.rstrip("/") in ("sqlite:", "sqlite:/")
        or os.path.abspath(url.split(":///", 1)[-1]).startswith(instance + os.sep)
    ):
        raise ConfigError(
            N_("STARQR_DATABASE_URL 指向开发用数据库(实例文件夹中的 SQLite);生产环境请设置 PostgreSQL 地址"),
            code="config_development_database",
        )
    base = (config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/").lower()
    if not base.startswith(("https://", "http://")) or len(base) <= len("https://") or base == DEVELOPMENT_BASE_URL:
        raise ConfigError(
            N_("生产环境必须设置 STARQR_PUBLIC_BASE_URL(印在每个二维码中的地址,例如 https://dj.example.gov.cn)"),
            code="config_no_public_base_url",
        )


def finalise(config, instance_path):
    """Fill derived settings and refuse an unsafe production configuration."""
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"].rstrip("/")
    production = config["ENV_NAME"] == "production"
    if production:
        refuse_weak_production_settings(config, instance_path)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secrets.token_hex(16) if config.get("TESTING") else _instance_secret(instance_path)
    if production and config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        # Each worker would count on its own: limits would multiply by the worker count.
        raise ConfigError(
            N_("生产环境请设置 STARQR_RATELIMIT_STORAGE_URI(例如 redis://127.0.0.1:6379/1)"),
            code="config_per_worker_rate_limits",
        )
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    return config
