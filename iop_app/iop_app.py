"""The Reflex app: pages register themselves from iop_app/pages/."""

import reflex as rx

from . import models  # noqa: F401  (tables registered for Alembic and the ORM)
from .http_headers import security_headers
from .pages import register_all

# The theme is set on the Radix plugin in rxconfig.py.
# security_headers wraps the whole ASGI app (pages and assets included in prod):
# CSP, nosniff, Referrer-Policy, HSTS over HTTPS. See http_headers.py.
app = rx.App(stylesheets=["/styles.css"], api_transformer=security_headers)
register_all(app)
