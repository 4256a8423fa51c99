"""The Reflex app: pages register themselves from iop_app/pages/."""

import reflex as rx

from . import models  # noqa: F401  (tables registered for Alembic and the ORM)
from .pages import register_all

# The theme is set on the Radix plugin in rxconfig.py.
app = rx.App(stylesheets=["/styles.css"])
register_all(app)
