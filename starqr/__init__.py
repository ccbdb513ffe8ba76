"""StarQR: QR plaques that resolve to live star-rating profiles."""
import os

from flask import Flask

from starqr import config as config_module

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config=None):
    """Build the app: config → database → babel → security → blueprints → CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("STARQR_INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    app.config.update(config_module.defaults(app.instance_path))
    app.config.update(config_module.from_environment())
    if test_config:
        app.config.update(test_config)
    config_module.finalise(app.config, app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["BEHIND_PROXY"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from starqr import db, i18n, security
    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from starqr.views import init_app as init_views
    init_views(app)
    return app
