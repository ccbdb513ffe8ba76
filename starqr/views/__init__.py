"""Blueprints: the public scan pages, the console and the API."""

from starqr import monitoring
from starqr.views import api, console, health, public, public_pages
from starqr.views.console import admin


def init_app(app):
    app.register_blueprint(public.blueprint)

    public_pages.init_app(app)

    console.init_app(app)

    app.register_blueprint(api.blueprint)

    admin.init_app(app)

    health.init_app(app)

    monitoring.init_app(app)
