"""Public scan pages: /Q/<CODE> as HTML and JSON."""
from flask import Blueprint

blueprint = Blueprint("public", __name__)
