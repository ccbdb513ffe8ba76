"""Configuration: defaults, then the environment (STARQR_*), then a test's overrides."""
import os
import secrets

DEVELOPMENT_SECRET = "development-only-secret"


def defaults(instance_path):
    return {
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "starqr.db"),
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "SECRET_KEY": None,
        "ENV_NAME": "development",
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ["zh", "mn", "en"],
        "HUEY_URL": None,  # None: SQLite storage in the instance folder; redis://... in production
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
    }


# Environment variables read as STARQR_<NAME>.
ENVIRONMENT_KEYS = (
    "DATABASE_URL", "PUBLIC_BASE_URL", "SECRET_KEY", "ENV_NAME", "HUEY_URL",
    "UPLOAD_FOLDER", "RATELIMIT_STORAGE_URI", "BEHIND_PROXY",
)


def from_environment(environ=os.environ):
    settings = {}
    for key in ENVIRONMENT_KEYS:
        value = environ.get("STARQR_" + key)
        if value:
            settings[key] = value
    return settings


def finalise(config):
    """Fill derived settings and refuse an unsafe production configuration."""
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"].rstrip("/")
    production = config["ENV_NAME"] == "production"
    if not config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("STARQR_SECRET_KEY must be set when STARQR_ENV_NAME=production")
        config["SECRET_KEY"] = DEVELOPMENT_SECRET if not config.get("TESTING") else secrets.token_hex(16)
    if production:
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    return config
