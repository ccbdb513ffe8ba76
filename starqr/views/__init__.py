"""Blueprints: the public scan pages, the console and the API."""


def init_app(app):
    from starqr.views import public

    app.register_blueprint(public.blueprint)
    from starqr.views import public_pages

    public_pages.init_app(app)
    from starqr.views import console

    console.init_app(app)
    from starqr.views import api

    app.register_blueprint(api.blueprint)
    from starqr.views.console import admin

    admin.init_app(app)
    from starqr.views import health

    health.init_app(app)
    from starqr import monitoring

    monitoring.init_app(app)
