"""The Reflex app: pages register themselves from iop_app/pages/."""

import reflex as rx

from . import models  # noqa: F401  (tables registered for Alembic and the ORM)
from .http_headers import security_headers
from .pages import register_all
from .state.base import ForgetPreviousUser

# The theme is set on the Radix plugin in rxconfig.py.
# security_headers wraps the whole ASGI app (pages and assets included in prod):
# CSP, nosniff, Referrer-Policy, HSTS over HTTPS. See http_headers.py.
app = rx.App(stylesheets=["/styles.css"], api_transformer=security_headers)
# A reload must not bring back the page states of a user who is no longer signed in.
app.add_middleware(ForgetPreviousUser())
register_all(app)
