"""The Reflex app: pages register themselves from iop_app/pages/."""

import reflex as rx

from . import models  # noqa: F401  (tables registered for Alembic and the ORM)
from .pages import register_all

app = rx.App(
    theme=rx.theme(accent_color="teal", radius="medium"),
    stylesheets=["/styles.css"],
)
register_all(app)
