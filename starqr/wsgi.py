"""gunicorn starqr.wsgi:app"""
from starqr import create_app

app = create_app()
