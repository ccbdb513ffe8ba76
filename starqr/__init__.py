"""StarQR: QR plaques that resolve to live star-rating profiles."""

import logging
import os

from flask import Flask

from starqr import config as config_module

# A library's loggers stay quiet until the process configures logging (JSON lines in production,
# the scheduler's format): without this, Python's last-resort handler would print the structured
# event lines (event=command.failed …) beside the operator's one `Error:` line.
logging.getLogger("starqr").addHandler(logging.NullHandler())

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.dirname(PACKAGE_DIR)


def asset_folder(name):
    """templates/ or static/: inside the installed package (wheel), else the checkout's top level."""
    packaged = os.path.join(PACKAGE_DIR, name)
    return packaged if os.path.isdir(packaged) else os.path.join(PROJECT_ROOT, name)


def create_app(test_config=None):
    """Build the app: config → database → babel → security → blueprints → CLI."""
    app = Flask(
        __name__,
        instance_path=config_module.instance_path(),
        template_folder=asset_folder("templates"),
        static_folder=asset_folder("static"),
    )
    app.config.update(config_module.defaults(app.instance_path))
    app.config.update(config_module.from_environment())
    if test_config:
        app.config.update(test_config)
    config_module.finalise(app.config, app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    # The factory imports the web layer when it runs, not at the top: every `import starqr.x`
    # runs this package first, and the pure core, the CLI and the task consumer must not pay
    # for (or cycle through) Flask, the views and the task queue.
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from starqr import db, i18n, request_guards, security

    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    from starqr import checkpoints

    checkpoints.init_app(app)
    request_guards.init_app(app)

    from starqr import tasks
    from starqr.services import accounts

    tasks.init_app(app)
    accounts.configure(app.config)  # services read no Flask: settings are handed to them

    from starqr.views import init_app as init_views

    init_views(app)
    return app
